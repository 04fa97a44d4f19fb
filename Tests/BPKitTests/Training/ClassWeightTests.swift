import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

/// Class weights (Keras' `class_weight`): each sample's loss weighs its
/// class's weight, the batch mean still divides by the batch size, and
/// weights of 1 change no bit.
@Suite struct ClassWeightTests {
  /// Rows of outputs, logits and targets for each loss, with weights of 1.
  static func evaluate(_ loss: Loss, weights: [Double]?) -> (LossTotals, [Double]) {
    let width = 3
    let z: [Double] = [0.3, -1.2, 2.0, 1.5, 0.1, -0.4, -2.0, 0.7, 0.2, 0.9, 0.9, -3.0]
    var y = z
    var t: [Double] = [0, 0, 1, 1, 0, 0, 0, 1, 0, 0.25, 0.75, 0]
    switch loss {
    case .categoricalCrossEntropy:
      for r in 0..<4 {
        let e = (0..<width).map { exp(z[r * width + $0]) }
        for j in 0..<width { y[r * width + j] = e[j] / e.reduce(0, +) }
      }
    case .binaryCrossEntropy:
      y = z.map { 1 / (1 + exp(-$0)) }
    default:
      t = t.map { 2 * $0 - 0.5 }
    }
    var gradient = [Double](repeating: .nan, count: y.count)
    let totals = y.withUnsafeBufferPointer { yp in
      z.withUnsafeBufferPointer { zp in
        t.withUnsafeBufferPointer { tp in
          gradient.withUnsafeMutableBufferPointer { g in
            if let weights {
              weights.withUnsafeBufferPointer { w in
                loss.evaluate(
                  y: yp.baseAddress!, z: zp.baseAddress!, zStride: width, rows: 4, width: width,
                  targets: .values(tp.baseAddress!), gradient: g.baseAddress!, weights: w.baseAddress!)
              }
            } else {
              loss.evaluate(
                y: yp.baseAddress!, z: zp.baseAddress!, zStride: width, rows: 4, width: width,
                targets: .values(tp.baseAddress!), gradient: g.baseAddress!)
            }
          }
        }
      }
    }
    return (totals, gradient)
  }

  @Test(arguments: Loss.allCases)
  func weightsOfOneChangeNoBit(loss: Loss) {
    let (plain, plainGradient) = Self.evaluate(loss, weights: nil)
    let (ones, onesGradient) = Self.evaluate(loss, weights: [1, 1, 1, 1])
    #expect(plain.sum.bitPattern == ones.sum.bitPattern)
    #expect(plainGradient.map(\.bitPattern) == onesGradient.map(\.bitPattern))
    #expect(plain.correct == ones.correct && plain.judged == ones.judged)
  }

  /// Row r's loss and gradient scale by w_r; the mean still divides by the
  /// 4 rows (Keras' sum_over_batch_size), and accuracy stays unweighted.
  @Test(arguments: Loss.allCases)
  func eachRowScalesByItsWeight(loss: Loss) {
    let weights = [2.0, 0, 0.5, 1]
    let (plain, plainGradient) = Self.evaluate(loss, weights: nil)
    let (weighted, gradient) = Self.evaluate(loss, weights: weights)
    let rowLosses = (0..<4).map { r in
      Self.evaluate(loss, weights: (0..<4).map { $0 == r ? 1 : 0 }).0.sum
    }
    #expect(abs(rowLosses.reduce(0, +) - plain.sum) < 1e-12)
    #expect(abs(weighted.sum - zip(weights, rowLosses).map { $0 * $1 }.reduce(0, +)) < 1e-12)
    for k in gradient.indices {
      #expect(abs(gradient[k] - weights[k / 3] * plainGradient[k]) < 1e-15)
    }
    #expect(weighted.correct == plain.correct && weighted.judged == plain.judged)
  }

  static func engine(_ specification: String, loss: Loss, classWeights: [Double]?) throws -> TrainingEngine<Double> {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: specification), seed: 3)
    return try TrainingEngine<Double>(
      model: model, optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .sgd)), loss: loss,
      classWeights: classWeights)
  }

  static func close(_ a: [ParameterKey: Tensor<Double>], _ b: [ParameterKey: Tensor<Double>]) -> Bool {
    a.keys == b.keys
      && a.allSatisfy { key, tensor in
        zip(tensor.scalars, b[key]!.scalars).allSatisfy { abs($0 - $1) <= 1e-13 * max(1, abs($0)) }
      }
  }

  /// A class weighing 0 drops its samples, and the batch mean still counts
  /// them: the gradient of [a, b, c, d] with class 1 at weight 0 is that of
  /// the class-0 samples alone, times 2/4.
  @Test func aClassAtZeroDropsItsSamplesButTheMeanCountsThem() throws {
    let inputs: [Double] = [0.1, 0.5, -0.3, 0.9, -0.2, 0.4, -0.6, 0.8, 0.3, 0.2, 0.7, -0.5]
    let weighted = try Self.engine("3,4:tanh,2:softmax", loss: .categoricalCrossEntropy, classWeights: [1, 0])
    let all = try inputs.withUnsafeBufferPointer { x in
      try [0, 1, 0, 1].withUnsafeBufferPointer { try weighted.gradients(inputs: x, targets: .labels($0), count: 4) }
    }
    let plain = try Self.engine("3,4:tanh,2:softmax", loss: .categoricalCrossEntropy, classWeights: nil)
    let kept = Array(inputs[0..<3] + inputs[6..<9])
    let half = try kept.withUnsafeBufferPointer { x in
      try [0, 0].withUnsafeBufferPointer { try plain.gradients(inputs: x, targets: .labels($0), count: 2) }
    }
    #expect(Self.close(all, half.mapValues { Tensor(shape: $0.shape, scalars: $0.scalars.map { $0 / 2 }) }))
  }

  /// Labels, one-hot rows and a one-unit sigmoid's 0/1 targets find the same
  /// class for each sample, as Keras' class_weight_to_sample_weights does.
  @Test func labelsAndOneHotRowsFindTheSameClasses() throws {
    let inputs: [Double] = [0.1, 0.5, -0.3, 0.9, -0.2, 0.4, -0.6, 0.8, 0.3]
    let engine = try Self.engine("3,4:tanh,3:softmax", loss: .categoricalCrossEntropy, classWeights: [0.5, 3, 1.5])
    let byLabel = try inputs.withUnsafeBufferPointer { x in
      try [2, 0, 1].withUnsafeBufferPointer { try engine.gradients(inputs: x, targets: .labels($0), count: 3) }
    }
    let oneHot: [Double] = [0, 0, 1, 1, 0, 0, 0, 1, 0]
    let byRow = try inputs.withUnsafeBufferPointer { x in
      try oneHot.withUnsafeBufferPointer { try engine.gradients(inputs: x, targets: .values($0), count: 3) }
    }
    #expect(Self.close(byLabel, byRow))

    let binary = try Self.engine("3,4:tanh,1:sigmoid", loss: .binaryCrossEntropy, classWeights: [4, 0])
    // Targets 0.2 and 0 are class 0, 0.9 is class 1 (weight 0): only rows 0 and 2 count.
    let weighted = try inputs.withUnsafeBufferPointer { x in
      try [0.2, 0.9, 0].withUnsafeBufferPointer { try binary.gradients(inputs: x, targets: .values($0), count: 3) }
    }
    let plain = try Self.engine("3,4:tanh,1:sigmoid", loss: .binaryCrossEntropy, classWeights: nil)
    let kept = Array(inputs[0..<3] + inputs[6..<9])
    let alone = try kept.withUnsafeBufferPointer { x in
      try [0.2, 0].withUnsafeBufferPointer { try plain.gradients(inputs: x, targets: .values($0), count: 2) }
    }
    #expect(
      Self.close(weighted, alone.mapValues { Tensor(shape: $0.shape, scalars: $0.scalars.map { $0 * 4 * 2 / 3 }) }))
  }

  /// Evaluation (validation) is not weighted, as Keras validates without class_weight.
  @Test func evaluationIsNotWeighted() throws {
    let inputs: [Double] = [0.1, 0.5, -0.3, 0.9, -0.2, 0.4]
    let weighted = try Self.engine("3,4:tanh,2:softmax", loss: .categoricalCrossEntropy, classWeights: [3, 0.25])
    let plain = try Self.engine("3,4:tanh,2:softmax", loss: .categoricalCrossEntropy, classWeights: nil)
    let a = try weighted.evaluate(inputs: inputs, labels: [0, 1], count: 2)
    let b = try plain.evaluate(inputs: inputs, labels: [0, 1], count: 2)
    #expect(a.loss.bitPattern == b.loss.bitPattern)
  }

  /// Float64 gradient checks of weighted cross-entropy (labels and one-hot)
  /// and binary cross-entropy (one unit and two), within 1e-6.
  @Test(arguments: [
    ("3,5:tanh,4:softmax", Loss.categoricalCrossEntropy, true, [0.5, 2, 0, 1.25]),
    ("3,5:tanh,4:softmax", .categoricalCrossEntropy, false, [3, 1, 0.2, 0.7]),
    ("3,5:relu,1:sigmoid", .binaryCrossEntropy, false, [0.3, 2.5]),
    ("3,5:tanh,2:sigmoid", .binaryCrossEntropy, false, [1.5, 0.25]),
  ])
  func gradientChecks(specification: String, loss: Loss, labels: Bool, weights: [Double]) throws {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: specification), seed: 7)
    var check = GradientCheck(model: model, loss: loss, batch: 5, useLabels: labels, seed: 7)
    check.classWeights = weights
    let results = try check.run()
    #expect(!results.isEmpty)
    for result in results {
      #expect(result.worstRelativeError < 1e-6, "\(specification): \(result.key) \(result.worstRelativeError)")
    }
  }

  @Test func balancedIsScikitLearnsBalanced() throws {
    // n = 40 over k = 2 present classes: 40/(2·10) and 40/(2·30); an absent class weighs 1.
    #expect(try ClassWeighting.balanced.weights(counts: [10, 30, 0]) == [2, 40.0 / 60, 1])
    #expect(try ClassWeighting.given([1: 5]).weights(counts: [1, 1, 1]) == [1, 5, 1])
  }

  @Test func specifications() throws {
    #expect(try ClassWeighting(specification: "auto") == .balanced)
    #expect(try ClassWeighting(specification: "0:1, 1:5") == .given([0: 1, 1: 5]))
    for bad in ["0:-1", "0:1,0:2", "a:1", "1", "0:nan", ""] {
      let error = #expect(throws: BPKitError.self) { try ClassWeighting(specification: bad) }
      #expect(error?.code == .invalidSetting, "\(bad)")
      #expect(error?.message.contains("--class-weight") == true, "\(bad): \(error?.message ?? "")")
    }
    #expect(throws: TrainingError.self) { try ClassWeighting.given([3: 1]).weights(counts: [1, 1]) }
  }

  @Test func theEngineRefusesWhatCannotBeWeighed() throws {
    for (specification, loss, weights) in [
      ("3,4:tanh,2", Loss.meanSquaredError, [1.0, 1]), ("3,4:tanh,2:softmax", .categoricalCrossEntropy, [1.0]),
      ("3,4:tanh,2:softmax", .categoricalCrossEntropy, [1.0, -1]),
      ("3x2,rnn4:seq,2:softmax", .categoricalCrossEntropy, [1.0, 2]),
    ] {
      let error = #expect(throws: BPKitError.self) {
        try Self.engine(specification, loss: loss, classWeights: weights)
      }
      #expect(error?.code == .invalidSetting, "\(specification) \(weights)")
    }
  }

  @Test(arguments: ["h5", "json"])
  func theCheckpointKeepsTheWeights(format: String) throws {
    let folder = try TemporaryDirectory()
    var checkpoint = FormatSamples.checkpoint(try FormatSamples.model(FormatSamples.denseNetwork()))
    checkpoint.configuration.classWeights = [0.25, 4, 1, 1.0 / 3]
    let path = folder.path("run.\(format)")
    if format == "json" {
      try checkpoint.writeJSON(toPath: path)
      #expect(try Checkpoint(jsonContentsOf: path).configuration == checkpoint.configuration)
    } else {
      try checkpoint.write(to: URL(fileURLWithPath: path))
      #expect(try Checkpoint(contentsOf: URL(fileURLWithPath: path)).configuration == checkpoint.configuration)
    }
  }
}
