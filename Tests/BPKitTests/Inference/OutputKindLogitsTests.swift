import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// A linear output trained with a from-logits loss
/// (``NetworkDescription/outputKind(loss:)``): its logits rank classes for
/// `--argmax` and `--top-k`, scored by their softmax or sigmoid, bit for bit
/// the outputs of the same network with a softmax or sigmoid output layer.
@Suite struct OutputKindLogitsTests {
  /// A network of 6 features, a relu layer and `units` outputs with `activation`.
  static func model(units: Int, activation: Activation = .linear) throws -> Model {
    try Model(
      initializing: NetworkDescription(
        input: .vector(features: 6),
        layers: [
          Layer(name: "hidden", kind: .dense(units: 12, activation: .relu, useBias: true)),
          Layer(name: "out", kind: .dense(units: units, activation: activation, useBias: true)),
        ]), seed: 11)
  }

  /// The same weights with another output activation.
  static func twin(of model: Model, units: Int, activation: Activation) -> Model {
    var twin = model
    twin.network.layers[1].kind = .dense(units: units, activation: activation, useBias: true)
    return twin
  }

  /// 50 samples whose logits spread widely (inputs up to ±40), so that some
  /// probabilities saturate.
  static let inputs: [Float] = (0..<300).map { Float(($0 * 37) % 101 - 50) * 0.8 }

  @Test(arguments: [
    (Loss.categoricalCrossEntropyFromLogits, 4, NetworkDescription.OutputKind.logits(count: 4)),
    (.sparseCategoricalCrossEntropyFromLogits, 3, .logits(count: 3)),
    (.binaryCrossEntropyFromLogits, 1, .binaryLogit),
    (.binaryCrossEntropyFromLogits, 3, .multiLabelLogits(count: 3)),
    (.categoricalCrossEntropy, 4, .regression(width: 4)),
    (.meanSquaredError, 1, .regression(width: 1)),
  ])
  func aLinearOutputsKindFollowsItsLoss(loss: Loss, units: Int, expected: NetworkDescription.OutputKind) throws {
    let network = try Self.model(units: units).network
    #expect(try network.outputKind(loss: loss) == expected)
    #expect(try network.outputKind(loss: nil) == .regression(width: units))
    #expect(try network.outputKind() == .regression(width: units))
    #expect(expected.isLogits == loss.fromLogits)
    #expect(network.hasLinearOutput)
  }

  @Test(arguments: [Activation.softmax, .sigmoid, .tanh, .relu])
  func aFromLogitsLossOnAnotherOutputActivationIsRefused(activation: Activation) throws {
    let network = try Self.model(units: 3, activation: activation).network
    #expect(!network.hasLinearOutput)
    for loss in Loss.allCases where loss.fromLogits {
      let error = #expect(throws: BPKitError.self) { try network.outputKind(loss: loss) }
      #expect(error?.code == .invalidSetting)
      #expect(error?.message.contains("the loss \(loss.rawValue) takes a linear output layer's logits") == true)
      #expect(error?.message.contains(activation.name) == true, "\(error?.message ?? "")")
    }
  }

  /// softmax(z), σ(z) and [1 − σ(z), σ(z)] of the logits are the outputs of
  /// the softmax or sigmoid twin, bit for bit, in Float32 and in Float64.
  @Test(arguments: [
    (Loss.categoricalCrossEntropyFromLogits, 5, Activation.softmax),
    (.binaryCrossEntropyFromLogits, 1, .sigmoid),
    (.binaryCrossEntropyFromLogits, 3, .sigmoid),
  ])
  func theScoresAreTheSoftmaxOrSigmoidOutputsBitForBit(loss: Loss, units: Int, activation: Activation) throws {
    let linear = try Self.model(units: units)
    let twin = Self.twin(of: linear, units: units, activation: activation)
    let kind = try linear.network.outputKind(loss: loss)
    let twinKind = try twin.network.outputKind()
    let count = Self.inputs.count / 6

    let logits = try Predictor(model: linear).predict(Self.inputs, count: count)
    let probabilities = try Predictor(model: twin).predict(Self.inputs, count: count)
    let logits64 = try Predictor(model: linear.converted(to: .float64)).predict(
      Self.inputs.map(Double.init), count: count)
    let probabilities64 = try Predictor(model: twin.converted(to: .float64)).predict(
      Self.inputs.map(Double.init), count: count)
    var saturated = false
    for sample in 0..<count {
      let row = sample * units..<(sample + 1) * units
      #expect(
        kind.classScores(logits[row]).map(\.bitPattern) == twinKind.classScores(probabilities[row]).map(\.bitPattern),
        "sample \(sample)")
      #expect(
        kind.classScores(logits64[row]).map(\.bitPattern)
          == twinKind.classScores(probabilities64[row]).map(\.bitPattern), "sample \(sample), float64")
      saturated = saturated || probabilities[row].contains { $0 < 1e-6 || $0 > 1 - 1e-6 }
    }
    #expect(saturated, "the inputs should drive some probabilities to the ends")
  }

  @Test func theBestClassIsTheLargestLogitAndTopKScoresAreProbabilities() throws {
    let kind = NetworkDescription.OutputKind.logits(count: 4)
    let z: [Float] = [0.5, 2, -1, 1]
    #expect(PredictionMode.argmax.ranked(z[...], kind: kind).map(\.index) == [1])
    let ranked = PredictionMode.topK(4).ranked(z[...], kind: kind)
    #expect(ranked.map(\.index) == [1, 3, 0, 2])
    let probabilities = kind.classScores(z[...])
    #expect(ranked.map(\.score) == [probabilities[1], probabilities[3], probabilities[0], probabilities[2]])
    #expect(abs(probabilities.reduce(0, +) - 1) < 1e-6)
    #expect(abs(Double(probabilities[1]) - exp(2) / (exp(0.5) + exp(2) + exp(-1) + exp(1))) < 1e-6)
  }

  /// e^−120 and e^−130 are both 0 in Float: their probabilities tie, their
  /// logits do not, and the logits decide.
  @Test func logitsRankClassesWhoseProbabilitiesRoundAlike() throws {
    let kind = NetworkDescription.OutputKind.logits(count: 3)
    let z: [Float] = [0, -130, -120]
    #expect(kind.classScores(z[...]) == [1, 0, 0])
    #expect(PredictionMode.topK(3).ranked(z[...], kind: kind).map(\.index) == [0, 2, 1])
  }

  /// One logit z: class 1 when z > 0 (σ(z) > ½), so z = 0 is class 0, as
  /// training's accuracy and ``Evaluation`` count it; even when σ(z) rounds to ½.
  @Test(arguments: [(Float(2), 1), (-2, 0), (0, 0), (-0.0, 0), (1e-9, 1), (-1e-9, 0)])
  func oneLogitIsClassOneAboveZero(z: Float, expected: Int) throws {
    let kind = NetworkDescription.OutputKind.binaryLogit
    let ranked = PredictionMode.topK(2).ranked([z][...], kind: kind)
    #expect(ranked.map(\.index) == [expected, 1 - expected])
    let p = 1 / (1 + exp(-Double(z)))
    #expect(abs(Double(ranked.first { $0.index == 1 }!.score) - p) < 1e-7)
    #expect(abs(Double(ranked.first { $0.index == 0 }!.score) - (1 - p)) < 1e-7)
    #expect(PredictionMode.argmax.ranked([Double(z)][...], kind: kind).map(\.index) == [expected])
  }

  @Test func severalLogitsAreIndependentLabelsRankedByLogit() throws {
    let kind = NetworkDescription.OutputKind.multiLabelLogits(count: 3)
    let ranked = PredictionMode.topK(3).ranked([-1, 3, 0.25][...] as ArraySlice<Double>, kind: kind)
    #expect(ranked.map(\.index) == [1, 2, 0])
    #expect(abs(ranked[0].score - 1 / (1 + exp(-3))) < 1e-15)
    #expect(abs(ranked[2].score - 1 / (1 + exp(1))) < 1e-15)
  }

  /// Each format writes the classes and probabilities of a from-logits model
  /// given its loss, as of its softmax twin; without the loss it is refused.
  @Test(arguments: PredictionFormat.allCases)
  func writersRankTheLogitsOfAModelGivenItsLoss(format: PredictionFormat) throws {
    let linear = try Self.model(units: 4)
    let twin = Self.twin(of: linear, units: 4, activation: .softmax)
    let folder = try TemporaryDirectory()
    let count = Self.inputs.count / 6
    func written(_ model: Model, _ loss: Loss?, _ mode: PredictionMode, _ name: String) throws -> Data {
      let path = folder.path("\(name).\(format.rawValue)")
      let writer = try format.writer(to: try OutputFile(replacing: path), mode: mode, model: model, loss: loss)
      try writer.write(outputs: try Predictor(model: model).predict(Self.inputs, count: count), count: count)
      try writer.finish()
      return try Data(contentsOf: URL(fileURLWithPath: path))
    }
    for mode in [PredictionMode.argmax, .topK(3)] {
      let fromLogits = try written(linear, .categoricalCrossEntropyFromLogits, mode, "logits")
      let fromSoftmax = try written(twin, nil, mode, "softmax")
      if format == .h5 {
        let logitsFile = try HDF5File(openingAtPath: folder.path("logits.h5")).root
        let softmaxFile = try HDF5File(openingAtPath: folder.path("softmax.h5")).root
        #expect(
          try logitsFile.openDataset("classes").read(as: Int64.self)
            == softmaxFile.openDataset("classes").read(as: Int64.self))
        if mode != .argmax {
          #expect(
            try logitsFile.openDataset("scores").read(as: Float.self).map(\.bitPattern)
              == softmaxFile.openDataset("scores").read(as: Float.self).map(\.bitPattern))
        }
      } else {
        #expect(fromLogits == fromSoftmax)
      }
    }
    let refused = #expect(throws: BPKitError.self) {
      try format.writer(to: try OutputFile(replacing: folder.path("refused")), mode: .argmax, model: linear)
    }
    #expect(refused?.message.hasPrefix("argmax needs a classifier, and the model is a regression model") == true)
  }

  /// A linear output may carry class names: one per logit, or two for one logit.
  @Test func aLinearOutputTakesClassNamesForItsLogits() throws {
    try ModelNames(classes: ["a", "b", "c"]).check(against: try Self.model(units: 3).network)
    try ModelNames(classes: ["no", "yes"]).check(against: try Self.model(units: 1).network)
    let error = #expect(throws: BPKitError.self) {
      try ModelNames(classes: ["a", "b"]).check(against: try Self.model(units: 3).network)
    }
    #expect(error?.code == .invalidModel)
    #expect(throws: BPKitError.self) {
      try ModelNames(classes: ["a", "b", "c"]).check(against: try Self.model(units: 3, activation: .tanh).network)
    }
  }
}
