import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Runs with each of Keras' optimizer settings, stopped mid-epoch and
/// resumed, end bitwise where the uninterrupted run ends: the checkpoint
/// carries every setting and slot (Nadam's momentum product is recomputed
/// from the step count).
@Suite struct OptimizerSettingsResumeTests {
  static let digits = Fixtures.path("datasets/digits.h5")

  /// Every new optimizer and setting, several at once where Keras allows it.
  static let schedules: [(String, TrainingOptions.Schedule)] = [
    ("adagrad clipvalue", .init(optimizer: .adagrad, learningRate: 0.05, clipValue: 0.01)),
    ("nadam clipnorm decay", .init(optimizer: .nadam, weightDecay: 0.01, clipNorm: 0.5)),
    ("adamw amsgrad global", .init(optimizer: .adamw, amsgrad: true, globalClipNorm: 0.5)),
    ("rmsprop centred momentum", .init(optimizer: .rmsprop, momentum: 0.5, centered: true, clipNorm: 1)),
    ("sgd momentum decay", .init(optimizer: .momentum, learningRate: 0.05, weightDecay: 0.02)),
    (
      "sgd exponential decay staircase",
      .init(
        optimizer: .momentum, learningRate: 0.2,
        learningRateSchedule: "exponential_decay:decay_steps=7,decay_rate=0.6,staircase")
    ),
    (
      "adamw cosine warmup clipnorm",
      .init(
        optimizer: .adamw, clipNorm: 1,
        learningRateSchedule:
          "cosine_decay:initial_learning_rate=0.0001,decay_steps=20,alpha=0.1,warmup_target=0.01,warmup_steps=8")
    ),
    (
      "rmsprop piecewise",
      .init(
        optimizer: .rmsprop, learningRateSchedule: "piecewise_constant_decay:boundaries=9/21,values=0.01/0.003/0.001")
    ),
    (
      "adagrad polynomial cycle",
      .init(
        optimizer: .adagrad,
        learningRateSchedule: "polynomial_decay:initial_learning_rate=0.1,decay_steps=4,power=0.5,cycle")
    ),
    (
      "nadam inverse time",
      .init(
        optimizer: .nadam,
        learningRateSchedule: "inverse_time_decay:initial_learning_rate=0.01,decay_steps=3,decay_rate=0.4")
    ),
  ]

  func options(_ schedule: TrainingOptions.Schedule, folder: TemporaryDirectory, name: String, stop: Int? = nil)
    -> TrainingOptions
  {
    var schedule = schedule
    schedule.epochs = 2
    schedule.batchSize = 100
    schedule.seed = 3
    return TrainingOptions(
      start: .init(layers: "64,16:tanh,10:softmax"), data: .init(data: Self.digits), schedule: schedule,
      output: .init(checkpoint: folder.path(name), stopAfterSteps: stop))
  }

  @Test(arguments: schedules)
  func aStoppedRunResumesToTheSameWeightsAndSlots(setting: (String, TrainingOptions.Schedule)) throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-settings")
    #expect(try TrainingRun(options(setting.1, folder: folder, name: "whole.h5")).run().reason == .completed)
    let first = try TrainingRun(options(setting.1, folder: folder, name: "parts.h5", stop: 11)).run()
    #expect(first.reason == .stepLimit)
    let rest = try TrainingRun(TrainingOptions(start: .init(resume: folder.path("parts.h5")))).run()
    #expect(rest.reason == .completed)
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    let parts = try CheckpointComparison.load(folder.path("parts.h5"))
    #expect(CheckpointComparison.differences(whole, parts) == [], "\(setting.0)")
    #expect(whole.optimizer.configuration == parts.optimizer.configuration)
    #expect(whole.optimizer.iterations == 30)
  }

  @Test func theSettingsSurviveTheJSONCheckpoint() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-settings")
    for (name, schedule) in Self.schedules {
      _ = try TrainingRun(options(schedule, folder: folder, name: "run.h5", stop: 3)).run()
      let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.h5"))
      let back = try Checkpoint(jsonData: try checkpoint.jsonData())
      #expect(back.optimizer == checkpoint.optimizer, "\(name)")
      try FileManager.default.removeItem(atPath: folder.path("run.h5"))
    }
  }

  @Test func aResumeRefusesAChangedSetting() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-settings")
    _ = try TrainingRun(options(Self.schedules[1].1, folder: folder, name: "run.h5", stop: 3)).run()
    var resume = TrainingOptions(start: .init(resume: folder.path("run.h5")))
    resume.schedule.clipNorm = 2
    expectReason(TrainingError.invalidSetting("the optimizer's clipnorm cannot change on resume")) {
      try TrainingRun(resume)
    }
  }

  @Test func aResumeRefusesAnotherScheduleOrARateBesideOne() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-settings")
    _ = try TrainingRun(options(Self.schedules[5].1, folder: folder, name: "run.h5", stop: 3)).run()
    var resume = TrainingOptions(start: .init(resume: folder.path("run.h5")))
    resume.schedule.learningRate = 0.1
    expectReason(
      TrainingError.invalidSetting(
        "the run's learning rate follows the schedule exponential_decay:initial_learning_rate=0.2,decay_steps=7,"
          + "decay_rate=0.6,staircase=true; --lr cannot change it on resume. Drop --lr")
    ) {
      try TrainingRun(resume)
    }
    resume.schedule.learningRate = nil
    resume.schedule.learningRateSchedule = "exponential_decay:decay_steps=7,decay_rate=0.5,staircase"
    expectReason(TrainingError.self) { try TrainingRun(resume) }
    // The same schedule again changes nothing and is accepted.
    resume.schedule.learningRateSchedule = "exponential_decay:decay_steps=7,decay_rate=0.6,staircase"
    #expect(try TrainingRun(resume).run().reason == .completed)
  }

  @Test func theHistoryRecordsTheRateOfEachEpochsLastUpdate() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-settings")
    var run = options(Self.schedules[5].1, folder: folder, name: "run.h5")
    run.schedule.epochs = 3
    _ = try TrainingRun(run).run()
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.h5"))
    let configuration = checkpoint.optimizer.configuration
    // 15 updates an epoch (1,437 samples in batches of 100): the last ones are updates 14, 29 and 44.
    #expect(
      checkpoint.progress.history.map(\.learningRate)
        == [14, 29, 44].map {
          configuration.learningRate(afterIterations: Int64($0))
        })
    let expected = [0.2 * 0.36, 0.2 * pow(0.6, 4), 0.2 * pow(0.6, 6)]
    for (recorded, rate) in zip(checkpoint.progress.history.map(\.learningRate), expected) {
      #expect(abs(recorded - rate) <= 1e-15)
    }
  }

  @Test func twoClippingSettingsAreRefused() throws {
    var options = TrainingOptions(start: .init(layers: "4,2"), data: .init(data: "x.csv"))
    options.schedule.clipNorm = 1
    options.schedule.clipValue = 1
    expectReason(
      TrainingError.invalidSetting(
        "give only one of clipnorm, clipvalue and global clipnorm, as Keras allows one")
    ) {
      try options.validate()
    }
  }

  @Test func aSettingTheOptimizerLacksIsRefused() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-settings")
    var options = options(.init(optimizer: .sgd, amsgrad: true), folder: folder, name: "run.h5")
    expectReason(
      TrainingError.invalidSetting(
        "--amsgrad is a setting of adam and adamw; sgd has none. Drop --amsgrad, or choose one of them with --optimizer"
      )
    ) {
      try TrainingRun(options)
    }
    options.schedule = .init(optimizer: .rprop, clipNorm: 1)
    expectReason(TrainingError.self) { try TrainingRun(options) }
    #expect(!FileManager.default.fileExists(atPath: folder.path("run.h5")))
  }
}
