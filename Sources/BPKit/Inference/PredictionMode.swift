/// What is written for each sample: its outputs, its class, or its best classes.
public enum PredictionMode: Sendable, Equatable {
  /// The model's outputs (probabilities for softmax/sigmoid models, logits
  /// for a model trained with a from-logits loss).
  case outputs
  /// The index of the best class: the largest output or logit.
  case argmax
  /// The `k` best classes' indices with their scores, best first; a model
  /// trained from logits scores its classes with the logits' softmax or
  /// sigmoid probabilities.
  case topK(Int)

  /// The classes and scores to report for one sample's outputs
  /// (``NetworkDescription/OutputKind/rankedClasses(_:limit:)``). A binary
  /// classifier's one sigmoid output `p` ranks class 1 with `p` and class 0
  /// with `1 - p`, so its class is `p >= 0.5`; one logit z ranks class 1
  /// first when z > 0, with σ(z) and 1 − σ(z).
  public func ranked<S: BLASScalar>(_ outputs: ArraySlice<S>, kind: NetworkDescription.OutputKind)
    -> [(index: Int, score: S)]
  {
    switch self {
    case .outputs: []
    case .argmax: kind.rankedClasses(outputs, limit: 1)
    case .topK(let count): kind.rankedClasses(outputs, limit: count)
    }
  }
}
