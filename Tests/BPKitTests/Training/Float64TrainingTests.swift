import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Float64 models (`--dtype float64`): trained, checkpointed, resumed and run
/// in Double end to end, never rounded on the way, and refused by name where
/// a Float32 path would round them.
@Suite struct Float64TrainingTests {
  static func options(folder: TemporaryDirectory, name: String, stop: Int? = nil, dtype: DType? = .float64)
    -> TrainingOptions
  {
    TrainingOptions(
      start: .init(layers: "64,16:tanh,10:softmax", dtype: dtype),
      data: .init(data: Fixtures.path("datasets/digits.h5"), validationSplit: 0.1),
      schedule: .init(epochs: 2, batchSize: 100, optimizer: .adam, seed: 4),
      output: .init(checkpoint: folder.path(name), stopAfterSteps: stop))
  }

  /// The bit patterns of every float64 weight and slot, keyed by path.
  static func bits(_ checkpoint: Checkpoint) -> [String: [UInt64]] {
    var result: [String: [UInt64]] = [:]
    for (key, tensor) in checkpoint.model.float64Parameters ?? [:] {
      result["weights/\(key)"] = tensor.scalars.map(\.bitPattern)
    }
    for (slot, tensors) in checkpoint.optimizer.float64Slots ?? [:] {
      for (key, tensor) in tensors { result["slots/\(slot)/\(key)"] = tensor.scalars.map(\.bitPattern) }
    }
    return result
  }

  @Test func aFloat64RunStoresDoubleWeightsAndSlotsThatFloat32CannotHold() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-float64")
    let run = try TrainingRun(Self.options(folder: folder, name: "run.h5"))
    #expect(run.session.model.dtype == .float64)
    try run.run()
    let checkpoint = try CheckpointComparison.load(folder.path("run.h5"))
    #expect(checkpoint.model.dtype == .float64)
    #expect(checkpoint.optimizer.dtype == .float64)
    let weights = checkpoint.model.float64Parameters!.values.flatMap(\.scalars)
    // Trained in Double, most weights have bits below Float32's 24.
    let unrepresentable = weights.filter { Double(Float($0)) != $0 }.count
    #expect(unrepresentable > weights.count / 2, "\(unrepresentable) of \(weights.count)")
    #expect(Self.bits(checkpoint) == Self.bits(run.session.checkpoint()))
    #expect(Set(checkpoint.optimizer.float64Slots!.keys) == ["momentum", "velocity"])
  }

  @Test(arguments: [3, 17])
  func aStoppedFloat64RunResumesToTheBitsOfTheWholeRun(stop: Int) throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-float64")
    _ = try TrainingRun(Self.options(folder: folder, name: "whole.h5")).run()
    #expect(try TrainingRun(Self.options(folder: folder, name: "parts.h5", stop: stop)).run().reason == .stepLimit)
    #expect(try TrainingRun(TrainingOptions(start: .init(resume: folder.path("parts.h5")))).run().reason == .completed)
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    let parts = try CheckpointComparison.load(folder.path("parts.h5"))
    #expect(!Self.bits(whole).isEmpty)
    #expect(Self.bits(whole) == Self.bits(parts))
    #expect(CheckpointComparison.differences(whole, parts) == [])
  }

  @Test func aFloat64RunStartsFromTheFloat32RunsWeightsWidenedAndEndsElsewhere() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-float64")
    let wide = try TrainingRun(Self.options(folder: folder, name: "wide.h5"))
    let narrow = try TrainingRun(Self.options(folder: folder, name: "narrow.h5", dtype: nil))
    #expect(wide.session.model.float64Parameters! == narrow.session.model.converted(to: .float64).float64Parameters!)
    try wide.run()
    try narrow.run()
    let a = wide.session.model.float64Parameters!
    let b = narrow.session.model.parameters
    var largest = 0.0
    for (key, tensor) in a {
      for (x, y) in zip(tensor.scalars, b[key]!.scalars) { largest = max(largest, abs(x - Double(y))) }
    }
    // The same run in two precisions: close, and not the same numbers.
    #expect(largest > 0 && largest < 1e-2, "\(largest)")
  }

  @Test func aResumeKeepsItsDtype() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-float64")
    _ = try TrainingRun(Self.options(folder: folder, name: "run.h5", stop: 2)).run()
    let path = folder.path("run.h5")
    expectReason(
      TrainingError.invalidSetting(
        "--dtype float32: \(path) is a float64 run, and a resumed run keeps its dtype; drop --dtype, or start a new "
          + "run from it with --model \(path) --dtype float32")
    ) { try TrainingRun(TrainingOptions(start: .init(resume: path, dtype: .float32))) }
    #expect(try TrainingRun(TrainingOptions(start: .init(resume: path, dtype: .float64))).run().reason == .completed)
  }

  @Test func aFloat64ModelIsNeverNarrowedByTraining() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-float64")
    _ = try TrainingRun(Self.options(folder: folder, name: "run.h5")).run()
    let path = folder.path("run.h5")
    var options = Self.options(folder: folder, name: "next.h5", dtype: .float32)
    options.start = .init(model: path, dtype: .float32)
    expectReason(
      TrainingError.invalidSetting(
        "--dtype float32: \(path) holds float64 weights, which training never rounds on its own; round them "
          + "explicitly with bpkit convert \(path) NEW --dtype float32 and train from NEW")
    ) { try TrainingRun(options) }
    // Without --dtype, a model file's own precision is kept, with its slots.
    options.start = .init(model: path)
    let next = try TrainingRun(options)
    #expect(next.session.model.dtype == .float64)
    #expect(
      Self.bits(next.session.checkpoint())["weights/dense_1/kernel"]
        == Self.bits(try CheckpointComparison.load(path))["weights/dense_1/kernel"])
  }

  private static func slots(_ file: BPKitFile) -> [String: [ParameterKey: Tensor<Double>]]? {
    switch file {
    case .checkpoint(let checkpoint): checkpoint.optimizer.float64Slots
    case .keras(let keras): keras.optimizer?.float64Slots
    case .model: nil
    }
  }

  @Test func float64WeightsAndSlotsAreKeptByEveryFormat() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-float64")
    _ = try TrainingRun(Self.options(folder: folder, name: "run.h5")).run()
    let file = try BPKitFile.open(URL(fileURLWithPath: folder.path("run.h5")))
    // bpkit's formats and Keras' (float64 dtype policies) keep the weights and every optimizer slot.
    for format in [FileFormat.hdf5, .json, .keras, .kerasHDF5] {
      let path = folder.path("model.\(format)")
      try file.write(to: URL(fileURLWithPath: path), format: format)
      let kept = try BPKitFile.open(URL(fileURLWithPath: path))
      #expect(kept.model.float64Parameters == file.model.float64Parameters, "\(format)")
      #expect(Self.slots(kept) != nil && Self.slots(kept) == Self.slots(file), "\(format)")
    }
    // safetensors and ONNX keep the model alone, as F64 tensors and a DOUBLE graph.
    for format in [FileFormat.safetensors, .onnx] {
      let path = folder.path("model.\(format)")
      try file.write(to: URL(fileURLWithPath: path), format: format)
      #expect(
        try BPKitFile.open(URL(fileURLWithPath: path)).model.float64Parameters == file.model.float64Parameters,
        "\(format)")
    }
  }
}
