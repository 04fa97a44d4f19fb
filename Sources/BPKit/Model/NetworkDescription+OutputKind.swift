extension NetworkDescription {
  /// What a network's outputs mean, from its output layer: the one place that
  /// decides whether a model has classes, so that evaluation, `--argmax` and
  /// `--top-k` agree.
  public enum OutputKind: Hashable, Sendable {
    /// A softmax over `count` classes: the class is the largest output.
    case classes(count: Int)
    /// One sigmoid output `p`, the probability of class 1: the class is
    /// `p >= 0.5`, and the two classes score `1 - p` and `p`.
    case binary
    /// Several sigmoid outputs, each an independent probability.
    case multiLabel(count: Int)
    /// Any other output (linear, tanh, relu, ...): values, not classes.
    case regression(width: Int)

    /// The number of classes a prediction chooses among, or `nil` for regression.
    public var classCount: Int? {
      switch self {
      case .classes(let count), .multiLabel(let count): count
      case .binary: 2
      case .regression: nil
      }
    }

    /// One sample's class scores from its outputs: the outputs themselves,
    /// or `[1 - p, p]` for a binary classifier.
    public func classScores<S: BinaryFloatingPoint>(_ outputs: ArraySlice<S>) -> [S] {
      if case .binary = self, let p = outputs.first { return [1 - p, p] }
      return Array(outputs)
    }

    /// A phrase for messages: "a binary classifier (one sigmoid output)", say.
    public var description: String {
      switch self {
      case .classes(let count): "a classifier over \(count) classes (softmax)"
      case .binary: "a binary classifier (one sigmoid output)"
      case .multiLabel(let count): "\(count) independent sigmoid outputs"
      case .regression(let width):
        width == 1
          ? "a regression model (one output that is not softmax or sigmoid)"
          : "a regression model (\(width) outputs that are not softmax or sigmoid)"
      }
    }
  }

  /// What the network's outputs mean.
  ///
  /// - Throws: ``BPKitError`` when the description is invalid.
  public func outputKind() throws(BPKitError) -> OutputKind {
    do {
      let width = try outputShape().width
      switch layers.last?.kind.activation {
      case .softmax: return .classes(count: width)
      case .sigmoid: return width == 1 ? .binary : .multiLabel(count: width)
      default: return .regression(width: width)
      }

    } catch {
      throw BPKitError(error)
    }
  }
}
