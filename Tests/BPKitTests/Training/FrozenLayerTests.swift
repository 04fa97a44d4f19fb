import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Frozen layers (Keras' `trainable=False`, `--freeze`): their weights stay,
/// they get no optimizer slots, the layers before them still learn, and a
/// stopped run resumes to the bits of the whole one.
@Suite struct FrozenLayerTests {
  static func options(folder: TemporaryDirectory, name: String, stop: Int? = nil, freeze: [String]? = ["dense_2"])
    -> TrainingOptions
  {
    TrainingOptions(
      start: .init(layers: "64,16:tanh,12:relu,10:softmax", freeze: freeze),
      data: .init(data: Fixtures.path("datasets/digits.h5")),
      schedule: .init(epochs: 2, batchSize: 100, optimizer: .adam, seed: 4, clipNorm: 1),
      output: .init(checkpoint: folder.path(name), stopAfterSteps: stop))
  }

  @Test func frozenWeightsStayAndTheLayersBeforeThemLearn() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-frozen")
    let run = try TrainingRun(Self.options(folder: folder, name: "run.h5"))
    let before = run.session.model
    try run.run()
    let after = try CheckpointComparison.load(folder.path("run.h5"))
    #expect(after.model.network.layers.map(\.trainable) == [true, false, true])
    for (key, tensor) in before.parameters {
      if key.layer == "dense_2" {
        #expect(after.model.parameters[key] == tensor, "\(key) moved")
      } else {
        #expect(after.model.parameters[key] != tensor, "\(key) did not move")
      }
    }
    for (slot, tensors) in after.optimizer.slots {
      #expect(Set(tensors.keys.map(\.layer)) == ["dense_1", "dense_3"], "\(slot)")
    }
  }

  @Test(arguments: [3, 18])
  func aStoppedFrozenRunResumesToTheBitsOfTheWholeRun(stop: Int) throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-frozen")
    _ = try TrainingRun(Self.options(folder: folder, name: "whole.h5")).run()
    #expect(try TrainingRun(Self.options(folder: folder, name: "parts.h5", stop: stop)).run().reason == .stepLimit)
    #expect(try TrainingRun(TrainingOptions(start: .init(resume: folder.path("parts.h5")))).run().reason == .completed)
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    let parts = try CheckpointComparison.load(folder.path("parts.h5"))
    #expect(CheckpointComparison.differences(whole, parts) == [])
    let back = try Checkpoint(jsonData: try whole.jsonData())
    #expect(back.model.network == whole.model.network)
  }

  @Test func aResumeRefusesOtherFrozenLayers() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-frozen")
    _ = try TrainingRun(Self.options(folder: folder, name: "run.h5", stop: 2)).run()
    let resume = TrainingOptions(start: .init(resume: folder.path("run.h5"), freeze: ["dense_1"]))
    expectReason(
      TrainingError.invalidSetting(
        "the run's frozen layers are fixed when it starts and kept in its checkpoint (dense_2); drop --freeze")
    ) { try TrainingRun(resume) }
    let same = TrainingOptions(start: .init(resume: folder.path("run.h5"), freeze: ["dense_2"]))
    #expect(try TrainingRun(same).run().reason == .completed)
  }

  @Test func freezingALayerOfAFileWithSlotsNamesTheSlotsItLeavesOut() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-frozen")
    _ = try TrainingRun(Self.options(folder: folder, name: "first.h5", freeze: nil)).run()
    let more = TrainingOptions(
      start: .init(model: folder.path("first.h5"), freeze: ["dense_2"]),
      data: .init(data: Fixtures.path("datasets/digits.h5")), schedule: .init(epochs: 1),
      output: .init(checkpoint: folder.path("more.h5")))
    let run = try TrainingRun(more)
    #expect(
      run.plan.warnings.contains(
        "\(folder.path("first.h5")): not kept: the optimizer's momentum, velocity of 'dense_2': "
          + "--freeze leaves frozen layers without optimizer slots; drop --freeze to continue them"),
      "\(run.plan.warnings)")
    let unfrozen = TrainingOptions(
      start: .init(model: folder.path("first.h5")), data: .init(data: Fixtures.path("datasets/digits.h5")),
      schedule: .init(epochs: 1), output: .init(checkpoint: folder.path("other.h5")))
    #expect(try TrainingRun(unfrozen).plan.warnings.allSatisfy { !$0.contains("--freeze") })
  }

  @Test func freezingEveryLayerIsRefused() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-frozen")
    expectReason(
      TrainingError.invalidSetting("--freeze leaves no layer to train; freeze fewer of dense_1, dense_2, dense_3")
    ) { try TrainingRun(Self.options(folder: folder, name: "run.h5", freeze: ["dense_1", "dense_2", "dense_3"])) }
  }
}
