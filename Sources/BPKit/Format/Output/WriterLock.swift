import Foundation

/// An advisory lock that one writer holds on a destination for as long as it
/// writes there, so that two processes never take turns replacing the same
/// file (a training run whose checkpoint another run overwrites goes
/// backwards without a word).
///
/// The lock is `flock(2)` on a hidden file beside the destination,
/// `.NAME.lock`, which holds the process id of its holder and is removed on
/// ``release()``. The destination itself cannot carry the lock: each write
/// replaces it with a new file. Symbolic links are followed, so two names of
/// one file share one lock. A destination that is not a file (standard
/// output, a device, a FIFO) takes no lock.
///
/// The lock is advisory: it stops other bpkit writers, not other programs.
package final class WriterLock {
  /// The destination as it was given.
  package let name: String
  private var descriptor: Int32 = -1
  private var lockPath: String?

  /// Takes the lock on `destination`, or refuses at once when another
  /// process holds it.
  ///
  /// - Throws: ``WriterLockError/held(file:holder:)`` naming the holder's
  ///   process id; ``OutputFileError`` when the lock file cannot be made.
  package init(for destination: String) throws(BPKitError) {
    do {
      name = destination
      let resolved = try OutputDestination(destination)
      guard case .file = resolved.kind else { return }
      let path = (resolved.folder as NSString).appendingPathComponent(
        OutputTemporaries.hiddenName(resolved.fileName, suffix: ".lock"))
      // A holder removes the lock file on release; a file locked after it was
      // removed locks nothing, so lock again until the locked file is the one
      // the name leads to.
      for _ in 0..<100 {
        let opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard opened >= 0 else { throw OutputDestination.failure(destination, "creating its lock file \(path)") }
        guard flock(opened, LOCK_EX | LOCK_NB) == 0 else {
          let holder = Self.holder(opened)
          close(opened)
          throw WriterLockError.held(file: destination, holder: holder)
        }
        var locked = stat()
        var named = stat()
        if fstat(opened, &locked) == 0, lstat(path, &named) == 0, locked.st_ino == named.st_ino,
          locked.st_dev == named.st_dev
        {
          let pid = Array("\(getpid())\n".utf8)
          _ = ftruncate(opened, 0)
          _ = pid.withUnsafeBytes { pwrite(opened, $0.baseAddress, $0.count, 0) }
          descriptor = opened
          lockPath = path
          return
        }
        close(opened)
      }
      throw OutputFileError.failed(
        file: destination, operation: "taking its lock \(path)", reason: "the lock file keeps being replaced")

    } catch {
      throw BPKitError(error)
    }
  }

  deinit { release() }

  /// Releases the lock and removes its file. Called on deinit.
  package func release() {
    guard descriptor >= 0, let lockPath else { return }
    unlink(lockPath)
    close(descriptor)
    descriptor = -1
    self.lockPath = nil
  }

  /// The process id a holder wrote into the lock file, if readable.
  private static func holder(_ descriptor: Int32) -> Int32? {
    var buffer = [UInt8](repeating: 0, count: 32)
    let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { return nil }
    return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
  }
}

/// Another process holds the lock on a destination.
package enum WriterLockError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
  /// `holder` is the process id of the writer at work, when known.
  case held(file: String, holder: Int32?)

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    switch self {
    case .held(let file, let holder):
      "refusing to write '\(file)': another bpkit process"
        + (holder.map { " (process \($0))" } ?? "")
        + " is writing it; wait for it to finish, stop it, or write elsewhere"
    }
  }

  /// The same line as `description`, for `LocalizedError`.
  package var errorDescription: String? { description }
}
