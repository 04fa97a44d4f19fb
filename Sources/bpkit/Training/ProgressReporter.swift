import BPKit
import Foundation

/// Shows training progress: a live line on a terminal, one plain line per
/// epoch otherwise, nothing with `--quiet`; and one JSON object per epoch in
/// a log file with `--log-json`, with the run's id and seed.
///
/// When standard output is a pipe whose reader has gone (`bpkit train | head`),
/// it prints nothing more there and calls `outputClosed` once, so that the
/// run stops as on Ctrl-C.
final class ProgressReporter {
  private let live: Bool
  private let quiet: Bool
  private let totalEpochs: Int
  /// What every log line carries besides the epoch's record.
  private let runID: UUID
  private let seed: UInt64
  private let outputClosed: () -> Void
  /// Whether standard output has failed (a closed pipe): nothing more goes there.
  private(set) var isOutputClosed = false
  private var log: OutputFile?
  private var lastDraw = Date.distantPast
  private var epochStart = Date()
  private var samplesSinceStart = 0

  /// - Parameter inputs: Files the log must never be written into: the
  ///   run's data and checkpoint.
  init(
    totalEpochs: Int, quiet: Bool, logPath: String?, inputs: [String], runID: UUID, seed: UInt64,
    outputClosed: @escaping () -> Void = {}
  ) throws {
    self.quiet = quiet
    self.totalEpochs = totalEpochs
    self.runID = runID
    self.seed = seed
    self.outputClosed = outputClosed
    live = !quiet && isatty(STDOUT_FILENO) == 1
    log = try logPath.map { try OutputFile(appendingTo: $0, options: FileWriteOptions(inputs: inputs)) }
  }

  /// Prints a message line (above the live line on a terminal).
  func message(_ text: String) {
    guard !quiet else { return }
    write(live ? "\r\u{1B}[K" + text + "\n" : text + "\n")
  }

  /// Writes to standard output, noticing once when it has failed.
  private func write(_ text: String) {
    guard !isOutputClosed else { return }
    do {
      try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
    } catch {
      isOutputClosed = true
      outputClosed()
    }
  }

  /// Prints a message that matters even with `--quiet` (how to resume a
  /// stopped run): on standard output, or on standard error when quiet.
  func notice(_ text: String) {
    if quiet || isOutputClosed {
      FileHandle.standardError.write(Data((text + "\n").utf8))
    } else {
      message(text)
    }
  }

  /// Shows one event of the run.
  func report(_ event: TrainingEvent, checkpointPath: String) throws {
    switch event {
    case .started(let trainingSamples, let validationSamples, _):
      message(
        "training \(trainingSamples) samples" + (validationSamples.map { ", validating on \($0)" } ?? "")
          + "; checkpoint: \(checkpointPath)")
    case .step(let report): stepped(report)
    case .epochCompleted(let record): try epochCompleted(record)
    case .checkpointWritten, .finished: break
    }
  }

  func stepped(_ report: TrainingSession.StepReport) {
    if report.step == 1 {
      epochStart = Date()
      samplesSinceStart = 0
    }
    samplesSinceStart += report.samples
    guard live, report.completedEpoch == nil, Date().timeIntervalSince(lastDraw) > 0.1 else { return }
    lastDraw = Date()
    let elapsed = Date().timeIntervalSince(epochStart)
    let rate = elapsed > 0 ? Double(samplesSinceStart) / elapsed : 0
    let remaining =
      rate > 0
      ? Double(report.epochSamples - report.samplesDone + (totalEpochs - report.epoch - 1) * report.epochSamples) / rate
      : 0
    var line = "epoch \(report.epoch + 1)/\(totalEpochs)  step \(report.step)  loss \(Self.number(report.epochLoss))"
    if let accuracy = report.epochAccuracy { line += "  acc \(Self.percent(accuracy))" }
    line += "  \(Int(rate)) samples/s  ETA \(Self.duration(remaining))"
    write("\r\u{1B}[K" + line)
  }

  func epochCompleted(_ record: EpochRecord) throws {
    var line = "epoch \(record.epoch)/\(totalEpochs): loss \(Self.number(record.trainLoss))"
    if let accuracy = record.trainAccuracy { line += " acc \(Self.percent(accuracy))" }
    if let loss = record.validationLoss { line += "  val_loss \(Self.number(loss))" }
    if let accuracy = record.validationAccuracy { line += " val_acc \(Self.percent(accuracy))" }
    line += String(format: "  (%.2f s)", record.seconds)
    message(line)
    try log?.write(record.jsonLogLine(runID: runID, seed: seed))
  }

  /// Syncs and closes the log; later calls do nothing.
  func finish() throws {
    let log = self.log
    self.log = nil
    try log?.commit()
  }

  static func number(_ value: Double) -> String { String(format: "%.4f", value) }
  static func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
  static func duration(_ seconds: Double) -> String {
    let total = Int(seconds.rounded())
    return total >= 3600
      ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
      : String(format: "%d:%02d", total / 60, total % 60)
  }
}
