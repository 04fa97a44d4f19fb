/// What is written for each sample: its outputs, its class, or its best classes.
public enum PredictionMode: Sendable, Equatable {
  /// The model's outputs (probabilities for softmax/sigmoid models).
  case outputs
  /// The index of the largest output: the predicted class.
  case argmax
  /// The `k` largest outputs' indices with their values, best first.
  case topK(Int)

  /// The classes and scores to report for one sample's outputs. A binary
  /// classifier's one sigmoid output `p` ranks class 1 with `p` and class 0
  /// with `1 - p`, so its class is `p >= 0.5`.
  public func ranked<S: BinaryFloatingPoint>(_ outputs: ArraySlice<S>, kind: NetworkDescription.OutputKind)
    -> [(index: Int, score: S)]
  {
    let scores = kind.classScores(outputs)
    let k: Int
    switch self {
    case .outputs: return []
    case .argmax: k = 1
    case .topK(let count): k = min(count, scores.count)
    }
    // A stable order: larger score first, then smaller index (class 1 when p is exactly 0.5).
    let binary = kind == .binary
    return scores.indices.sorted {
      scores[$0] != scores[$1] ? scores[$0] > scores[$1] : (binary ? $0 > $1 : $0 < $1)
    }
    .prefix(k).map { ($0, scores[$0]) }
  }
}
