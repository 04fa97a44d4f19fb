import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Early stopping and reduce-on-plateau: Keras 3's rules epoch by epoch, the
/// settings and watches through both file formats, and runs stopped mid-epoch
/// that resume to the bits of the uninterrupted run.
@Suite struct EarlyStoppingTests {
  static let digits = Fixtures.path("datasets/digits.h5")

  static func record(_ epoch: Int, loss: Double, validation: Double? = nil, rate: Double = 0.1) -> EpochRecord {
    EpochRecord(epoch: epoch, trainLoss: loss, validationLoss: validation, learningRate: rate, seconds: 0)
  }

  /// Keras' EarlyStopping(monitor="loss", patience=2, min_delta=0.1): an improvement beats the best by more than
  /// 0.1; the third epoch without one (never the first epoch) stops the run.
  @Test func earlyStoppingFollowsKerasEpochByEpoch() {
    let policy = EarlyStopping(monitor: .loss, patience: 2, minDelta: 0.1)
    var state = EarlyStopping.State()
    var stops: [Bool] = []
    for (epoch, loss) in [1.0, 0.95, 0.85, 0.9, 0.8].enumerated() {
      stops.append(policy.update(&state, after: Self.record(epoch + 1, loss: loss), weights: { [:] }))
    }
    #expect(stops == [false, false, false, false, true])
    #expect(state.best == 0.85)
    #expect(state.bestEpoch == 3)
    #expect(state.stoppedEpoch == 5)
    #expect(state.bestWeights == nil)
  }

  @Test func earlyStoppingWaitsForItsFirstEpochAndWatchesAccuracyUpward() {
    let policy = EarlyStopping(monitor: .accuracy, patience: 0, startFromEpoch: 2)
    var state = EarlyStopping.State()
    func accuracy(_ epoch: Int, _ value: Double) -> EpochRecord {
      EpochRecord(epoch: epoch, trainLoss: 1, trainAccuracy: value, learningRate: 0.1, seconds: 0)
    }
    // Epochs 1 and 2 (0 and 1 from 0) are before start_from_epoch; 3 sets the best; 4 is worse and stops.
    #expect(!policy.update(&state, after: accuracy(1, 0.9), weights: { [:] }))
    #expect(!policy.update(&state, after: accuracy(2, 0.1), weights: { [:] }))
    #expect(state.best == nil)
    #expect(!policy.update(&state, after: accuracy(3, 0.5), weights: { [:] }))
    #expect(!policy.update(&state, after: accuracy(4, 0.6), weights: { [:] }))
    #expect(policy.update(&state, after: accuracy(5, 0.6), weights: { [:] }))
    #expect(state.best == 0.6)
  }

  /// Keras' ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=0.02, cooldown=1, min_lr=0.05) on
  /// the losses of Fixtures/keras-callbacks/plateau_loss: Keras reduced after epochs 4, 6 and 8.
  @Test func reduceOnPlateauFollowsKerasEpochByEpoch() {
    let policy = ReduceLearningRateOnPlateau(
      monitor: .loss, factor: 0.5, patience: 1, minDelta: 0.02, cooldown: 1, minimumLearningRate: 0.05)
    var state = ReduceLearningRateOnPlateau.State()
    var rate = 0.3
    var rates: [Double] = []
    for (epoch, loss) in [1.28477, 1.12262, 1.07398, 1.05609, 1.01794, 1.01363, 0.99604, 0.99422].enumerated() {
      rates.append(rate)
      if let reduced = policy.update(&state, after: Self.record(epoch + 1, loss: loss), learningRate: rate) {
        rate = reduced
      }
    }
    #expect(rates.map { Float($0) } == [0.3, 0.3, 0.3, 0.3, 0.15, 0.15, 0.075, 0.075])
    #expect(Float(rate) == 0.05)
    // At min_lr, Keras no longer reduces.
    #expect(policy.update(&state, after: Self.record(9, loss: 2), learningRate: rate) == nil)
  }

  @Test func theSpecificationsTakeKerasNamesAndDefaults() throws {
    #expect(
      try EarlyStopping(specification: "patience=3,restore_best_weights")
        == EarlyStopping(patience: 3, restoreBestWeights: true))
    #expect(
      try ReduceLearningRateOnPlateau(specification: "monitor=loss,factor=0.5")
        == ReduceLearningRateOnPlateau(monitor: .loss, factor: 0.5, patience: 10, minDelta: 1e-4))
    let policy = try EarlyStopping(specification: "monitor=val_accuracy,patience=2,min_delta=0.01,start_from_epoch=1")
    #expect(try EarlyStopping(specification: policy.summary) == policy)
    let plateau = try ReduceLearningRateOnPlateau(specification: "factor=0.2,patience=2,cooldown=1,min_lr=0.001")
    #expect(try ReduceLearningRateOnPlateau(specification: plateau.summary) == plateau)
  }

  @Test(arguments: [
    ("patience=-1", "--early-stopping patience must be a whole number >= 0, not -1"),
    (
      "baseline=1",
      "--early-stopping has no setting baseline; its settings are monitor, patience, min_delta, restore_best_weights, start_from_epoch"
    ),
    ("monitor=val_mae", "--early-stopping monitor must be one of loss, val_loss, accuracy, val_accuracy, not val_mae"),
    ("restore_best_weights=maybe", "--early-stopping restore_best_weights must be true or false, not maybe"),
  ])
  func aBadEarlyStoppingSettingIsRefusedByName(specification: String, message: String) {
    expectReason(TrainingError.invalidSetting(message)) { try EarlyStopping(specification: specification) }
  }

  @Test func aBadPlateauFactorIsRefusedByName() {
    expectReason(TrainingError.invalidSetting("--reduce-lr-on-plateau factor must be in (0, 1), not 1.5")) {
      try ReduceLearningRateOnPlateau(specification: "factor=1.5")
    }
  }

  /// A run that reduces its rate at the end of every epoch but the first (no loss
  /// falls by 5) and stops at epoch 3, restoring epoch 1's weights.
  static func options(folder: TemporaryDirectory, name: String, stop: Int? = nil) -> TrainingOptions {
    TrainingOptions(
      start: .init(layers: "64,16:tanh,10:softmax"), data: .init(data: digits, validationSplit: 0.2),
      schedule: .init(
        epochs: 6, batchSize: 100, optimizer: .adam, learningRate: 0.01, seed: 5,
        earlyStopping: EarlyStopping(monitor: .validationLoss, patience: 2, minDelta: 5, restoreBestWeights: true),
        reduceLearningRateOnPlateau: ReduceLearningRateOnPlateau(monitor: .loss, factor: 0.5, patience: 0, minDelta: 5)
      ),
      output: .init(checkpoint: folder.path(name), stopAfterSteps: stop))
  }

  @Test func aRunReducesItsRateStopsEarlyAndRestoresTheBestWeights() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-early")
    let outcome = try TrainingRun(Self.options(folder: folder, name: "run.h5")).run()
    #expect(outcome.reason == .completed)
    let checkpoint = try CheckpointComparison.load(folder.path("run.h5"))
    let history = checkpoint.progress.history
    #expect(history.count == 3)
    #expect(history.map { Float($0.learningRate) } == [0.01, 0.01, 0.005])
    #expect(checkpoint.progress.earlyStopping.stoppedEpoch == 3)
    #expect(checkpoint.progress.earlyStopping.bestEpoch == 1)
    let best = try #require(checkpoint.progress.earlyStopping.bestWeights)
    #expect(checkpoint.model.parameters == best)
    #expect(history[2].notes.contains { $0.hasPrefix("stopped early") })
    // A stopped run is complete: resuming it trains nothing.
    let again = try TrainingRun(TrainingOptions(start: .init(resume: folder.path("run.h5")))).run()
    #expect(again.reason == .alreadyComplete)
  }

  @Test(arguments: [4, 14, 15, 29, 31])
  func aStoppedRunResumesToTheBitsOfTheWholeRun(stop: Int) throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-early")
    _ = try TrainingRun(Self.options(folder: folder, name: "whole.h5")).run()
    #expect(try TrainingRun(Self.options(folder: folder, name: "parts.h5", stop: stop)).run().reason == .stepLimit)
    #expect(try TrainingRun(TrainingOptions(start: .init(resume: folder.path("parts.h5")))).run().reason == .completed)
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    let parts = try CheckpointComparison.load(folder.path("parts.h5"))
    #expect(CheckpointComparison.differences(whole, parts) == [])
    #expect(whole.progress.earlyStopping == parts.progress.earlyStopping)
    #expect(whole.progress.plateau == parts.progress.plateau)
    #expect(whole.optimizer.configuration == parts.optimizer.configuration)
  }

  @Test func theSettingsAndWatchesSurviveTheJSONCheckpoint() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-early")
    _ = try TrainingRun(Self.options(folder: folder, name: "run.h5", stop: 20)).run()
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.h5"))
    #expect(checkpoint.progress.earlyStopping.bestWeights != nil)
    #expect(checkpoint.progress.plateau.best != nil)
    let document = try checkpoint.jsonData()
    JSONOutputs.keep(document, kind: "checkpoint", name: "early-stopping-and-plateau.json")
    let back = try Checkpoint(jsonData: document)
    #expect(back.configuration == checkpoint.configuration)
    #expect(back.progress.earlyStopping == checkpoint.progress.earlyStopping)
    #expect(back.progress.plateau == checkpoint.progress.plateau)
  }

  @Test func aResumeRefusesChangedSettings() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-early")
    _ = try TrainingRun(Self.options(folder: folder, name: "run.h5", stop: 3)).run()
    var resume = TrainingOptions(start: .init(resume: folder.path("run.h5")))
    resume.schedule.earlyStopping = EarlyStopping(patience: 5)
    expectReason(
      TrainingError.invalidSetting(
        "the run's early-stopping is fixed when it starts and kept in its checkpoint; it cannot change on resume. "
          + "Drop --early-stopping")
    ) { try TrainingRun(resume) }
  }

  @Test func aValidationFigureWithoutValidationDataIsRefused() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-early")
    var options = Self.options(folder: folder, name: "run.h5")
    options.data.validationSplit = nil
    options.schedule.reduceLearningRateOnPlateau = nil
    expectReason(
      TrainingError.invalidSetting(
        "--early-stopping watches val_loss, but the run has no validation data; give --validation-split or "
          + "--validation, or watch monitor=loss")
    ) { try TrainingRun(options) }
  }

  @Test func reduceOnPlateauBesideAScheduleIsRefused() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-early")
    var options = Self.options(folder: folder, name: "run.h5")
    options.schedule.learningRateSchedule = "exponential_decay:decay_steps=7,decay_rate=0.6"
    expectReason(TrainingError.self) { try TrainingRun(options) }
    #expect(!FileManager.default.fileExists(atPath: folder.path("run.h5")))
  }
}
