import ArgumentParser
import BPKit
import Foundation

/// Drives a training session: reports progress, writes checkpoints on
/// schedule and on a stop request, and keeps the best and the most recent ones.
struct TrainingLoop {
  let plan: TrainingPlan
  let output: TrainOutputOptions
  let stop: StopRequest

  func run() throws {
    let session = try TrainingSession(
      checkpoint: plan.checkpoint, training: plan.training, validation: plan.validation)
    if let rate = plan.learningRate { session.setLearningRate(rate) }
    for note in plan.notes { session.addNote(note) }
    let reporter = try ProgressReporter(
      totalEpochs: session.configuration.epochs, quiet: output.quiet, logPath: output.logJson)
    defer { reporter.finish() }
    let destination = URL(fileURLWithPath: plan.checkpointPath)
    var bestLoss = plan.checkpoint.progress.history.map { $0.validationLoss ?? $0.trainLoss }.min() ?? .infinity
    if session.isComplete {
      reporter.message(
        "the run has already trained \(session.progress.epoch) of \(session.configuration.epochs) epochs; "
          + "give --epochs N to train longer")
      return
    }
    reporter.message(
      "training \(plan.training.sampleCount) samples"
        + (plan.validation.map { ", validating on \($0.sampleCount)" } ?? "")
        + "; checkpoint: \(plan.checkpointPath)")
    var steps = 0
    while !session.isComplete {
      let report = try session.step()
      steps += 1
      reporter.stepped(report)
      var due = output.checkpointEverySteps.map { report.step % $0 == 0 } ?? false
      if let record = report.completedEpoch {
        try reporter.epochCompleted(record)
        due = due || record.epoch % output.checkpointEvery == 0 || session.isComplete
        let loss = record.validationLoss ?? record.trainLoss
        if output.saveBest && loss < bestLoss {
          bestLoss = loss
          try session.checkpoint().write(to: Self.bestURL(for: destination))
        }
      }
      if let signal = stop.signal {
        try write(session, to: destination)
        reporter.notice(
          "stopped by \(signal == SIGINT ? "Ctrl-C" : "SIGTERM") at epoch \(session.progress.epoch + 1), step "
            + "\(session.progress.stepInEpoch); checkpoint written to \(plan.checkpointPath)\n"
            + "resume with: \(plan.resumeCommand)")
        throw ExitCode(stop.exitCode)
      }
      if let limit = output.stopAfterSteps, steps >= limit, !session.isComplete {
        try write(session, to: destination)
        reporter.message(
          "stopped after \(steps) steps at epoch \(session.progress.epoch + 1), step \(session.progress.stepInEpoch); "
            + "checkpoint written to \(plan.checkpointPath)\nresume with: \(plan.resumeCommand)")
        return
      }
      if due { try write(session, to: destination) }
    }
    if let last = session.progress.history.last {
      reporter.message(
        String(
          format: "done: %d epochs in %.2f s of training; final loss %.4f", session.progress.epoch,
          session.progress.elapsedSeconds, last.trainLoss)
          + (last.validationAccuracy.map { String(format: ", validation accuracy %.2f%%", $0 * 100) } ?? ""))
    }
  }

  /// Writes a checkpoint, first moving older ones aside when more than one is kept.
  private func write(_ session: TrainingSession, to destination: URL) throws {
    if output.keep > 1 { Self.rotate(destination, keep: output.keep) }
    try session.checkpoint().write(to: destination)
  }

  /// NAME.h5 → NAME.1.h5 → NAME.2.h5 …, dropping the oldest beyond `keep`.
  static func rotate(_ destination: URL, keep: Int) {
    let manager = FileManager.default
    guard manager.fileExists(atPath: destination.path) else { return }
    func numbered(_ index: Int) -> URL {
      destination.deletingPathExtension().appendingPathExtension("\(index)").appendingPathExtension(
        destination.pathExtension)
    }
    try? manager.removeItem(at: numbered(keep - 1))
    for index in stride(from: keep - 2, through: 1, by: -1) where manager.fileExists(atPath: numbered(index).path) {
      try? manager.moveItem(at: numbered(index), to: numbered(index + 1))
    }
    // A hard link keeps the current checkpoint under its old name at no cost;
    // the next write then renames a new file over the destination.
    try? manager.linkItem(at: destination, to: numbered(1))
  }

  static func bestURL(for destination: URL) -> URL {
    destination.deletingPathExtension().appendingPathExtension("best").appendingPathExtension(
      destination.pathExtension)
  }
}
