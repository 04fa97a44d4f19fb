/// One rank's part of a batch split across the ranks of a ``Communicator``.
///
/// A batch of `total` samples is cut into contiguous parts in rank order:
/// rank r takes samples ⌊total·r/N⌋ up to ⌊total·(r+1)/N⌋. The ranks holding
/// samples form a chain in rank order; the last of them ends each sum and
/// broadcasts it (see ``GradientChain``).
struct BatchShare {
  let communicator: any Communicator
  /// The number of samples of the whole batch.
  let total: Int
  /// The samples of each rank, in rank order.
  let counts: [Int]

  init(total: Int, communicator: any Communicator) {
    self.communicator = communicator
    self.total = total
    let size = communicator.size
    counts = (0..<size).map { r in total * (r + 1) / size - total * r / size }
  }

  var rank: Int { communicator.rank }

  /// This rank's samples, as positions in the batch.
  var range: Range<Int> {
    let size = communicator.size
    return (total * rank / size)..<(total * (rank + 1) / size)
  }

  /// The number of this rank's samples.
  var localCount: Int { counts[rank] }

  /// The rank before this one that holds samples, which passes on its sums.
  var previous: Int? { (0..<rank).last { counts[$0] > 0 } }

  /// The rank after this one that holds samples, which continues the sums.
  var next: Int? { ((rank + 1)..<counts.count).first { counts[$0] > 0 } }

  /// The last rank holding samples, whose sums are the batch's.
  var last: Int { counts.lastIndex { $0 > 0 } ?? 0 }
}
