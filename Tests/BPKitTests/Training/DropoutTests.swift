import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Dropout layers (Keras' `Dropout`): inverted dropout in training with
/// counter-based masks, the identity in inference, and every invariance the
/// project keeps (threads, ranks, resumes).
@Suite struct DropoutTests {
  // MARK: The layer

  @Test func theSpecificationNamesADropoutLayer() throws {
    let network = try NetworkDescription(layerSpecification: "4,8:relu,dropout0.25,3:softmax")
    #expect(network.layers.map(\.name) == ["dense_1", "dropout_1", "dense_2"])
    #expect(network.layers[1].kind == .dropout(rate: 0.25))
    #expect(try network.parameterSpecs().allSatisfy { $0.key.layer != "dropout_1" })
    #expect(try network.layerOutputShapes()[1] == .vector(8))
    let sequence = try NetworkDescription(layerSpecification: "5x3,lstm4:seq,dropout0.5,2")
    #expect(try sequence.layerOutputShapes()[1] == .sequence(steps: 5, width: 4))
  }

  @Test(arguments: ["dropout1", "dropout-0.1", "dropout", "dropoutx", "dropout1.5", "dropoutnan"])
  func aRateOutsideZeroToOneIsRefused(entry: String) {
    expectReason(
      LayerSpecificationError.invalidLayer(
        position: 2, entry: entry,
        reason: "expected a dropout rate from 0 up to (not including) 1 after 'dropout', such as dropout0.2")
    ) { try NetworkDescription(layerSpecification: "4,8,\(entry),3") }
  }

  @Test func aDescriptionWithARateOfOneIsRefused() {
    let network = NetworkDescription(
      input: .vector(features: 3), layers: [Layer(name: "drop", kind: .dropout(rate: 1))])
    expectReason(ModelError.invalidDropoutRate(layer: "drop", rate: 1)) { try network.layerOutputShapes() }
  }

  /// The layer's JSON form (`{"name", "type": "dropout", "rate"}`) reads back; a rate of 1 is refused at its path.
  @Test func theJSONFormKeepsTheRateAndRefusesOne() throws {
    let model = try Model(
      initializing: try NetworkDescription(layerSpecification: "3,dropout0.35,2:softmax"), seed: 1)
    let data = try model.jsonData()
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains(#"{"name": "dropout_1", "type": "dropout", "rate": 0.35}"#), "\(text)")
    #expect(try Model(jsonData: data) == model)
    let one = Data(text.replacingOccurrences(of: #""rate": 0.35"#, with: #""rate": 1"#).utf8)
    expectReason(
      BPKitJSONError.schemaViolation(
        file: nil, path: "$.layers[0].rate", detail: "expected a dropout rate below 1, found 1")
    ) { try Model(jsonData: one) }
  }

  // MARK: Inference

  /// Predictions ignore dropout: the model predicts bit for bit as the same network without the layer.
  @Test(arguments: ["6,dropout0.4,5:tanh,dropout0.5,3:softmax", "4x6,lstm5:seq,dropout0.3,gru3,dropout0.2,2"])
  func inferencePassesValuesOnUnchanged(specification: String) throws {
    let network = try NetworkDescription(layerSpecification: specification)
    let model = try Model(initializing: network, seed: 3)
    var plain = network
    plain.layers.removeAll { if case .dropout = $0.kind { true } else { false } }
    let without = try Model(network: plain, parameters: model.parameters)
    let features = network.input.features * (network.input.isSequence ? 4 : 1)
    var random = Xoshiro256StarStar(seed: 9)
    let inputs = (0..<(50 * features)).map { _ in Float(2 * random.nextDouble() - 1) }
    let x = Tensor(shape: network.input.isSequence ? [50, 4, 6] : [50, 6], scalars: inputs)
    #expect(try model.predict(x).scalars.map(\.bitPattern) == without.predict(x).scalars.map(\.bitPattern))
    let predictor = try Predictor(model: model)
    #expect(try predictor.predict(inputs, count: 50) == without.predict(x).scalars)
    // One sample alone takes the single-row path (its large layers split over the threads).
    let one = Array(inputs[0..<(inputs.count / 50)])
    let alone = try Predictor(model: without)
    let expected = try alone.predict(one, count: 1)
    for threads in [1, 2] {
      let got = try Kernels.with(threads: threads) { try predictor.predict(one, count: 1) }
      #expect(got == expected, "\(threads) threads")
    }
  }

  // MARK: Masks

  @Test func masksDropTheRateAndDependOnlyOnWhereAValueIs() {
    let masks = DropoutMasks(seed: 11, epoch: 2, position: 100)
    var kept = 0
    for sample in 0..<200 { kept += masks.kept(sample: sample, layer: 1, count: 500, rate: 0.3).filter { $0 }.count }
    #expect(abs(Double(kept) / 100_000 - 0.7) < 0.01, "\(kept)")
    // Sample 5 of a batch at 100 is sample 0 of a batch at 105.
    let later = DropoutMasks(seed: 11, epoch: 2, position: 105)
    #expect(
      masks.kept(sample: 5, layer: 1, count: 64, rate: 0.3) == later.kept(sample: 0, layer: 1, count: 64, rate: 0.3))
    // Another epoch, layer or seed draws other masks.
    let base = masks.kept(sample: 0, layer: 1, count: 64, rate: 0.5)
    #expect(DropoutMasks(seed: 11, epoch: 3, position: 100).kept(sample: 0, layer: 1, count: 64, rate: 0.5) != base)
    #expect(masks.kept(sample: 0, layer: 2, count: 64, rate: 0.5) != base)
    #expect(DropoutMasks(seed: 12, epoch: 2, position: 100).kept(sample: 0, layer: 1, count: 64, rate: 0.5) != base)
    #expect(masks.kept(sample: 0, layer: 1, count: 64, rate: 0).allSatisfy { $0 })
  }

  /// The engine's training pass drops exactly the values of ``DropoutMasks`` and divides the rest by 1 − rate:
  /// y = w·x̃ with w = 1, L = y², so ∂L/∂w_j = 2·y·x̃_j.
  @Test func trainingDropsTheMaskedValuesAndScalesTheRest() throws {
    let network = try NetworkDescription(layerSpecification: "16,dropout0.5,1:linear:nobias")
    let model = try Model(
      network: network,
      parameters: [
        ParameterKey(layer: "dense_1", name: "kernel"): Tensor(shape: [16, 1], scalars: .init(repeating: 1, count: 16))
      ])
    let engine = try TrainingEngine<Float>(
      model: model, optimizer: OptimizerState(configuration: .init(kind: .sgd)), loss: .meanSquaredError)
    engine.dropoutMasks = DropoutMasks(seed: 5, epoch: 1, position: 40)
    let x: [Float] = (1...32).map(Float.init)
    let t: [Float] = [0, 0]
    let gradient = try x.withUnsafeBufferPointer { x in
      try t.withUnsafeBufferPointer { t in try engine.gradients(inputs: x, targets: .values(t), count: 2) }
    }[ParameterKey(layer: "dense_1", name: "kernel")]!.scalars
    var expected = [Float](repeating: 0, count: 16)
    var dropped = 0
    for sample in 0..<2 {
      let kept = engine.dropoutMasks.kept(sample: sample, layer: 0, count: 16, rate: 0.5)
      dropped += kept.filter { !$0 }.count
      let scaled = (0..<16).map { kept[$0] ? x[sample * 16 + $0] / 0.5 : 0 }
      let y = scaled.reduce(0, +)
      // The batch mean of 2·y·x̃_j.
      for j in 0..<16 { expected[j] += 2 * y * scaled[j] / 2 }
    }
    #expect(dropped > 0 && dropped < 32)
    #expect(gradient == expected)
    #expect(engine.dropoutMasks.position == 40, "gradients(...) draws without advancing")
  }

  // MARK: Gradients

  @Test(arguments: [
    ("3,5:tanh,dropout0.4,4:softmax", Loss.categoricalCrossEntropy),
    ("3,dropout0.3,5:sigmoid,dropout0.6,2", .meanSquaredError),
    ("4x3,lstm5:seq,dropout0.5,gru3:seq,dropout0.25,2", .meanSquaredError),
    ("4x3,rnn4:seq,dropout0.5,rnn3,dropout0.5,2:sigmoid", .binaryCrossEntropy),
    ("3,5:tanh,2,dropout0.5", .meanSquaredError),
  ])
  func gradientsPassTheCheckWithFixedMasks(specification: String, loss: Loss) throws {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: specification), seed: 7)
    let results = try GradientCheck(model: model, loss: loss, batch: 3, steps: 4, seed: 7).run()
    #expect(!results.isEmpty)
    for result in results {
      #expect(result.worstRelativeError <= 1e-6, "\(specification): \(result.key) \(result.worstRelativeError)")
    }
  }

  // MARK: Runs

  static func options(
    folder: TemporaryDirectory, name: String, layers: String = "64,24:relu,dropout0.3,16:tanh,dropout0.5,10:softmax",
    data: String = "datasets/digits.h5", stop: Int? = nil, threads: Int? = nil
  ) -> TrainingOptions {
    TrainingOptions(
      start: .init(layers: layers), data: .init(data: Fixtures.path(data)),
      schedule: .init(epochs: 2, batchSize: 100, optimizer: .adam, seed: 4),
      output: .init(checkpoint: folder.path(name), stopAfterSteps: stop))
  }

  @Test func dropoutChangesTrainingAndRateZeroChangesNothing() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-dropout")
    _ = try TrainingRun(Self.options(folder: folder, name: "dropout.h5")).run()
    _ = try TrainingRun(
      Self.options(folder: folder, name: "zero.h5", layers: "64,24:relu,dropout0,16:tanh,dropout0.0,10:softmax")
    ).run()
    _ = try TrainingRun(Self.options(folder: folder, name: "plain.h5", layers: "64,24:relu,16:tanh,10:softmax")).run()
    let dropout = try CheckpointComparison.load(folder.path("dropout.h5"))
    let zero = try CheckpointComparison.load(folder.path("zero.h5"))
    let plain = try CheckpointComparison.load(folder.path("plain.h5"))
    #expect(zero.model.network.layers.map(\.name) == ["dense_1", "dropout_1", "dense_2", "dropout_2", "dense_3"])
    #expect(CheckpointComparison.differences(zero, plain) == [])
    #expect(!CheckpointComparison.differences(dropout, plain).isEmpty)
    #expect(dropout.progress.history.count == 2)
    #expect(dropout.progress.history.allSatisfy { $0.trainLoss.isFinite })
  }

  /// Stopped at a step inside the first epoch, at the epoch's end and inside the second, then resumed:
  /// the masks continue where they were, and the run ends with the whole run's bits.
  @Test(arguments: [("dense", 3), ("dense", 15), ("dense", 20), ("sequence", 5)])
  func aStoppedRunResumesToTheBitsOfTheWholeRun(network: String, stop: Int) throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-dropout")
    let layers =
      network == "dense"
      ? "64,24:relu,dropout0.3,16:tanh,dropout0.5,10:softmax" : "8x2,lstm6:seq,dropout0.3,gru4,dropout0.2,1"
    let data = network == "dense" ? "datasets/digits.h5" : "datasets/adding.h5"
    _ = try TrainingRun(Self.options(folder: folder, name: "whole.h5", layers: layers, data: data)).run()
    let parts = Self.options(folder: folder, name: "parts.h5", layers: layers, data: data, stop: stop)
    #expect(try TrainingRun(parts).run().reason == .stepLimit)
    #expect(try TrainingRun(TrainingOptions(start: .init(resume: folder.path("parts.h5")))).run().reason == .completed)
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    let resumed = try CheckpointComparison.load(folder.path("parts.h5"))
    #expect(CheckpointComparison.differences(whole, resumed) == [])
    // The dropout layers come back from the checkpoint's JSON form too.
    let back = try Checkpoint(jsonData: try whole.jsonData())
    #expect(back.model.network == whole.model.network)
  }

  @Test func twoThreadsAndTwoRanksTrainToTheBitsOfOneThread() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-dropout")
    try Kernels.with(threads: 1) { _ = try TrainingRun(Self.options(folder: folder, name: "one.h5")).run() }
    try Kernels.with(threads: 2) { _ = try TrainingRun(Self.options(folder: folder, name: "two.h5")).run() }
    let ranks = ThreadRanks.run(2) { communicator in
      try Kernels.with(threads: 1) {
        _ = try TrainingRun(Self.options(folder: folder, name: "ranks.h5"), communicator: communicator).run()
      }
    }
    for outcome in ranks { _ = try outcome.get() }
    let one = try CheckpointComparison.load(folder.path("one.h5"))
    #expect(CheckpointComparison.differences(one, try CheckpointComparison.load(folder.path("two.h5"))) == [])
    #expect(CheckpointComparison.differences(one, try CheckpointComparison.load(folder.path("ranks.h5"))) == [])
  }
}
