import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

/// Sample weights (Keras' `sample_weight`): each sample's loss weighs its
/// weight, every row of a sequence sample alike, the mean still dividing by
/// the batch's rows; evaluation weighs them too, and accuracy is not weighted.
@Suite struct SampleWeightTests {
  static func engine(_ specification: String, loss: Loss) throws -> TrainingEngine<Double> {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: specification), seed: 3)
    return try TrainingEngine<Double>(
      model: model, optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .sgd)), loss: loss)
  }

  static func gradients(
    _ engine: TrainingEngine<Double>, _ inputs: [Double], _ targets: [Double], _ weights: [Double]?, count: Int
  ) throws -> [ParameterKey: Tensor<Double>] {
    try inputs.withUnsafeBufferPointer { x in
      try targets.withUnsafeBufferPointer { t in
        if let weights {
          return try weights.withUnsafeBufferPointer {
            try engine.gradients(inputs: x, targets: .values(t), weights: $0, count: count)
          }
        }
        return try engine.gradients(inputs: x, targets: .values(t), count: count)
      }
    }
  }

  /// The weighted gradient of a batch is Σ w_i·g_i / n, with g_i sample i's gradient alone.
  @Test(arguments: [
    ("3,4:tanh,2", Loss.meanSquaredError, 2), ("3,4:tanh,3:softmax", .categoricalCrossEntropy, 3),
    ("3x2,rnn4:seq,2", .huber, 4),
  ])
  func theWeightedGradientIsTheWeightedSumOverTheBatchSize(specification: String, loss: Loss, targetWidth: Int) throws {
    let engine = try Self.engine(specification, loss: loss)
    let sequence = specification.hasPrefix("3x2")
    let inputWidth = sequence ? 6 : 3
    var random = Xoshiro256StarStar(seed: 5)
    let inputs = (0..<(3 * inputWidth)).map { _ in random.nextDouble() * 2 - 1 }
    var targets = (0..<(3 * targetWidth)).map { _ in random.nextDouble() }
    if loss == .categoricalCrossEntropy { targets = [1, 0, 0, 0, 0, 1, 0, 1, 0] }
    if sequence { targets = (0..<(3 * 3 * 2)).map { _ in random.nextDouble() * 2 } }
    let weights = [0.5, 0, 2.25]
    let weighted = try Self.gradients(engine, inputs, targets, weights, count: 3)
    let perTarget = targets.count / 3
    var expected: [ParameterKey: [Double]] = [:]
    for i in 0..<3 {
      let alone = try Self.gradients(
        engine, Array(inputs[(i * inputWidth)..<((i + 1) * inputWidth)]),
        Array(targets[(i * perTarget)..<((i + 1) * perTarget)]), nil, count: 1)
      for (key, tensor) in alone {
        let scaled = tensor.scalars.map { $0 * weights[i] / 3 }
        expected[key] = expected[key].map { zip($0, scaled).map { $0 + $1 } } ?? scaled
      }
    }
    for (key, tensor) in weighted {
      for (a, b) in zip(tensor.scalars, expected[key]!) {
        #expect(abs(a - b) <= 1e-12 * max(1, abs(b)), "\(specification) \(key)")
      }
    }
  }

  @Test func evaluationWeighsTheLossButNotTheAccuracy() throws {
    let engine = try Self.engine("3,4:tanh,2:softmax", loss: .categoricalCrossEntropy)
    let inputs: [Double] = [0.1, 0.5, -0.3, 0.9, -0.2, 0.4]
    let targets: [Double] = [1, 0, 0, 1]
    let each = try (0..<2).map { i in
      try engine.evaluate(
        inputs: Array(inputs[(i * 3)..<(i * 3 + 3)]), targets: Array(targets[(i * 2)..<(i * 2 + 2)]), count: 1)
    }
    let weights = [3.0, 0.5]
    let metrics = try inputs.withUnsafeBufferPointer { x in
      try targets.withUnsafeBufferPointer { t in
        try weights.withUnsafeBufferPointer {
          try engine.evaluate(inputs: x, targets: .values(t), weights: $0, count: 2)
        }
      }
    }
    #expect(abs(metrics.loss - (3 * each[0].loss + 0.5 * each[1].loss) / 2) < 1e-14)
    #expect(metrics.correct == each[0].correct + each[1].correct)
  }

  @Test(arguments: [
    ("3,5:tanh,4:softmax", Loss.categoricalCrossEntropy), ("3,5:relu,2:sigmoid", .binaryCrossEntropy),
    ("3,5:tanh,2", .meanSquaredError), ("4x3,rnn5:seq,2", .huber),
  ])
  func gradientChecks(specification: String, loss: Loss) throws {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: specification), seed: 7)
    var check = GradientCheck(model: model, loss: loss, batch: 4, seed: 7)
    check.sampleWeights = [0.25, 3, 0, 1.5]
    let results = try check.run()
    #expect(!results.isEmpty)
    for result in results {
      #expect(result.worstRelativeError < 1e-6, "\(specification): \(result.key) \(result.worstRelativeError)")
    }
  }

  @Test func weightsThatCannotBeAreRefused() throws {
    let engine = try Self.engine("3,4:tanh,2", loss: .meanSquaredError)
    for weights in [[1.0], [1, -1], [1, .nan]] {
      let error = #expect(throws: BPKitError.self) {
        try Self.gradients(engine, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0, 0, 0, 0], weights, count: 2)
      }
      #expect(error?.code == .doesNotFit, "\(weights)")
    }
  }
}
