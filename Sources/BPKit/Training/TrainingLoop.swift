import Foundation

/// Drives a training session: reports progress, writes checkpoints on
/// schedule and on a stop request, and keeps the best and the most recent ones.
///
/// Checkpoints are snapshots of the session handed to a ``CheckpointWriter``,
/// written while the next steps train; ``TrainingEvent/checkpointWritten(_:best:)``
/// is reported once a file is complete on disk, after the step during which
/// it was finished, and at the latest before the run returns.
struct TrainingLoop {
  let plan: TrainingPlan
  let output: TrainingOptions.Output
  let stop: TrainingControl?
  /// The files the run reads, which no checkpoint may replace.
  let inputs: [String]
  /// The ranks of a distributed run, or `nil`: only rank 0 writes
  /// checkpoints, and rank 0 decides for all when the run stops early.
  var communicator: (any Communicator)? = nil

  /// Whether this process writes the run's checkpoints.
  private var isWriter: Bool { (communicator?.rank ?? 0) == 0 }

  /// Trains `session` until it completes or stops early; `bestLoss` carries
  /// the best epoch's loss across calls, and `lastCheckpoint` the run's
  /// last checkpoint on disk, which a divergence names.
  func run(
    _ session: TrainingSession, bestLoss: inout Double, lastCheckpoint: inout String?,
    observe: (TrainingEvent) throws -> Void
  ) throws -> TrainingOutcome {
    let destination = URL(fileURLWithPath: plan.checkpointPath)
    func outcome(_ reason: TrainingOutcome.Reason, steps: Int) -> TrainingOutcome {
      TrainingOutcome(
        reason: reason, steps: steps, epochs: session.configuration.epochs, progress: session.progress,
        checkpoint: destination)
    }
    if session.isComplete {
      return outcome(.alreadyComplete, steps: 0)
    }
    try observe(
      .started(
        trainingSamples: plan.training.sampleCount, validationSamples: plan.validation?.sampleCount,
        checkpoint: destination))
    // Checkpoints are written on the writer's thread while training goes on;
    // every way out of this function waits for it (see CheckpointWriter).
    let writer = CheckpointWriter()
    func reportWritten() throws {
      for job in writer.takeWritten() {
        if !job.best { lastCheckpoint = plan.checkpointPath }
        try observe(.checkpointWritten(job.url, best: job.best))
      }
    }
    func finish() throws {
      try writer.finish()
      try reportWritten()
    }
    func handOver(best: Bool, regular: Bool) throws {
      guard isWriter else { return }
      let snapshot = session.checkpoint()
      var jobs: [CheckpointWriter.Job] = []
      if best {
        jobs.append(
          .init(checkpoint: snapshot, url: Self.bestURL(for: destination), best: true, keep: 1, options: options))
      }
      if regular {
        jobs.append(.init(checkpoint: snapshot, url: destination, best: false, keep: output.keep, options: options))
      }
      try writer.submit(jobs)
    }
    var steps = 0
    do {
      while !session.isComplete {
        let report: TrainingSession.StepReport
        do {
          report = try session.step()
        } catch {
          guard case .diverged(let epoch, let step, let loss, _)? = error.underlying as? TrainingError else {
            throw error
          }
          // The checkpoints handed over before the divergence are finished first,
          // so that the error names the last one on disk.
          try? writer.finish()
          try? reportWritten()
          throw TrainingError.diverged(epoch: epoch, step: step, loss: loss, keptCheckpoint: lastCheckpoint)
        }
        steps += 1
        try observe(.step(report))
        try reportWritten()
        var due = output.checkpointEverySteps.map { report.step % $0 == 0 } ?? false
        var best = false
        if let record = report.completedEpoch {
          try observe(.epochCompleted(record))
          due = due || record.epoch % output.checkpointEvery == 0 || session.isComplete
          let loss = record.validationLoss ?? record.trainLoss
          if output.saveBest && loss < bestLoss {
            bestLoss = loss
            best = true
          }
        }
        // A stop request or a cancelled task stops after the step, with a checkpoint.
        if let reason = try stopReason() {
          try handOver(best: best, regular: true)
          try finish()
          return outcome(reason, steps: steps)
        }
        if let limit = output.stopAfterSteps, steps >= limit, !session.isComplete {
          try handOver(best: best, regular: true)
          try finish()
          return outcome(.stepLimit, steps: steps)
        }
        let requested = stop?.takeCheckpointRequest() == true
        if best || due || requested { try handOver(best: best, regular: due || requested) }
      }
      try finish()
    } catch {
      // The first error is the run's; the checkpoints already handed over are
      // still completed before it is reported.
      try? writer.finish()
      throw error
    }
    return outcome(.completed, steps: steps)
  }

  private var options: FileWriteOptions { FileWriteOptions(inputs: inputs) }

  /// Whether to stop after this step: a stop request or a cancelled task;
  /// on several ranks, rank 0's, so that every rank stops after the same step.
  private func stopReason() throws -> TrainingOutcome.Reason? {
    var reason: Int8 = stop?.isStopRequested == true ? 1 : Task.isCancelled ? 2 : 0
    if let communicator { try communicator.broadcast(&reason, from: 0) }
    return reason == 1 ? .stopRequested : reason == 2 ? .cancelled : nil
  }

  /// Writes a checkpoint, first moving older ones aside when more than one is kept.
  func write(_ session: TrainingSession, to destination: URL) throws {
    guard isWriter else { return }
    if output.keep > 1 { CheckpointRotation(destination: destination.relativePath, keep: output.keep).rotate() }
    try session.checkpoint().write(to: destination, options: options)
  }

  static func bestURL(for destination: URL) -> URL {
    destination.deletingPathExtension().appendingPathExtension("best").appendingPathExtension(
      destination.pathExtension)
  }
}
