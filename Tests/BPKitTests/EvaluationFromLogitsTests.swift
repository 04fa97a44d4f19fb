import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// ``Evaluation`` of a network trained with a from-logits loss: its linear
/// outputs are logits, evaluated as the loss and accuracy training reports.
@Suite struct EvaluationFromLogitsTests {
  static let iris = Fixtures.path("datasets/iris.csv")

  @Test func categoricalLossIsLogSumExpMinusTheLabelsLogit() throws {
    for loss in [Loss.categoricalCrossEntropyFromLogits, .sparseCategoricalCrossEntropyFromLogits] {
      var evaluation = try Evaluation(network: EvaluationTests.network(.linear, units: 3), loss: loss)
      #expect(evaluation.loss == loss && evaluation.classCount == 3)
      // Row 0 by class label, rows 1 and 2 one-hot; row 2's logits would overflow e^z taken directly.
      try evaluation.add(outputs: [2, 1, 0], labels: [0], units: 3, source: "t")
      try evaluation.add(outputs: [-1, 3, 0.5, 1000, 0, -1000], labels: [0, 1, 0, 0, 1, 0], units: 3, source: "t")
      let lse0 = log(exp(2.0) + exp(1.0) + exp(0.0))
      let lse1 = log(exp(-1.0) + exp(3.0) + exp(0.5))
      let expected = ((lse0 - 2) + (lse1 - 3) + 1000) / 3
      #expect(abs(evaluation.meanLoss - expected) < 1e-12, "\(evaluation.meanLoss) against \(expected)")
      #expect(evaluation.accuracy == 2.0 / 3.0)
      #expect(evaluation.confusion?[1, 1] == 1 && evaluation.confusion?[1, 0] == 1)
    }
  }

  @Test func binaryLossIsTensorFlowsStableFormAndTheClassIsALogitAboveZero() throws {
    var evaluation = try Evaluation(
      network: EvaluationTests.network(.linear, units: 1), loss: .binaryCrossEntropyFromLogits)
    #expect(evaluation.classCount == 2)
    // z = 0.2 (class 1, label 0), −3 (class 0, label 1), 800 (class 1, label 1), 0 (class 0, label 0).
    try evaluation.add(outputs: [0.2, -3, 800, 0], labels: [0, 1, 1, 0], units: 1, source: "t")
    let expected = (0.2 + log1p(exp(-0.2)) + 3 + log1p(exp(-3.0)) + 0 + log(2.0)) / 4
    #expect(abs(evaluation.meanLoss - expected) < 1e-12, "\(evaluation.meanLoss) against \(expected)")
    #expect(evaluation.accuracy == 0.5)
    #expect(evaluation.confusion?[0, 1] == 1 && evaluation.confusion?[1, 0] == 1)
    expectReason(DataError.labelOutOfRange(source: "t", row: 4, value: 2, classCount: 2)) {
      try evaluation.add(outputs: [1], labels: [2], units: 1, source: "t")
    }
  }

  @Test func severalBinaryLogitsAreIndependentLabels() throws {
    var evaluation = try Evaluation(
      network: EvaluationTests.network(.linear, units: 2), loss: .binaryCrossEntropyFromLogits)
    #expect(evaluation.classCount == nil && evaluation.accuracy == nil)
    try evaluation.add(outputs: [1, -2], labels: [1, 0], units: 2, source: "t")
    #expect(abs(evaluation.meanLoss - (log1p(exp(-1.0)) + log1p(exp(-2.0))) / 2) < 1e-12)
  }

  /// Probabilities and logits share one check of labels: several binary
  /// outputs need one label each, from probabilities as from logits.
  @Test func severalBinaryOutputsNeedOneLabelEach() throws {
    for (activation, loss) in [(Activation.sigmoid, Loss?.none), (.linear, .binaryCrossEntropyFromLogits)] {
      var evaluation = try Evaluation(network: EvaluationTests.network(activation, units: 2), loss: loss)
      expectReason(DataError.widthMismatch(source: "t labels", expected: 2, found: 1)) {
        try evaluation.add(outputs: [0.5, 0.25], labels: [1], units: 2, source: "t")
      }
    }
  }

  @Test func aFromLogitsLossOnAnOutputActivationIsRefused() throws {
    for activation in [Activation.softmax, .sigmoid] {
      let thrown = #expect(throws: BPKitError.self) {
        _ = try Evaluation(network: EvaluationTests.network(activation, units: 1), loss: .binaryCrossEntropyFromLogits)
      }
      #expect(thrown?.code == .invalidSetting, "\(String(describing: thrown))")
    }
  }

  @Test func probabilityLossesAndNoLossEvaluateByTheOutputLayer() throws {
    for loss in [nil, Loss.categoricalCrossEntropy, .sparseCategoricalCrossEntropy] {
      #expect(
        try Evaluation(network: EvaluationTests.network(.softmax, units: 3), loss: loss).loss
          == .categoricalCrossEntropy)
    }
    #expect(try Evaluation(network: EvaluationTests.network(.linear, units: 3), loss: nil).loss == .meanSquaredError)
  }

  /// Trained on iris and validated on all of it, the network's last validation
  /// loss and accuracy are those an evaluation of its logits on the same rows gives.
  @Test(arguments: [
    ("4,8:tanh,3", Loss.categoricalCrossEntropyFromLogits, false),
    ("4,8:tanh,3", .sparseCategoricalCrossEntropyFromLogits, false),
    ("4,8:tanh,1", .binaryCrossEntropyFromLogits, true),
  ])
  func theEvaluationIsTheTrainingsValidationOnTheSameRows(layers: String, loss: Loss, binary: Bool) throws {
    let folder = try TemporaryDirectory()
    var data = Self.iris
    if binary {
      // Class 0 against the others.
      let rows = try String(contentsOfFile: Self.iris, encoding: .utf8).split(separator: "\n")
      let relabelled = rows.enumerated().map { index, row in
        index == 0
          ? String(row)
          : row.split(separator: ",").dropLast().joined(separator: ",") + (row.hasSuffix(",0") ? ",0" : ",1")
      }
      data = folder.path("binary.csv")
      try (relabelled.joined(separator: "\n") + "\n").write(toFile: data, atomically: true, encoding: .utf8)
    }
    try TrainingRun(
      TrainingOptions(
        start: .init(layers: layers), data: .init(data: data, target: "species", validation: data, standardize: true),
        schedule: .init(epochs: 3, batchSize: 16, loss: loss, seed: 5),
        output: .init(checkpoint: folder.path("run.h5")))
    ).run()
    let checkpoint = try CheckpointComparison.load(folder.path("run.h5"))
    #expect(checkpoint.configuration.loss == loss)
    let last = try #require(checkpoint.progress.history.last)
    let model = checkpoint.model
    let outcome = try Prediction.run(
      source: try SampleFile.open(
        data, layout: SampleLayout(model.network.input), labels: "species", names: model.names),
      predictor: try Predictor(model: model), writer: nil, evaluate: true, loss: checkpoint.configuration.loss,
      batchSize: 64)
    let evaluation = try #require(outcome.evaluation)
    #expect(evaluation.loss == loss && evaluation.rows == 150)
    let validationLoss = try #require(last.validationLoss)
    #expect(
      abs(evaluation.meanLoss - validationLoss) < 1e-5 * validationLoss,
      "\(evaluation.meanLoss) against \(validationLoss)")
    #expect(evaluation.accuracy.map { abs($0 - (last.validationAccuracy ?? -1)) < 1e-9 } == true)
  }
}
