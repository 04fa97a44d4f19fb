import Foundation

/// Drives a training session: reports progress, writes checkpoints on
/// schedule and on a stop request, and keeps the best and the most recent ones.
struct TrainingLoop {
  let plan: TrainingPlan
  let output: TrainingOptions.Output
  let stop: TrainingControl?
  /// The files the run reads, which no checkpoint may replace.
  let inputs: [String]

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
    var steps = 0
    while !session.isComplete {
      let report: TrainingSession.StepReport
      do {
        report = try session.step()
      } catch TrainingError.diverged(let epoch, let step, let loss, _) {
        throw TrainingError.diverged(epoch: epoch, step: step, loss: loss, keptCheckpoint: lastCheckpoint)
      }
      steps += 1
      try observe(.step(report))
      var due = output.checkpointEverySteps.map { report.step % $0 == 0 } ?? false
      if let record = report.completedEpoch {
        try observe(.epochCompleted(record))
        due = due || record.epoch % output.checkpointEvery == 0 || session.isComplete
        let loss = record.validationLoss ?? record.trainLoss
        if output.saveBest && loss < bestLoss {
          bestLoss = loss
          try session.checkpoint().write(to: Self.bestURL(for: destination), options: options)
          try observe(.checkpointWritten(Self.bestURL(for: destination), best: true))
        }
      }
      // A stop request or a cancelled task stops after the step, with a checkpoint.
      if let reason: TrainingOutcome.Reason =
        stop?.isStopRequested == true ? .stopRequested : Task.isCancelled ? .cancelled : nil
      {
        try write(session, to: destination)
        lastCheckpoint = plan.checkpointPath
        try observe(.checkpointWritten(destination, best: false))
        return outcome(reason, steps: steps)
      }
      if let limit = output.stopAfterSteps, steps >= limit, !session.isComplete {
        try write(session, to: destination)
        lastCheckpoint = plan.checkpointPath
        try observe(.checkpointWritten(destination, best: false))
        return outcome(.stepLimit, steps: steps)
      }
      if due || stop?.takeCheckpointRequest() == true {
        try write(session, to: destination)
        lastCheckpoint = plan.checkpointPath
        try observe(.checkpointWritten(destination, best: false))
      }
    }
    return outcome(.completed, steps: steps)
  }

  private var options: FileWriteOptions { FileWriteOptions(inputs: inputs) }

  /// Writes a checkpoint, first moving older ones aside when more than one is kept.
  func write(_ session: TrainingSession, to destination: URL) throws {
    if output.keep > 1 { CheckpointRotation(destination: destination.relativePath, keep: output.keep).rotate() }
    try session.checkpoint().write(to: destination, options: options)
  }

  static func bestURL(for destination: URL) -> URL {
    destination.deletingPathExtension().appendingPathExtension("best").appendingPathExtension(
      destination.pathExtension)
  }
}
