import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// The `from_logits` cross-entropies (Keras' `from_logits=True`): a linear
/// output layer's values are the logits, and the network trains exactly as
/// the same network with a softmax or sigmoid output on the fused loss.
@Suite struct FromLogitsTests {
  static func engine<S: BLASScalar>(
    _ specification: String, _ loss: Loss, as _: S.Type = Float.self, classWeights: [Double]? = nil
  ) throws -> TrainingEngine<S> {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: specification), seed: 5)
    return try TrainingEngine<S>(
      model: model, optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .adam, learningRate: 0.05)),
      loss: loss, classWeights: classWeights)
  }

  static let inputs: [Float] = (0..<24).map { Float(($0 * 7) % 11) / 5 - 1 }

  static func bits(_ model: Model) -> [[UInt32]] { model.orderedParameters.map { $0.tensor.scalars.map(\.bitPattern) } }

  /// Pairs of (logits network and loss, probability network and loss), each
  /// given one-hot rows, labels, class weights or sample weights.
  static let pairs: [(String, Loss, String, Loss)] = [
    ("3,5:tanh,4", .categoricalCrossEntropyFromLogits, "3,5:tanh,4:softmax", .categoricalCrossEntropy),
    ("3,5:tanh,4", .sparseCategoricalCrossEntropyFromLogits, "3,5:tanh,4:softmax", .sparseCategoricalCrossEntropy),
    ("3,5:tanh,2", .binaryCrossEntropyFromLogits, "3,5:tanh,2:sigmoid", .binaryCrossEntropy),
    ("3,5:relu,1", .binaryCrossEntropyFromLogits, "3,5:relu,1:sigmoid", .binaryCrossEntropy),
  ]

  /// Every pair with every form of targets it takes (labels: the categorical ones).
  static let cases: [(Int, String)] = pairs.indices.flatMap { pair in
    ((pairs[pair].1.isCategorical ? ["plain", "labels"] : ["plain"]) + ["class weights", "sample weights"])
      .map { (pair, $0) }
  }

  @Test(arguments: cases)
  func logitsTrainBitForBitAsTheFusedLoss(pair: Int, form: String) throws {
    let (logitsNetwork, logitsLoss, probabilityNetwork, probabilityLoss) = Self.pairs[pair]
    let categorical = logitsLoss.isCategorical
    let width = try NetworkDescription(layerSpecification: logitsNetwork).outputShape().width
    let classWeights: [Double]? =
      form == "class weights" ? (width == 1 ? [0.5, 3] : (0..<width).map { 0.5 + Double($0) }) : nil
    let logits = try Self.engine(logitsNetwork, logitsLoss, classWeights: classWeights)
    let probabilities = try Self.engine(probabilityNetwork, probabilityLoss, classWeights: classWeights)
    #expect(Self.bits(logits.model) == Self.bits(probabilities.model))
    let count = 8
    let labels = (0..<count).map { ($0 * 3) % width }
    var targets = [Float](repeating: 0, count: count * width)
    for r in 0..<count {
      if categorical { targets[r * width + labels[r]] = 1 } else { targets[r * width] = Float(r % 2) }
      if !categorical && width > 1 { targets[r * width + 1] = 0.25 }
    }
    let weights: [Float] = [0.5, 2, 0, 1, 1.5, 0.25, 3, 1]
    var metrics: [BatchMetrics] = []
    for engine in [logits, probabilities] {
      for _ in 0..<5 {
        let step: BatchMetrics
        switch form {
        case "labels": step = try engine.step(inputs: Self.inputs, labels: labels, count: count)
        case "sample weights":
          step = try Self.inputs.withUnsafeBufferPointer { x in
            try targets.withUnsafeBufferPointer { t in
              try weights.withUnsafeBufferPointer { w in
                try engine.step(inputs: x, targets: .values(t), weights: w, count: count)
              }
            }
          }
        default: step = try engine.step(inputs: Self.inputs, targets: targets, count: count)
        }
        metrics.append(step)
      }
    }
    #expect(Self.bits(logits.model) == Self.bits(probabilities.model), "\(logitsLoss) \(form)")
    #expect(metrics[0..<5].map(\.loss.bitPattern) == metrics[5...].map(\.loss.bitPattern), "\(logitsLoss) \(form)")
    #expect(metrics[0..<5].map(\.correct) == metrics[5...].map(\.correct), "\(logitsLoss) \(form)")
    // The logits network predicts logits: the probability network's outputs are their softmax or sigmoid.
    let x = Tensor(shape: [count, 3], scalars: Self.inputs)
    let z = try logits.model.predict(x).scalars
    let p = try probabilities.model.predict(x).scalars
    for r in 0..<count {
      let row = z[r * width..<(r + 1) * width].map(Double.init)
      let expected: [Double] =
        categorical
        ? row.map { exp($0) / row.map { exp($0) }.reduce(0, +) } : row.map { 1 / (1 + exp(-$0)) }
      for j in 0..<width { #expect(abs(Double(p[r * width + j]) - expected[j]) < 1e-6) }
    }
  }

  /// A binary logit's class is 1 above 0: logits of ±0.1 are judged as
  /// probabilities of σ(±0.1) would be, not by 0.5.
  @Test func binaryAccuracyThresholdsLogitsAtZero() throws {
    let model = try Model(
      network: try NetworkDescription(layerSpecification: "1,1"),
      parameters: [
        ParameterKey(layer: "dense_1", name: "kernel"): Tensor(shape: [1, 1], scalars: [1]),
        ParameterKey(layer: "dense_1", name: "bias"): Tensor(shape: [1], scalars: [0]),
      ])
    let fixed = try TrainingEngine<Float>(
      model: model, optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .sgd)),
      loss: .binaryCrossEntropyFromLogits)
    // Logits 0.3, 0.1, -0.1, -0.7 against targets 1, 0, 0, 1: right, wrong, right, wrong.
    let metrics = try fixed.evaluate(inputs: [0.3, 0.1, -0.1, -0.7], targets: [1, 0, 0, 1], count: 4)
    #expect(metrics.correct == 2 && metrics.judged == 4)
    let loss = [(0.3, 1.0), (0.1, 0), (-0.1, 0), (-0.7, 1)].map { z, t in
      max(z, 0) - z * t + log1p(exp(-abs(z)))
    }
    #expect(abs(metrics.loss - loss.reduce(0, +) / 4) < 1e-6)
  }

  @Test func fromLogitsRefusesAnOutputActivationNamingBoth() throws {
    for (specification, loss, found) in [
      ("3,4:relu,2:softmax", Loss.categoricalCrossEntropyFromLogits, Activation.softmax),
      ("3,4:relu,1:sigmoid", .binaryCrossEntropyFromLogits, .sigmoid),
      ("3,4:relu,3:tanh", .sparseCategoricalCrossEntropyFromLogits, .tanh),
    ] {
      let error = expectReason(EngineError.self) { try Self.engine(specification, loss) }
      #expect(error == .lossNeedsActivation(loss: loss, required: .linear, layer: "dense_2", found: found))
      let text = "\(error.map { $0 as any Error }.map { "\($0)" } ?? "")"
      #expect(text.contains("'\(loss.rawValue)'") && text.contains("has \(found.name);"), "\(text)")
      #expect(text.contains("make it linear"), "\(text)")
    }
    // A linear output with the probability losses is refused as before.
    expectReason(
      EngineError.lossNeedsActivation(
        loss: .sparseCategoricalCrossEntropy, required: .softmax, layer: "dense_2", found: .linear)
    ) { try Self.engine("3,4:relu,2", .sparseCategoricalCrossEntropy) }
  }

  @Test(arguments: [
    ("3,5:tanh,4", Loss.categoricalCrossEntropyFromLogits, false),
    ("3,5:tanh,4", .categoricalCrossEntropyFromLogits, true),
    ("3,5:tanh,4", .sparseCategoricalCrossEntropyFromLogits, true),
    ("3,5:tanh,4:softmax", .sparseCategoricalCrossEntropy, true),
    ("3,5:relu,2", .binaryCrossEntropyFromLogits, false),
    ("3,5:relu,1", .binaryCrossEntropyFromLogits, false),
    ("4x3,rnn5:seq,3", .categoricalCrossEntropyFromLogits, true),
    ("4x3,rnn4:seq,2", .binaryCrossEntropyFromLogits, false),
  ])
  func gradientChecks(specification: String, loss: Loss, labels: Bool) throws {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: specification), seed: 7)
    var checks: [GradientCheck] = []
    var plain = GradientCheck(model: model, loss: loss, batch: 4, useLabels: labels, seed: 7)
    checks.append(plain)
    plain.sampleWeights = [0.25, 3, 0, 1.5]
    checks.append(plain)
    if !specification.contains("seq") {
      var weighted = GradientCheck(model: model, loss: loss, batch: 4, useLabels: labels, seed: 7)
      let width = try model.network.outputShape().width
      weighted.classWeights = width == 1 ? [0.3, 2.5] : (0..<width).map { 0.5 + Double($0) / 2 }
      checks.append(weighted)
    }
    for check in checks {
      let results = try check.run()
      #expect(!results.isEmpty)
      for result in results {
        #expect(
          result.worstRelativeError < 1e-6, "\(specification) \(loss): \(result.key) \(result.worstRelativeError)")
      }
    }
  }
}
