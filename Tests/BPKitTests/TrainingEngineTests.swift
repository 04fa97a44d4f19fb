import BPKit
import Foundation
import Testing
import _BPKitTestSupport

@Suite struct TrainingEngineTests {
  static let xorInputs: [Float] = [0, 0, 0, 1, 1, 0, 1, 1]
  static let xorTargets: [Float] = [0, 1, 1, 0]

  static func engine(
    _ specification: String, _ optimizer: OptimizerConfiguration, _ loss: Loss, seed: UInt64 = 1, bptt: Int? = nil
  ) throws -> TrainingEngine<Float> {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: specification), seed: seed)
    return try TrainingEngine(
      model: model, optimizer: OptimizerState(configuration: optimizer), loss: loss, bpttSteps: bptt)
  }

  @Test(arguments: [
    OptimizerConfiguration(kind: .momentum, learningRate: 0.5),
    OptimizerConfiguration(kind: .nesterov, learningRate: 0.5),
    OptimizerConfiguration(kind: .adam, learningRate: 0.05),
    OptimizerConfiguration(kind: .rmsprop, learningRate: 0.02),
  ])
  func denseNetworkLearnsXOR(optimizer: OptimizerConfiguration) throws {
    let engine = try Self.engine("2,8:tanh,1:sigmoid", optimizer, .binaryCrossEntropy, seed: 3)
    for _ in 0..<600 { _ = try engine.step(inputs: Self.xorInputs, targets: Self.xorTargets, count: 4) }
    let metrics = try engine.evaluate(inputs: Self.xorInputs, targets: Self.xorTargets, count: 4)
    #expect(metrics.correct == 4, "\(optimizer.kind): \(metrics)")
    #expect(metrics.loss < 0.1)
    let outputs = try engine.model.predict(Tensor(shape: [4, 2], scalars: Self.xorInputs)).scalars
    #expect(outputs.map { $0 > 0.5 ? Float(1) : 0 } == Self.xorTargets)
  }

  @Test func fullBatchRPROPLearnsXOR() throws {
    let engine = try Self.engine(
      "2,8:tanh,1:sigmoid", OptimizerConfiguration(kind: .rprop), .binaryCrossEntropy, seed: 3)
    for _ in 0..<300 {
      // Two half batches accumulated, then one update per epoch.
      _ = try engine.accumulate(inputs: Array(Self.xorInputs[0..<4]), targets: Array(Self.xorTargets[0..<2]), count: 2)
      _ = try engine.accumulate(inputs: Array(Self.xorInputs[4...]), targets: Array(Self.xorTargets[2...]), count: 2)
      try engine.applyAccumulatedGradients()
    }
    #expect(engine.iterations == 300)
    let metrics = try engine.evaluate(inputs: Self.xorInputs, targets: Self.xorTargets, count: 4)
    #expect(metrics.correct == 4)
    expectReason(EngineError.nothingAccumulated) { try engine.applyAccumulatedGradients() }
  }

  @Test func accumulatedHalvesEqualTheFullBatchGradient() throws {
    let configuration = OptimizerConfiguration(kind: .sgd, learningRate: 0.1)
    let whole = try Self.engine("2,3:tanh,1", configuration, .meanSquaredError)
    let halves = try Self.engine("2,3:tanh,1", configuration, .meanSquaredError)
    _ = try whole.step(inputs: Self.xorInputs, targets: Self.xorTargets, count: 4)
    _ = try halves.accumulate(inputs: Array(Self.xorInputs[0..<2]), targets: [0], count: 1)
    _ = try halves.accumulate(inputs: Array(Self.xorInputs[2...]), targets: [1, 1, 0], count: 3)
    try halves.applyAccumulatedGradients()
    for (key, tensor) in whole.model.parameters {
      let other = halves.model.parameters[key]!.scalars
      for (a, b) in zip(tensor.scalars, other) { #expect(abs(a - b) < 1e-6) }
    }
  }

  /// Noisy sine: from 8 values, predict the next one.
  static func sineBatch(_ random: inout Xoshiro256StarStar, count: Int) -> ([Float], [Float]) {
    var inputs: [Float] = []
    var targets: [Float] = []
    for _ in 0..<count {
      let phase = random.nextDouble() * 2 * Double.pi
      for t in 0...8 {
        let value = Float(sin(phase + Double(t) * 0.5) + 0.05 * random.nextNormal())
        if t < 8 { inputs.append(value) } else { targets.append(value) }
      }
    }
    return (inputs, targets)
  }

  @Test(arguments: [nil, 4])
  func elmanNetworkLearnsToContinueANoisySine(bptt: Int?) throws {
    let engine = try Self.engine(
      "8x1,rnn12:tanh,1", OptimizerConfiguration(kind: .adam, learningRate: 0.02), .meanSquaredError, bptt: bptt)
    var random = Xoshiro256StarStar(seed: 4)
    let (testInputs, testTargets) = Self.sineBatch(&random, count: 200)
    let before = try engine.evaluate(inputs: testInputs, targets: testTargets, count: 200).loss
    for _ in 0..<400 {
      let (inputs, targets) = Self.sineBatch(&random, count: 16)
      _ = try engine.step(inputs: inputs, targets: targets, count: 16)
    }
    let after = try engine.evaluate(inputs: testInputs, targets: testTargets, count: 200).loss
    // The noise alone costs 0.05² = 0.0025.
    #expect(after < 0.006, "mean squared error \(after), \(before) before training")
    #expect(after < before / 2)
  }

  @Test func elmanNetworkLearnsTemporalXOR() throws {
    // Elman (1990): a bit stream where every third bit is the XOR of the two
    // before it; the network predicts each next bit, so only the XOR bits are
    // predictable. Judge the outputs at the steps that precede an XOR bit.
    let engine = try Self.engine(
      "?x1,rnn16:tanh:seq,1:sigmoid", OptimizerConfiguration(kind: .adam, learningRate: 0.02),
      .binaryCrossEntropy)
    var random = Xoshiro256StarStar(seed: 8)
    func batch(_ count: Int) -> ([Float], [Float]) {
      var inputs: [Float] = []
      var targets: [Float] = []
      for _ in 0..<count {
        var bits: [Float] = []
        for _ in 0..<5 {
          let a = Float(random.nextIndex(below: 2))
          let b = Float(random.nextIndex(below: 2))
          bits += [a, b, a == b ? 0 : 1]
        }
        inputs += bits.dropLast()
        targets += bits.dropFirst()
      }
      return (inputs, targets)
    }
    for _ in 0..<300 {
      let (x, t) = batch(16)
      _ = try engine.step(inputs: x, targets: t, count: 16)
    }
    let (x, t) = batch(100)
    let outputs = try engine.model.predict(Tensor(shape: [100, 14, 1], scalars: x)).scalars
    var correct = 0
    var judged = 0
    for sample in 0..<100 {
      for step in stride(from: 1, to: 14, by: 3) {
        let k = sample * 14 + step
        judged += 1
        if (outputs[k] > 0.5) == (t[k] > 0.5) { correct += 1 }
      }
    }
    #expect(Double(correct) / Double(judged) > 0.95, "\(correct) of \(judged)")
  }

  @Test func identicalEnginesStepIdentically() throws {
    let configuration = OptimizerConfiguration(kind: .adam, learningRate: 0.01)
    let a = try Self.engine("4x3,rnn6:seq,rnn5,3:softmax", configuration, .categoricalCrossEntropy, seed: 21)
    let b = try Self.engine("4x3,rnn6:seq,rnn5,3:softmax", configuration, .categoricalCrossEntropy, seed: 21)
    var random = Xoshiro256StarStar(seed: 2)
    for _ in 0..<20 {
      let inputs = (0..<(5 * 12)).map { _ in random.nextFloat() }
      let labels = (0..<5).map { _ in random.nextIndex(below: 3) }
      let ma = try a.step(inputs: inputs, labels: labels, count: 5)
      let mb = try b.step(inputs: inputs, labels: labels, count: 5)
      #expect(ma == mb)
    }
    #expect(a.model == b.model)
    #expect(a.optimizerState == b.optimizerState)
  }

  @Test(arguments: OptimizerKind.allCases)
  func resumingFromModelAndOptimizerStateIsBitwiseExact(kind: OptimizerKind) throws {
    let configuration = OptimizerConfiguration(kind: kind, learningRate: kind == .adam ? 0.01 : nil)
    let original = try Self.engine("3,std,6:relu,2:softmax", configuration, .categoricalCrossEntropy, seed: 5)
    var random = Xoshiro256StarStar(seed: 6)
    let batches = (0..<20).map { _ in
      ((0..<(4 * 3)).map { _ in random.nextFloat() * 2 - 1 }, (0..<4).map { _ in random.nextIndex(below: 2) })
    }
    for (inputs, labels) in batches.prefix(10) { _ = try original.step(inputs: inputs, labels: labels, count: 4) }
    let resumed = try TrainingEngine<Float>(
      model: original.model, optimizer: original.optimizerState, loss: .categoricalCrossEntropy)
    #expect(resumed.iterations == 10)
    for (inputs, labels) in batches.suffix(10) {
      _ = try original.step(inputs: inputs, labels: labels, count: 4)
      _ = try resumed.step(inputs: inputs, labels: labels, count: 4)
    }
    #expect(original.model == resumed.model)
    #expect(original.optimizerState == resumed.optimizerState)
  }

  @Test func truncatedBPTTCoveringTheSequenceEqualsFullBPTT() throws {
    let configuration = OptimizerConfiguration(kind: .sgd)
    let inputs = (0..<(2 * 5 * 2)).map { Float($0 % 7) / 7 }
    let targets: [Float] = [0.5, -0.5]
    func gradients(_ bptt: Int?) throws -> [ParameterKey: Tensor<Float>] {
      let engine = try Self.engine("5x2,rnn4,1", configuration, .meanSquaredError, bptt: bptt)
      return try inputs.withUnsafeBufferPointer { x in
        try targets.withUnsafeBufferPointer { t in try engine.gradients(inputs: x, targets: .values(t), count: 2) }
      }
    }
    let full = try gradients(nil)
    #expect(try gradients(5) == full)
    #expect(try gradients(9) == full)
    let truncated = try gradients(2)
    #expect(
      truncated[ParameterKey(layer: "elman_1", name: "kernel")] != full[ParameterKey(layer: "elman_1", name: "kernel")])
    #expect(
      truncated[ParameterKey(layer: "dense_1", name: "kernel")] == full[ParameterKey(layer: "dense_1", name: "kernel")])
  }

  @Test func badBatchesAreClearErrors() throws {
    let engine = try Self.engine("3,4:relu,2:softmax", OptimizerConfiguration(kind: .sgd), .categoricalCrossEntropy)
    expectReason(EngineError.inputSizeMismatch(count: 2, samplesOf: "3 features", expected: 6, actual: 5)) {
      try engine.step(inputs: [1, 2, 3, 4, 5], labels: [0, 1], count: 2)
    }
    expectReason(EngineError.targetSizeMismatch(expected: 4, actual: 3)) {
      try engine.step(inputs: [1, 2, 3, 4, 5, 6], targets: [1, 0, 1], count: 2)
    }
    expectReason(EngineError.labelOutOfRange(row: 1, label: 2, classes: 2)) {
      try engine.step(inputs: [1, 2, 3, 4, 5, 6], labels: [0, 2], count: 2)
    }
    expectReason(EngineError.emptyBatch) { try engine.step(inputs: [], labels: [], count: 0) }
    let regression = try Self.engine("3,2", OptimizerConfiguration(kind: .sgd), .meanSquaredError)
    expectReason(EngineError.labelsNeedCrossEntropy(.meanSquaredError)) {
      try regression.step(inputs: [1, 2, 3], labels: [0], count: 1)
    }
  }

  @Test func lossesNeedTheirActivation() throws {
    expectReason(
      EngineError.lossNeedsActivation(
        loss: .categoricalCrossEntropy, required: .softmax, layer: "dense_2", found: .linear)
    ) { try Self.engine("3,4:relu,2", OptimizerConfiguration(kind: .sgd), .categoricalCrossEntropy) }
    expectReason(
      EngineError.lossNeedsActivation(
        loss: .binaryCrossEntropy, required: .sigmoid, layer: "dense_1", found: .softmax)
    ) { try Self.engine("3,2:softmax", OptimizerConfiguration(kind: .sgd), .binaryCrossEntropy) }
  }

  @Test func optimizerStateMustFitTheModel() throws {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: "3,2"), seed: 1)
    let kernel = ParameterKey(layer: "dense_1", name: "kernel")
    let bias = ParameterKey(layer: "dense_1", name: "bias")
    let adam = OptimizerConfiguration(kind: .adam)
    expectReason(EngineError.unexpectedOptimizerSlot(slot: "momentum", optimizer: .sgd)) {
      try TrainingEngine<Float>(
        model: model,
        optimizer: OptimizerState(configuration: .init(kind: .sgd), slots: ["momentum": [:]]),
        loss: .meanSquaredError)
    }
    expectReason(EngineError.missingOptimizerSlot(slot: "momentum", key: kernel)) {
      try TrainingEngine<Float>(
        model: model, optimizer: OptimizerState(configuration: adam, slots: ["momentum": [:], "velocity": [:]]),
        loss: .meanSquaredError)
    }
    let wrong: [ParameterKey: Tensor<Float>] = [kernel: .zeros([2, 3]), bias: .zeros([2])]
    expectReason(
      EngineError.optimizerSlotShapeMismatch(slot: "momentum", key: kernel, expected: [3, 2], actual: [2, 3])
    ) {
      try TrainingEngine<Float>(
        model: model, optimizer: OptimizerState(configuration: adam, slots: ["momentum": wrong, "velocity": wrong]),
        loss: .meanSquaredError)
    }
    expectReason(EngineError.invalidBPTTSteps(0)) {
      try TrainingEngine<Float>(
        model: model, optimizer: OptimizerState(configuration: adam), loss: .meanSquaredError, bpttSteps: 0)
    }
  }
}
