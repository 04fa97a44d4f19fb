internal import BPKit
internal import CMPI
import Synchronization

/// Every call into MPI goes through here.
///
/// The library is initialised with `MPI_THREAD_SERIALIZED`: one call at a
/// time, from any thread. One lock of bpkit's own keeps it so, and a
/// status other than `MPI_SUCCESS` becomes a ``DistributedError`` carrying
/// MPI's own message (errors return rather than end the job: see
/// ``MPICommunicator/world()``).
enum MPILibrary {
  static let lock = Mutex<Void>(())

  /// Runs one MPI call under the lock.
  static func call(_ operation: @autoclosure () -> String, _ body: () -> Int32) throws(DistributedError) {
    let status = lock.withLock { _ in body() }
    guard status == bpk_MPI_SUCCESS() else {
      throw DistributedError.transport(operation: operation(), reason: message(for: status))
    }
  }

  /// MPI's text for an error code.
  static func message(for status: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: Int(bpk_MPI_MAX_ERROR_STRING()) + 1)
    var length: Int32 = 0
    guard MPI_Error_string(status, &buffer, &length) == bpk_MPI_SUCCESS() else { return "MPI error \(status)" }
    return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
