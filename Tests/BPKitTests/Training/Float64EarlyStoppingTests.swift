import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Early stopping's `restore_best_weights` in a float64 run: the best
/// weights are kept in Float64, in memory and in the checkpoint (format
/// 1.6), restored exactly, and a stopped run resumes to the same bits.
@Suite struct Float64EarlyStoppingTests {
  /// `EarlyStoppingTests`' run in Float64: it stops at epoch 3 and restores epoch 1's weights.
  static func options(folder: TemporaryDirectory, name: String, stop: Int? = nil) -> TrainingOptions {
    TrainingOptions(
      start: .init(layers: "64,16:tanh,10:softmax", dtype: .float64),
      data: .init(data: Fixtures.path("datasets/digits.h5"), validationSplit: 0.2),
      schedule: .init(
        epochs: 6, batchSize: 100, optimizer: .adam, learningRate: 0.01, seed: 5,
        earlyStopping: EarlyStopping(monitor: .validationLoss, patience: 2, minDelta: 5, restoreBestWeights: true)),
      output: .init(checkpoint: folder.path(name), stopAfterSteps: stop))
  }

  @Test func aFloat64RunRestoresItsBestWeightsExactly() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-float64-early")
    let run = try TrainingRun(Self.options(folder: folder, name: "run.h5"))
    #expect(try run.run().reason == .completed)
    let checkpoint = try CheckpointComparison.load(folder.path("run.h5"))
    #expect(checkpoint.model.dtype == .float64)
    #expect(checkpoint.progress.earlyStopping.stoppedEpoch == 3)
    #expect(checkpoint.progress.earlyStopping.bestEpoch == 1)
    let best = try #require(checkpoint.progress.earlyStopping.float64BestWeights)
    #expect(checkpoint.model.float64Parameters == best)
    #expect(run.session.model.float64Parameters == best)
    #expect(checkpoint.progress.earlyStopping.bestWeights == best.mapValues(Tensor<Float>.init(rounding:)))
    // Kept in Float64: most of the trained weights need more than Float32's bits.
    let kernel = try #require(best[ParameterKey(layer: "dense_1", name: "kernel")]).scalars
    #expect(kernel.filter { Double(Float($0)) != $0 }.count > kernel.count / 2)
    #expect(checkpoint.progress.history[2].notes.contains { $0.hasPrefix("the weights of epoch 1 restored") })
  }

  @Test(arguments: [4, 15, 29])
  func aStoppedFloat64RunResumesToTheBitsOfTheWholeRun(stop: Int) throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-float64-early")
    _ = try TrainingRun(Self.options(folder: folder, name: "whole.h5")).run()
    #expect(try TrainingRun(Self.options(folder: folder, name: "parts.h5", stop: stop)).run().reason == .stepLimit)
    let stopped = try CheckpointComparison.load(folder.path("parts.h5"))
    // Past the first epoch (12 steps), the stopped checkpoint holds the best weights in Float64.
    #expect((stopped.progress.earlyStopping.float64BestWeights != nil) == (stop > 12))
    #expect(try TrainingRun(TrainingOptions(start: .init(resume: folder.path("parts.h5")))).run().reason == .completed)
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    let parts = try CheckpointComparison.load(folder.path("parts.h5"))
    #expect(whole.model.float64Parameters == parts.model.float64Parameters)
    #expect(whole.optimizer.float64Slots == parts.optimizer.float64Slots)
    #expect(whole.progress.earlyStopping == parts.progress.earlyStopping)
    #expect(CheckpointComparison.differences(whole, parts) == [])
  }

  @Test func aFloat64RunsBestWeightsSurviveTheJSONCheckpoint() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-float64-early")
    _ = try TrainingRun(Self.options(folder: folder, name: "run.h5", stop: 20)).run()
    let file = try BPKitFile.open(URL(fileURLWithPath: folder.path("run.h5")))
    try file.write(to: URL(fileURLWithPath: folder.path("run.json")), format: .json)
    let opened = try BPKitFile.open(URL(fileURLWithPath: folder.path("run.json")))
    let back = try #require({ if case .checkpoint(let checkpoint) = opened { checkpoint } else { nil } }())
    let stored = try CheckpointComparison.load(folder.path("run.h5"))
    #expect(stored.progress.earlyStopping.float64BestWeights != nil)
    #expect(back.progress.earlyStopping == stored.progress.earlyStopping)
  }
}
