extension InputShape {
  /// Checks that `inputs` numbers hold `count` whole samples and returns the
  /// number of time steps per sample (1 for vectors).
  ///
  /// - Throws: ``EngineError`` naming the size expected.
  func batchSteps(inputs: Int, count: Int) throws(EngineError) -> Int {
    guard count > 0 else { throw .emptyBatch }
    switch self {
    case .vector(let features):
      guard inputs == count * features else {
        throw .inputSizeMismatch(
          count: count, samplesOf: "\(features) features", expected: count * features, actual: inputs)
      }
      return 1
    case .sequence(let steps?, let features):
      guard inputs == count * steps * features else {
        throw .inputSizeMismatch(
          count: count, samplesOf: "\(steps) steps of \(features) features", expected: count * steps * features,
          actual: inputs)
      }
      return steps
    case .sequence(nil, let features):
      guard inputs > 0, inputs % (count * features) == 0 else {
        throw .inputSizeMismatch(
          count: count, samplesOf: "whole steps of \(features) features",
          expected: count * features * max(1, inputs / (count * features)), actual: inputs)
      }
      return inputs / (count * features)
    }
  }
}
