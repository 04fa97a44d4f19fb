import Testing
import _BPKitTestSupport

@testable import BPKit

/// Update rules on hand-computed cases.
@Suite struct OptimizerRuleTests {
  /// Applies `gradients` one update at a time to a single weight and returns
  /// the weight after each update.
  static func run(
    _ configuration: OptimizerConfiguration, weight: Float, gradients: [Float]
  ) -> [Float] {
    let rule = OptimizerRule(configuration: configuration)
    var w = [weight]
    var slots = rule.slotNames.map { [Float(rule.initialValue(ofSlot: $0))] }
    var trace: [Float] = []
    for (iteration, g) in gradients.enumerated() {
      let pointers = slots.indices.map { i in slots[i].withUnsafeMutableBufferPointer { $0.baseAddress! } }
      w.withUnsafeMutableBufferPointer { w in
        [g].withUnsafeBufferPointer { g in
          rule.apply(
            weights: w.baseAddress!, gradients: g.baseAddress!, count: 1, slots: pointers,
            iterations: Int64(iteration))
        }
      }
      trace.append(w[0])
    }
    withExtendedLifetime(slots) {}
    return trace
  }

  static func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
  }

  @Test func plainSGD() {
    // w ← w − η·g
    let trace = Self.run(.init(kind: .sgd, learningRate: 0.1), weight: 1, gradients: [0.5, 0.5])
    #expect(Self.close(trace, [0.95, 0.9]))
  }

  @Test func momentum() {
    // m = 0.9·0 − 0.1·0.5 = −0.05, w = 0.95; m = 0.9·(−0.05) − 0.05 = −0.095, w = 0.855
    let trace = Self.run(.init(kind: .momentum, learningRate: 0.1), weight: 1, gradients: [0.5, 0.5])
    #expect(Self.close(trace, [0.95, 0.855]))
  }

  @Test func nesterov() {
    // m = −0.05, w = 1 + (0.9·(−0.05) − 0.05) = 0.905; m = −0.095, w = 0.905 + (−0.0855 − 0.05) = 0.7695
    let trace = Self.run(.init(kind: .nesterov, learningRate: 0.1), weight: 1, gradients: [0.5, 0.5])
    #expect(Self.close(trace, [0.905, 0.7695]))
  }

  @Test func adam() {
    // t = 1: α = 0.001·√0.001/0.1; m = 0.05; v = 0.00025; w = 1 − 0.05·α/(√0.00025 + 1e−7)
    let alpha = 0.001 * (0.001).squareRoot() / 0.1
    let expected = 1 - 0.05 * alpha / ((0.00025).squareRoot() + 1e-7)
    let trace = Self.run(.init(kind: .adam), weight: 1, gradients: [0.5])
    #expect(Self.close(trace, [Float(expected)]))
  }

  @Test func rmspropMatchesKerasDocumentedExample() {
    // keras.optimizers.RMSprop docstring: lr 0.1, var 10, loss var²/2 → 9.683772.
    let trace = Self.run(.init(kind: .rmsprop, learningRate: 0.1), weight: 10, gradients: [10])
    #expect(Self.close(trace, [9.683772]))
  }

  @Test func rmspropWithMomentumKeepsAMomentumSlot() {
    let rule = OptimizerRule(configuration: .init(kind: .rmsprop, momentum: 0.5))
    #expect(rule.slotNames == ["velocity", "momentum"])
    // v = 0.1·100 = 10, Δ = 0.1·10/√10 = 0.316228; m = Δ; w = 9.683772;
    // v = 0.9·10 + 0.1·100 = 19, Δ = 1/√19 = 0.229416; m = 0.5·0.316228 + 0.229416 = 0.387530; w = 9.296242
    let trace = Self.run(.init(kind: .rmsprop, learningRate: 0.1, momentum: 0.5), weight: 10, gradients: [10, 10])
    #expect(Self.close(trace, [9.683772, 9.296242], 1e-5))
  }

  @Test func rpropFollowsIRPROPMinus() {
    // Δ₀ = 0.1. g = 1: Δ = 0.12, w = −0.12. g = 1: Δ = 0.144, w = −0.264.
    // g = −1 (sign change): Δ = 0.072, g ← 0 and the weight stays.
    // g = −1 (after a zeroed gradient): Δ = 0.0864, w = −0.1776. g = 0: Δ = 0.10368, w stays.
    let trace = Self.run(.init(kind: .rprop), weight: 0, gradients: [1, 1, -1, -1, 0])
    #expect(Self.close(trace, [-0.12, -0.264, -0.264, -0.1776, -0.1776]))
  }

  @Test func rpropStepsStayWithinTheirBounds() {
    let trace = Self.run(
      .init(kind: .rprop, maximumStep: 0.15), weight: 0, gradients: Array(repeating: -1, count: 5))
    // Steps 0.12, 0.144, then capped at 0.15.
    #expect(Self.close(trace, [0.12, 0.264, 0.414, 0.564, 0.714]))
  }

  @Test func slotNamesFollowKeras() {
    #expect(OptimizerRule(configuration: .init(kind: .sgd)).slotNames == [])
    #expect(OptimizerRule(configuration: .init(kind: .momentum)).slotNames == ["momentum"])
    #expect(OptimizerRule(configuration: .init(kind: .nesterov)).slotNames == ["momentum"])
    #expect(OptimizerRule(configuration: .init(kind: .adam)).slotNames == ["momentum", "velocity"])
    #expect(OptimizerRule(configuration: .init(kind: .rmsprop)).slotNames == ["velocity"])
    #expect(OptimizerRule(configuration: .init(kind: .rprop)).slotNames == ["previous_gradient", "step_size"])
  }

  @Test func invalidHyperparametersAreRefused() {
    expectReason(EngineError.invalidHyperparameter(name: "beta_1", value: 1, expected: "in [0, 1)")) {
      try OptimizerRule(configuration: .init(kind: .adam, beta1: 1)).validate()
    }
    expectReason(EngineError.invalidHyperparameter(name: "learning_rate", value: -1, expected: "at least 0")) {
      try OptimizerRule(configuration: .init(kind: .sgd, learningRate: -1)).validate()
    }
  }
}
