/// Why a distributed run could not go on: another rank failed, or the
/// ranks' messages did not fit. BPKit's calls throw it inside a
/// ``BPKitError`` whose code is ``BPKitError/Code/communication``; a
/// ``Communicator`` throws it itself.
public enum DistributedError: Error, Sendable, Hashable, CustomStringConvertible {
  /// Rank `rank` could not start the run; its own error says why.
  case rankFailed(rank: Int)
  /// A message's size differs from the size the receiver expected: the
  /// ranks run different builds of bpkit, or were given different settings.
  case messageSize(from: Int, expected: Int, actual: Int)
  /// The transport failed; `reason` is its message.
  case transport(operation: String, reason: String)
  /// Rank `rank` read `actual` samples as batch `batch` (counting from 0)
  /// of a shared prediction, where rank 0 read `expected`: the ranks do not
  /// read the same input.
  case inputDiffers(rank: Int, batch: Int, expected: Int, actual: Int)

  /// One line: what failed and the way out.
  public var description: String {
    switch self {
    case .rankFailed(let rank):
      "rank \(rank) of the run could not start (its own error says why); fix that and start every rank again"
    case .messageSize(let from, let expected, let actual):
      "rank \(from) sent \(actual) bytes where \(expected) were expected; start every rank with the same bpkit "
        + "and the same arguments"
    case .transport(let operation, let reason):
      "MPI failed in \(operation): \(reason)"
    case .inputDiffers(let rank, let batch, let expected, let actual):
      "rank \(rank) read \(actual) samples as batch \(batch + 1) where rank 0 read \(expected): every rank must read "
        + "the same input; give each rank the same file (mpirun passes standard input to rank 0 only)"
    }
  }

  /// Tells every rank whether any rank failed; throws ``rankFailed(rank:)``
  /// on the ranks that did not, naming the first that did.
  static func agree(failed: Bool, communicator: any Communicator) throws {
    var flag: UInt8 = failed ? 1 : 0
    let flags = try withUnsafeBytes(of: &flag) { try communicator.gather($0, to: 0) }
    var first = Int64(flags.firstIndex(of: 1) ?? -1)
    try communicator.broadcast(&first, from: 0)
    if first >= 0 && !failed { throw DistributedError.rankFailed(rank: Int(first)) }
  }
}
