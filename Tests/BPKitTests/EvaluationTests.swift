import BPKit
import Foundation
import Testing
import _BPKitTestSupport

@Suite struct EvaluationTests {
  static func network(_ activation: Activation, units: Int) -> NetworkDescription {
    NetworkDescription(
      input: .vector(features: 2),
      layers: [Layer(name: "out", kind: .dense(units: units, activation: activation, useBias: true))])
  }

  @Test func crossEntropyWithClassLabels() throws {
    var evaluation = try Evaluation(network: Self.network(.softmax, units: 3))
    try evaluation.add(outputs: [0.7, 0.2, 0.1, 0.1, 0.1, 0.8], labels: [0, 1], units: 3, source: "t")
    #expect(abs(evaluation.meanLoss - (-log(0.7) - log(0.1)) / 2) < 1e-6)
    #expect(evaluation.accuracy == 0.5)
    #expect(evaluation.confusion?[1, 2] == 1)
    expectReason(DataError.labelOutOfRange(source: "t", row: 2, value: 3, classCount: 3)) {
      try evaluation.add(outputs: [0.3, 0.3, 0.4], labels: [3], units: 3, source: "t")
    }
  }

  @Test func meanSquaredErrorForLinearOutputs() throws {
    var evaluation = try Evaluation(network: Self.network(.linear, units: 2))
    try evaluation.add(outputs: [1, 2, 3, 4], labels: [1, 0, 3, 2], units: 2, source: "t")
    #expect(evaluation.meanLoss == 2)
    #expect(evaluation.accuracy == nil)
  }

  @Test func binaryCrossEntropyForOneSigmoidOutput() throws {
    var evaluation = try Evaluation(network: Self.network(.sigmoid, units: 1))
    try evaluation.add(outputs: [0.9, 0.2], labels: [1, 1], units: 1, source: "t")
    #expect(abs(evaluation.meanLoss - (-log(0.9) - log(0.2)) / 2) < 1e-6)
    #expect(evaluation.accuracy == 0.5)
  }
}

@Suite struct RegressionEvaluationTests {
  @Test func meanAbsoluteErrorAndRSquaredPerOutput() throws {
    var evaluation = try Evaluation(network: EvaluationTests.network(.linear, units: 2))
    // Output 0: predictions 1, 3 for targets 1, 3 (perfect); output 1: 2, 4 for 0, 2 (off by 2).
    try evaluation.add(outputs: [1, 2], labels: [1, 0], units: 2, source: "t")
    try evaluation.add(outputs: [3, 4], labels: [3, 2], units: 2, source: "t")
    #expect(evaluation.meanLoss == 2)
    #expect(evaluation.meanAbsoluteError == 1)
    // R² = mean(1 − 0/2, 1 − 8/2) = (1 + (−3)) / 2.
    #expect(evaluation.rSquared == -1)
  }

  @Test func rSquaredIsUndefinedForConstantTargets() throws {
    var evaluation = try Evaluation(network: EvaluationTests.network(.tanh, units: 1))
    try evaluation.add(outputs: [0.5, 0.25], labels: [1, 1], units: 1, source: "t")
    #expect(evaluation.rSquared == nil)
    #expect(evaluation.meanAbsoluteError == 0.625)
  }

  @Test func classifiersHaveNoRegressionErrors() throws {
    let evaluation = try Evaluation(network: EvaluationTests.network(.sigmoid, units: 1))
    #expect(evaluation.meanAbsoluteError == nil)
    #expect(evaluation.rSquared == nil)
  }
}
