extension NetworkDescription {
  /// What a network's outputs mean, from its output layer and the loss that
  /// trained it: the one place that decides whether a model has classes, so
  /// that evaluation, `--argmax` and `--top-k` agree.
  public enum OutputKind: Hashable, Sendable {
    /// A softmax over `count` classes: the class is the largest output.
    case classes(count: Int)
    /// One sigmoid output `p`, the probability of class 1: the class is
    /// `p >= 0.5`, and the two classes score `1 - p` and `p`.
    case binary
    /// Several sigmoid outputs, each an independent probability.
    case multiLabel(count: Int)
    /// The logits z of `count` classes: a linear output trained with
    /// categorical cross-entropy from logits (``Loss/categoricalCrossEntropyFromLogits``,
    /// ``Loss/sparseCategoricalCrossEntropyFromLogits``). The class is the
    /// largest logit, and the classes score softmax(z).
    case logits(count: Int)
    /// One logit z of class 1: a linear output trained with
    /// ``Loss/binaryCrossEntropyFromLogits``. The class is 1 when z > 0, and
    /// the two classes score 1 − σ(z) and σ(z).
    case binaryLogit
    /// Several logits, each of an independent label: a linear output of
    /// several units trained with ``Loss/binaryCrossEntropyFromLogits``,
    /// each scoring σ(z).
    case multiLabelLogits(count: Int)
    /// Any other output (linear, tanh, relu, ...): values, not classes.
    case regression(width: Int)

    /// The number of classes a prediction chooses among, or `nil` for regression.
    public var classCount: Int? {
      switch self {
      case .classes(let count), .multiLabel(let count), .logits(let count), .multiLabelLogits(let count): count
      case .binary, .binaryLogit: 2
      case .regression: nil
      }
    }

    /// Whether the outputs are logits, whose class scores are their softmax
    /// or sigmoid.
    public var isLogits: Bool {
      switch self {
      case .logits, .binaryLogit, .multiLabelLogits: true
      case .classes, .binary, .multiLabel, .regression: false
      }
    }

    /// One sample's class scores from its outputs: the outputs themselves,
    /// `[1 - p, p]` for a binary classifier; for logits, their probabilities
    /// as the softmax or sigmoid output layer computes them from the same
    /// pre-activations, bit for bit (bpkit's own exp): softmax(z), σ(z) per
    /// logit, or `[1 - σ(z), σ(z)]` for one logit.
    public func classScores<S: BLASScalar>(_ outputs: ArraySlice<S>) -> [S] {
      switch self {
      case .binary:
        if let p = outputs.first { return [1 - p, p] }
      case .binaryLogit:
        if let z = outputs.first {
          let p = logistic(z)
          return [1 - p, p]
        }
      case .multiLabelLogits:
        return outputs.map(logistic)
      case .logits:
        let z = Array(outputs)
        var scores = z
        z.withUnsafeBufferPointer { z in
          scores.withUnsafeMutableBufferPointer { softmaxRow(z.baseAddress!, $0.baseAddress!, z.count) }
        }
        return scores
      case .classes, .multiLabel, .regression: break
      }
      return Array(outputs)
    }

    /// One sample's classes, best first, with their scores
    /// (``classScores(_:)``), the first `limit` of them. Classes are ranked
    /// by score, and logits by the logits themselves, so that rounding in
    /// the probabilities never reorders them: the best class is the largest
    /// logit, or 1 for one logit above 0. Ties go to the smaller index,
    /// except that a binary classifier's `p` of exactly 0.5 is class 1.
    public func rankedClasses<S: BLASScalar>(_ outputs: ArraySlice<S>, limit: Int) -> [(index: Int, score: S)] {
      let scores = classScores(outputs)
      let keys: [S]
      switch self {
      case .logits, .multiLabelLogits: keys = Array(outputs)
      case .binaryLogit: keys = outputs.first.map { [-$0, $0] } ?? []
      case .classes, .binary, .multiLabel, .regression: keys = scores
      }
      let binary = self == .binary
      return keys.indices.sorted { keys[$0] != keys[$1] ? keys[$0] > keys[$1] : (binary ? $0 > $1 : $0 < $1) }
        .prefix(limit).map { ($0, scores[$0]) }
    }

    /// A phrase for messages: "a binary classifier (one sigmoid output)", say.
    public var description: String {
      switch self {
      case .classes(let count): "a classifier over \(count) classes (softmax)"
      case .binary: "a binary classifier (one sigmoid output)"
      case .multiLabel(let count): "\(count) independent sigmoid outputs"
      case .logits(let count): "a classifier over \(count) classes (logits of a from-logits loss)"
      case .binaryLogit: "a binary classifier (one logit of a from-logits loss)"
      case .multiLabelLogits(let count): "\(count) independent logits (of a from-logits loss)"
      case .regression(let width):
        width == 1
          ? "a regression model (one output that is not softmax or sigmoid)"
          : "a regression model (\(width) outputs that are not softmax or sigmoid)"
      }
    }
  }

  /// What the network's outputs mean, by its output layer alone: a linear
  /// output is ``OutputKind/regression(width:)``, whatever trained it.
  ///
  /// - Throws: ``BPKitError`` when the description is invalid.
  public func outputKind() throws(BPKitError) -> OutputKind {
    try outputKind(loss: nil)
  }

  /// What the network's outputs mean for a network trained with `loss`: a
  /// from-logits loss makes the output layer's values logits
  /// (``OutputKind/logits(count:)``, ``OutputKind/binaryLogit``,
  /// ``OutputKind/multiLabelLogits(count:)``); any other loss, or `nil` (a
  /// file that does not record its loss), reads the output layer as
  /// ``outputKind()`` does.
  ///
  /// - Throws: ``BPKitError`` when the description is invalid;
  ///   ``BPKitError/Code/invalidSetting`` when a from-logits loss is given
  ///   for an output layer with a softmax or sigmoid activation.
  public func outputKind(loss: Loss?) throws(BPKitError) -> OutputKind {
    do {
      let width = try outputShape().width
      let kind: OutputKind
      switch layers.last?.kind.activation {
      case .softmax: kind = .classes(count: width)
      case .sigmoid: kind = width == 1 ? .binary : .multiLabel(count: width)
      default: kind = .regression(width: width)
      }
      guard let loss, loss.fromLogits else { return kind }
      guard hasLinearOutput else {
        let output: String
        if case .regression = kind, let last = layers.last {
          output = "its output layer '\(last.name)' has \(last.kind.activation?.name ?? "no activation")"
        } else {
          output = "the network's output is \(kind.description)"
        }
        throw TrainingError.invalidSetting(
          "the loss \(loss.rawValue) takes a linear output layer's logits, but \(output); give the loss that "
            + "trained it")
      }
      if loss.isBinary { return width == 1 ? .binaryLogit : .multiLabelLogits(count: width) }
      return .logits(count: width)

    } catch {
      throw BPKitError(error)
    }
  }

  /// Whether the output layer is a linear Dense or Elman layer: the only
  /// output a from-logits loss trains, whose values may be logits.
  public var hasLinearOutput: Bool {
    switch layers.last?.kind {
    case .dense(_, let activation, _), .elman(_, let activation, _, _):
      if case .linear = activation { true } else { false }
    default: false
    }
  }
}
