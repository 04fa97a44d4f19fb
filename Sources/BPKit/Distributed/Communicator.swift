/// The processes of one distributed run and the messages between them: what
/// BPKit needs from MPI, so that the library itself links no MPI.
///
/// A run on N processes (ranks 0 to N−1) gives every rank the same
/// ``Communicator``: ``TrainingRun`` and ``TrainingSession`` then split each
/// batch across the ranks and end every step with bitwise the same weights
/// on every rank, equal to those of one process (see the article
/// <doc:RunningOnACluster>). The `BPKitMPI` module of an MPI-enabled build
/// (`make mpi`) provides `MPICommunicator`; any other transport that keeps
/// the order of the messages between two ranks can conform.
///
/// Every rank calls the same operations in the same order. A method that
/// cannot complete throws; a run that loses a rank cannot continue, and
/// the caller ends the job (``abort(exitCode:)``).
public protocol Communicator: AnyObject, Sendable {
  /// This process's rank, from 0 to ``size`` − 1.
  var rank: Int { get }
  /// The number of ranks.
  var size: Int { get }

  /// Sends `bytes` to rank `destination`; messages from one rank to another
  /// arrive in the order they were sent.
  ///
  /// - Throws: An error of the transport.
  func send(_ bytes: UnsafeRawBufferPointer, to destination: Int) throws

  /// Receives exactly `bytes.count` bytes from rank `source`, the next message it sent to this rank.
  ///
  /// - Throws: An error of the transport, or when the message's size differs.
  func receive(into bytes: UnsafeMutableRawBufferPointer, from source: Int) throws

  /// Copies rank `root`'s `bytes` into every other rank's `bytes` (of the same size).
  ///
  /// - Throws: An error of the transport.
  func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws

  /// Joins every rank's `bytes` (of any size) at rank `root`, in rank order.
  ///
  /// - Returns: At `root`, the concatenation of all ranks' bytes; elsewhere, an empty array.
  /// - Throws: An error of the transport.
  func gather(_ bytes: UnsafeRawBufferPointer, to root: Int) throws -> [UInt8]

  /// Ends every rank of the run with `exitCode`; for a program's command
  /// line, never for the library, which never exits.
  func abort(exitCode: Int32) -> Never
}

extension Communicator {
  /// Broadcasts one value of a trivial type from `root`.
  func broadcast<T: BitwiseCopyable>(_ value: inout T, from root: Int) throws {
    try withUnsafeMutableBytes(of: &value) { try broadcast($0, from: root) }
  }
}
