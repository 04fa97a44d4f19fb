import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Every training setting together: dropout, L1 and L2 regularizers, a
/// learning-rate schedule or reduce-on-plateau, early stopping with the best
/// weights restored, gradient clipping, class weights and weight decay on a
/// seeded validation split. Keras refuses a schedule beside reduce-on-plateau
/// (and so does bpkit), so there are two runs, one with each. A run stopped
/// and resumed at several points, one stop after another, ends with the
/// uninterrupted run's bits (`Tests/ReliabilityTests/KilledTrainingTests.swift`
/// SIGKILLs the same runs).
@Suite struct CombinedSettingsResumeTests {
  static let variants = ["schedule", "plateau"]

  /// The run of `variant` writing `checkpoint`.
  static func arguments(_ variant: String, checkpoint: String) -> [String] {
    [
      "train", "--layers", "4,16:relu:l2=0.001,dropout0.25,8:tanh:l1=0.0005,3:softmax", "--data",
      Fixtures.path("datasets/iris.csv"),
      "--target", "species", "--validation-split", "0.2", "--split-seed", "3", "--optimizer", "adamw", "--lr", "0.02",
      "--weight-decay", "0.01", "--clipnorm", "0.5", "--class-weight", "auto", "--early-stopping",
      "patience=2,min_delta=0.02,restore_best_weights", "--batch-size", "10", "--epochs", "10", "--seed", "7",
      "--checkpoint", checkpoint, "--quiet",
    ]
      + (variant == "schedule"
        ? ["--lr-schedule", "exponential_decay:decay_steps=6,decay_rate=0.8"]
        : ["--reduce-lr-on-plateau", "monitor=val_loss,factor=0.5,patience=0,min_delta=0.02"])
  }

  @Test(arguments: variants)
  func aRunStoppedAndResumedAtSeveralPointsEndsWithTheUninterruptedBits(variant: String) throws {
    let folder = try TemporaryDirectory()
    let whole = try BPKitBinary.run(arguments: Self.arguments(variant, checkpoint: folder.path("whole.h5")))
    #expect(whole.status == 0, "\(whole.error)")
    let expected = try CheckpointComparison.load(folder.path("whole.h5"))
    // The settings all acted: dropout layer, class weights, a changing rate, an early stop.
    #expect(expected.model.network.layers.contains { $0.kind.typeName == "dropout" })
    #expect(expected.configuration.classWeights != nil)
    #expect(expected.model.network.layers.contains { !$0.regularizers.isEmpty })
    let rates = Set(expected.progress.history.map(\.learningRate))
    #expect(rates.count > 1, "\(variant): the learning rate never changed")
    #expect(expected.progress.earlyStopping.stoppedEpoch > 0, "\(variant): the run never stopped early")

    // Stops after 1, 5, 13, 22 and 31 steps (12 steps an epoch), each resumed with the next stop.
    let parts = folder.path("parts.h5")
    var done = 0
    for stop in [1, 5, 13, 22, 31] {
      let result =
        done == 0
        ? try BPKitBinary.run(
          arguments: Self.arguments(variant, checkpoint: parts) + ["--stop-after-steps", "\(stop)"])
        : try BPKitBinary.run("train", "--resume", parts, "--stop-after-steps", "\(stop - done)", "--quiet")
      #expect(result.status == 0, "\(variant), stop at \(stop): \(result.error)")
      done = stop
    }
    let last = try BPKitBinary.run("train", "--resume", parts, "--quiet")
    #expect(last.status == 0, "\(variant): \(last.error)")
    let resumed = try CheckpointComparison.load(parts)
    #expect(CheckpointComparison.differences(expected, resumed) == [], "\(variant)")
    #expect(
      resumed.progress.history.map { $0.validationLoss?.bitPattern }
        == expected.progress.history.map { $0.validationLoss?.bitPattern }, "\(variant)")
  }
}
