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
