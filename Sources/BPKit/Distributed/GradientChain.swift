/// The weight gradients of a batch split across ranks, summed in the one
/// order a single process sums them.
///
/// On one process every gradient element is one chain of fused
/// multiply-adds over the batch's rows in order (see CKernels.h), and the
/// bias gradients one chain of additions. A chain over rows 0..<n continued
/// over rows n..<m is the chain over 0..<m: the kernels start from the value
/// stored in their output and round exactly as they would have. So rank r
/// takes the partial sums of the ranks before it, continues them over its
/// own rows and hands them on; the last rank holds the batch's gradients,
/// bitwise those of one process, whatever the number of ranks. The ranks
/// work on their rows side by side; only each tensor's sum waits for the
/// rank before, which finished the same tensor at about the same time.
struct GradientChain {
  let share: BatchShare

  /// Before a tensor's sum over this rank's rows: receives the sum so far
  /// into `sum`, or returns `false` on the first rank, which starts from zero.
  func start<S>(_ sum: UnsafeMutablePointer<S>, count: Int) throws -> Bool {
    guard let previous = share.previous else { return false }
    try share.communicator.receive(
      into: UnsafeMutableRawBufferPointer(start: sum, count: count * MemoryLayout<S>.stride), from: previous)
    return true
  }

  /// After a tensor's sum over this rank's rows: hands it to the next rank.
  func finish<S>(_ sum: UnsafeMutablePointer<S>, count: Int) throws {
    guard let next = share.next else { return }
    try share.communicator.send(
      UnsafeRawBufferPointer(start: sum, count: count * MemoryLayout<S>.stride), to: next)
  }
}
