extension TrainingEngine {
  /// The loss sums the ranks of a split batch hand on: the loss summed row
  /// by row in the batch's order, and the counts of right and judged predictions.
  struct LossChainMessage: BitwiseCopyable {
    var sum = 0.0
    var correct = 0
    var judged = 0
    var rows = 0
  }

  /// The samples of a batch of `batchSize` that rank `communicator.rank`
  /// trains on: rank r of N takes ⌊batchSize·r/N⌋ up to ⌊batchSize·(r+1)/N⌋.
  public static func samples(ofBatch batchSize: Int, communicator: any Communicator) -> Range<Int> {
    BatchShare(total: batchSize, communicator: communicator).range
  }

  /// Trains on this rank's part of a batch split across the ranks of
  /// `communicator`: forward, backward, and one optimizer update that every
  /// rank applies identically, bitwise the update ``step(inputs:targets:count:)-(_,Targets<Scalar>,_)``
  /// makes from the whole batch on one process (see <doc:RunningOnACluster>).
  ///
  /// Every rank calls this for every batch, in the same order, with its own
  /// samples (``samples(ofBatch:communicator:)``; possibly none).
  ///
  /// - Parameters:
  ///   - inputs: This rank's samples of the batch.
  ///   - targets: Their targets.
  ///   - batchSize: The number of samples in the whole batch.
  ///   - communicator: The ranks sharing the batch.
  /// - Returns: The whole batch's loss and accuracy counts, the same on every rank.
  /// - Throws: ``BPKitError``: inputs or targets that do not fit the
  ///   network; the communicator's failures (``BPKitError/Code/communication``).
  public func step(
    inputs: UnsafeBufferPointer<Scalar>, targets: Targets<Scalar>, batchSize: Int, communicator: any Communicator
  ) throws(BPKitError) -> BatchMetrics {
    do {
      return try step(inputs: inputs, targets: targets, share: BatchShare(total: batchSize, communicator: communicator))
    } catch {
      throw BPKitError(error)
    }
  }

  /// Trains on this rank's part of a batch split across ranks: every rank
  /// ends with the update one process makes from the whole batch, bitwise.
  ///
  /// - Parameters:
  ///   - inputs: This rank's samples (``BatchShare/range`` of the batch).
  ///   - targets: Their targets.
  ///   - share: How the batch is split.
  /// - Returns: The whole batch's metrics, the same on every rank.
  ///   - weights: Their sample weights, or `nil` for none.
  func step(
    inputs: UnsafeBufferPointer<Scalar>, targets: Targets<Scalar>, share: BatchShare,
    weights: UnsafeBufferPointer<Scalar>? = nil
  ) throws -> BatchMetrics {
    let metrics = try computeGradients(inputs: inputs, targets: targets, share: share, weights: weights)
    update()
    return metrics
  }

  /// Like ``accumulate(inputs:targets:count:)-(_,Targets<Scalar>,_)``, for this rank's part of a split batch.
  func accumulate(
    inputs: UnsafeBufferPointer<Scalar>, targets: Targets<Scalar>, share: BatchShare,
    weights: UnsafeBufferPointer<Scalar>? = nil
  ) throws -> BatchMetrics {
    let metrics = try computeGradients(inputs: inputs, targets: targets, share: share, weights: weights)
    addToAccumulator(count: share.total)
    return metrics
  }

  /// The whole batch's mean gradient in ``gradientBuffer`` on every rank.
  ///
  /// Each rank holding samples runs its rows forward and backward; the
  /// weight gradients and the loss are continued from rank to rank in rank
  /// order (``GradientChain``), so they are summed in the order of one
  /// process; the last rank's sums are broadcast to all.
  private func computeGradients(
    inputs: UnsafeBufferPointer<Scalar>, targets: Targets<Scalar>, share: BatchShare,
    weights: UnsafeBufferPointer<Scalar>?
  ) throws -> BatchMetrics {
    let communicator = share.communicator
    var message = LossChainMessage()
    var totals = LossTotals()
    var rows = 0
    if share.localCount > 0 {
      (totals, rows) = try run(
        inputs: inputs, targets: targets, count: share.localCount, backward: true, share: share,
        dropout: dropoutMasks, weights: weights)
    }
    dropoutMasks.position += share.total
    if let previous = share.previous {
      try withUnsafeMutableBytes(of: &message) { try communicator.receive(into: $0, from: previous) }
    }
    if share.localCount > 0 {
      // Σ ℓ_r continued in row order, as one process adds them.
      for r in 0..<rows { message.sum += rowLosses[r] }
      message.correct += totals.correct
      message.judged += totals.judged
      message.rows += rows
      if let next = share.next {
        try withUnsafeBytes(of: &message) { try communicator.send($0, to: next) }
      }
    }
    let count = plan.layout.trainableCount
    try communicator.broadcast(
      UnsafeMutableRawBufferPointer(start: gradientBuffer.pointer, count: count * MemoryLayout<Scalar>.stride),
      from: share.last)
    try communicator.broadcast(&message, from: share.last)
    // The penalty joins the whole batch's gradient once, as on one process.
    return regularize(
      BatchMetrics(
        loss: message.sum / Double(message.rows), samples: share.total, correct: message.correct,
        judged: message.judged))
  }
}
