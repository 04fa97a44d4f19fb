import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Training runs started, stopped, cancelled and resumed through the library
/// alone, as an app does: every interrupted run, resumed, ends with bitwise
/// the weights, optimizer slots and history of an uninterrupted one.
@Suite struct TrainingRunTests {
  static let digits = Fixtures.path("datasets/digits.h5")
  let folder: TemporaryDirectory

  init() throws {
    folder = try TemporaryDirectory(prefix: "bpkit-run")
  }

  /// 1437 digits in batches of 100: 15 steps an epoch, 30 in two epochs.
  func options(checkpoint name: String, stopAfterSteps: Int? = nil) -> TrainingOptions {
    TrainingOptions(
      start: .init(layers: "64,16:tanh,10:softmax"),
      data: .init(data: Self.digits, validation: Self.digits),
      schedule: .init(epochs: 2, batchSize: 100, seed: 7),
      output: .init(checkpoint: folder.path(name), stopAfterSteps: stopAfterSteps))
  }

  func resumeOptions(checkpoint name: String) -> TrainingOptions {
    TrainingOptions(start: .init(resume: folder.path(name)))
  }

  func uninterrupted() throws -> Checkpoint {
    let outcome = try TrainingRun(options(checkpoint: "whole.h5")).run()
    #expect(outcome.reason == .completed)
    #expect(outcome.progress.epoch == 2)
    return try CheckpointComparison.load(folder.path("whole.h5"))
  }

  @Test func aRunStoppedMidEpochResumesToTheSameWeights() throws {
    let whole = try uninterrupted()
    let first = try TrainingRun(options(checkpoint: "parts.h5", stopAfterSteps: 7)).run()
    #expect(first.reason == .stepLimit)
    #expect(first.progress.epoch == 0 && first.progress.stepInEpoch == 7)
    let stopped = try CheckpointComparison.load(folder.path("parts.h5"))
    #expect(stopped.progress.cursor == 700)

    let rest = try TrainingRun(resumeOptions(checkpoint: "parts.h5")).run()
    #expect(rest.reason == .completed)
    #expect(rest.steps == 30 - 7)
    #expect(CheckpointComparison.differences(whole, try CheckpointComparison.load(folder.path("parts.h5"))) == [])
  }

  @Test func aCancelledTaskWritesACheckpointThatResumesToTheSameWeights() async throws {
    let whole = try uninterrupted()
    let options = options(checkpoint: "cancelled.h5")
    let outcome = try await Task.detached {
      try TrainingRun(options).run { event in
        // The task cancels itself after the 19th step, in the second epoch.
        if case .step(let report) = event, report.epoch == 1, report.step == 4 {
          withUnsafeCurrentTask { $0?.cancel() }
        }
      }
    }.value
    #expect(outcome.reason == .cancelled)
    #expect(outcome.progress.epoch == 1 && outcome.progress.stepInEpoch == 4)

    let rest = try TrainingRun(resumeOptions(checkpoint: "cancelled.h5")).run()
    #expect(rest.steps == 11)
    #expect(CheckpointComparison.differences(whole, try CheckpointComparison.load(folder.path("cancelled.h5"))) == [])
  }

  @Test func aStopRequestStopsAfterTheCurrentStepWithACheckpointThatResumes() throws {
    let whole = try uninterrupted()
    let control = TrainingControl()
    let outcome = try TrainingRun(options(checkpoint: "stopped.h5")).run(control: control) { event in
      if case .step(let report) = event, report.epoch == 0, report.step == 9 { control.requestStop() }
    }
    #expect(outcome.reason == .stopRequested)
    #expect(outcome.steps == 9)
    let rest = try TrainingRun(resumeOptions(checkpoint: "stopped.h5")).run()
    #expect(rest.steps == 21)
    #expect(CheckpointComparison.differences(whole, try CheckpointComparison.load(folder.path("stopped.h5"))) == [])
  }

  @Test func theEventsOfARunArriveInOrderAndEndWithItsOutcome() async throws {
    let whole = try uninterrupted()
    // Asked to stop before it starts, the run trains one step and writes its checkpoint.
    let control = TrainingControl()
    control.requestStop()
    var events: [String] = []
    for try await event in TrainingRun.events(options(checkpoint: "events.h5"), control: control) {
      switch event {
      case .started(let training, let validation, let checkpoint):
        #expect(training == 1437 && validation == 360 && checkpoint.path == folder.path("events.h5"))
        events.append("started")
      case .step(let report): events.append("step \(report.epoch).\(report.step)")
      case .epochCompleted(let record): events.append("epoch \(record.epoch)")
      case .checkpointWritten(let url, let best):
        events.append("\(best ? "best" : "checkpoint") \(url.lastPathComponent)")
      case .finished(let outcome): events.append("finished \(outcome.reason) after \(outcome.steps)")
      }
    }
    #expect(events == ["started", "step 0.1", "checkpoint events.h5", "finished stopRequested after 1"])

    var resumed: [TrainingEvent] = []
    for try await event in TrainingRun.events(resumeOptions(checkpoint: "events.h5")) { resumed.append(event) }
    if case .finished(let outcome) = resumed.last {
      #expect(outcome.reason == .completed && outcome.steps == 29)
    } else {
      Issue.record("the events end with \(String(describing: resumed.last))")
    }
    #expect(resumed.filter { if case .epochCompleted = $0 { true } else { false } }.count == 2)
    #expect(CheckpointComparison.differences(whole, try CheckpointComparison.load(folder.path("events.h5"))) == [])
  }

  @Test func theEventsOfARunThatCannotStartEndWithItsError() async throws {
    var options = options(checkpoint: "never.h5")
    options.data.data = folder.path("missing.csv")
    await expectReason(DataError.self) {
      for try await _ in TrainingRun.events(options) {}
    }
    #expect(!FileManager.default.fileExists(atPath: folder.path("never.h5")))
  }

  @Test func aCheckpointRequestWritesOneAfterTheCurrentStep() throws {
    let control = TrainingControl()
    var written: [Int] = []
    var step = 0
    try TrainingRun(options(checkpoint: "requested.h5")).run(control: control) { event in
      switch event {
      case .step:
        step += 1
        if step == 5 { control.requestCheckpoint() }
      case .checkpointWritten: written.append(step)
      default: break
      }
    }
    // Once on request, then at the end of each epoch. Checkpoints are written
    // while training goes on, so each is reported once it is on disk: after
    // the step it was asked for, and the last one before the run returns.
    #expect(written.count == 3)
    if written.count == 3 {
      #expect(written[0] >= 5 && written[0] <= written[1] && written[1] >= 15 && written[2] == 30)
    }
  }

  @Test func aCheckpointThatCannotBeWrittenEndsTheRunWithTheWritersError() throws {
    let place = folder.path("gone")
    try FileManager.default.createDirectory(atPath: place, withIntermediateDirectories: false)
    var options = options(checkpoint: "gone/run.h5")
    options.output.checkpointEverySteps = 2
    var steps = 0
    // The folder goes away while the run trains: a write fails on the
    // writer's thread (creating its file, or sealing it when the folder went
    // during the write), and the run ends with that error, naming the file.
    // Which layer notices first (bpkit's writer, or libhdf5 creating the
    // file) depends on when the folder goes, so any reason is accepted.
    #expect {
      try TrainingRun(options).run { event in
        guard case .step = event else { return }
        steps += 1
        if steps == 3 { try FileManager.default.removeItem(atPath: place) }
      }
    } throws: { error in
      error is BPKitError && "\(error)".contains("/gone/")
    }
    #expect(steps < 30, "the run went on after its checkpoint failed")
  }

  @Test func aCompleteRunTrainsNothingMore() throws {
    _ = try uninterrupted()
    let outcome = try TrainingRun(resumeOptions(checkpoint: "whole.h5")).run()
    #expect(outcome.reason == .alreadyComplete)
    #expect(outcome.steps == 0)
  }

  @Test func aResumeRefusesADifferentLoss() throws {
    _ = try uninterrupted()
    var options = resumeOptions(checkpoint: "whole.h5")
    options.schedule.loss = .meanSquaredError
    expectReason(TrainingError.invalidSetting("the run trains with cross_entropy; the loss cannot change on resume")) {
      try TrainingRun(options)
    }
  }

  @Test func optionsThatDescribeNoRunAreRefused() throws {
    expectReason(TrainingError.invalidSetting("give exactly one of layers, model or resume to start from")) {
      try TrainingOptions(start: .init()).validate()
    }
    var options = options(checkpoint: "never.h5")
    options.schedule.epochs = 0
    expectReason(TrainingError.invalidSetting("the epochs must be at least 1")) { try TrainingRun(options) }
    options.schedule.epochs = Int(Int32.max) + 1
    expectReason(TrainingError.invalidSetting("the epochs must be at most 2147483647")) { try TrainingRun(options) }
    options.schedule.epochs = 1
    options.schedule.batchSize = (1 << 24) + 1
    expectReason(TrainingError.invalidSetting("the batch size must be at most 16777216")) {
      try TrainingRun(options)
    }
    #expect(!FileManager.default.fileExists(atPath: folder.path("never.h5")))
  }
}
