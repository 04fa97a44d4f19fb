internal import CHDF5
import Synchronization

/// Every call into libhdf5 goes through here.
///
/// libhdf5's own thread safety (where it is built with it) is one global lock,
/// and its error stack belongs to the calling thread. bpkit takes one lock of
/// its own around each call *and* the walk of the error stack that follows a
/// failure, as h5py does, so that an error is always read by the call that
/// raised it, and so that builds of libhdf5 without thread safety are safe too.
enum HDF5Library {
  static let lock = Mutex<Void>(())

  /// Where a call acts, for error messages.
  struct Site {
    var file: String
    var path: String?
  }

  /// Runs one libhdf5 call under the lock; a negative result becomes an
  /// ``HDF5Error`` that carries libhdf5's error stack.
  @discardableResult
  static func call<R: BinaryInteger>(
    _ operation: @autoclosure () -> String, at site: Site, kind: HDF5Error.Kind = .libraryFailure,
    _ body: () -> R
  ) throws(HDF5Error) -> R {
    let (result, messages) = lock.withLock { _ -> (R, [String]?) in
      bpk_h5_silence_this_thread()
      let result = body()
      return (result, result < 0 ? takeErrorStack() : nil)
    }
    if let messages {
      throw HDF5Error(
        kind, operation: operation(), file: site.file, objectPath: site.path,
        libraryMessages: messages)
    }
    return result
  }

  /// Runs libhdf5 calls that cannot fail under the lock.
  static func locked<R>(_ body: () -> R) -> R {
    lock.withLock { _ in
      bpk_h5_silence_this_thread()
      return body()
    }
  }

  /// Closes an id, ignoring failure: used from `deinit`, where nothing can be
  /// reported and the id is never used again.
  static func release(_ id: hid_t, with close: (hid_t) -> herr_t) {
    guard id >= 0 else { return }
    locked {
      if close(id) < 0 { H5Eclear2(bpk_H5E_DEFAULT()) }
    }
  }

  /// Reads and clears the calling thread's error stack. Call with the lock held.
  private static func takeErrorStack() -> [String] {
    final class Collector { var messages: [String] = [] }
    let collector = Collector()
    let walker: H5E_walk2_t = { _, error, context in
      guard let error, let context else { return 0 }
      let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
      let function = error.pointee.func_name.map { String(cString: $0) } ?? "?"
      let description = error.pointee.desc.map { String(cString: $0) } ?? ""
      collector.messages.append("\(function): \(description)")
      return 0
    }
    withExtendedLifetime(collector) {
      _ = H5Ewalk2(
        bpk_H5E_DEFAULT(), H5E_WALK_DOWNWARD, walker,
        Unmanaged.passUnretained(collector).toOpaque())
    }
    H5Eclear2(bpk_H5E_DEFAULT())
    return collector.messages
  }
}

/// Runs `body`, whose only throwing calls throw ``HDF5Error``, through
/// standard-library functions that are declared `rethrows` rather than with
/// typed throws (`withUnsafeBytes`, `init(unsafeUninitializedCapacity:)`),
/// and restores the error's static type.
@discardableResult
func typedThrows<R>(_ body: () throws -> R) throws(HDF5Error) -> R {
  do {
    return try body()
  } catch let error as HDF5Error {
    throw error
  } catch {
    preconditionFailure("only HDF5Error can reach here: \(error)")
  }
}
