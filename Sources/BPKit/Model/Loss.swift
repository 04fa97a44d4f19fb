/// A loss function comparing a network's outputs with targets.
public enum Loss: String, Codable, Hashable, Sendable, CaseIterable {
  /// Mean squared error: mean over outputs of (y − t)².
  case meanSquaredError = "mse"
  /// Categorical cross-entropy: −Σ t·log y, with softmax outputs. Fused with
  /// softmax, its gradient with respect to the pre-activation is y − t.
  /// Integer class labels are accepted as targets.
  case categoricalCrossEntropy = "cross_entropy"
  /// Binary cross-entropy: −(t·log y + (1−t)·log(1−y)), with sigmoid outputs.
  /// Fused with sigmoid, its gradient with respect to the pre-activation is y − t.
  case binaryCrossEntropy = "binary_cross_entropy"
  /// Mean absolute error: mean over outputs of |y − t|, Keras' `mae` (format 1.4).
  case meanAbsoluteError = "mae"
  /// Huber loss with Keras' default δ = 1: mean over outputs of ½e² where
  /// |e| ≤ δ, δ·(|e| − ½δ) elsewhere, with e = y − t; Keras' `huber` (format 1.4).
  case huber = "huber"
  /// Categorical cross-entropy of the softmax of a linear output layer's
  /// values, the logits z: lse(z) − Σ t·z for one-hot t, Keras'
  /// `CategoricalCrossentropy(from_logits=True)` (format 1.6). The network's
  /// outputs, and so its predictions, are logits.
  case categoricalCrossEntropyFromLogits = "cross_entropy_from_logits"
  /// Binary cross-entropy of the sigmoid of a linear output layer's logits z,
  /// max(z, 0) − z·t + log(1 + e^−|z|), Keras'
  /// `BinaryCrossentropy(from_logits=True)` (format 1.6). A prediction's
  /// class is 1 when its logit is above 0.
  case binaryCrossEntropyFromLogits = "binary_cross_entropy_from_logits"
  /// Categorical cross-entropy under Keras' name for integer targets,
  /// `sparse_categorical_crossentropy` (format 1.6): the same loss as
  /// ``categoricalCrossEntropy``, and bpkit takes class labels or one-hot
  /// rows for either; a Keras file exported from it is compiled with the
  /// sparse form again.
  case sparseCategoricalCrossEntropy = "sparse_cross_entropy"
  /// ``sparseCategoricalCrossEntropy`` from a linear output layer's logits,
  /// Keras' `SparseCategoricalCrossentropy(from_logits=True)` (format 1.6).
  case sparseCategoricalCrossEntropyFromLogits = "sparse_cross_entropy_from_logits"

  /// Huber's δ, Keras' default (`keras.losses.Huber(delta=1.0)`).
  public static let huberDelta = 1.0

  /// Whether the loss compares values (a regression loss) rather than classes.
  public var isRegression: Bool { self == .meanSquaredError || self == .meanAbsoluteError || self == .huber }

  /// Whether the loss is a categorical cross-entropy (one-hot or sparse,
  /// from probabilities or from logits): one class per output row, given
  /// as a label or a one-hot row.
  public var isCategorical: Bool {
    switch self {
    case .categoricalCrossEntropy, .categoricalCrossEntropyFromLogits, .sparseCategoricalCrossEntropy,
      .sparseCategoricalCrossEntropyFromLogits:
      true
    case .meanSquaredError, .binaryCrossEntropy, .meanAbsoluteError, .huber, .binaryCrossEntropyFromLogits: false
    }
  }

  /// Whether the loss is a binary cross-entropy, from probabilities or from logits.
  public var isBinary: Bool { self == .binaryCrossEntropy || self == .binaryCrossEntropyFromLogits }

  /// Whether the loss reads a linear output layer's values as logits
  /// (Keras' `from_logits=True`), so that the network predicts logits.
  public var fromLogits: Bool {
    self == .categoricalCrossEntropyFromLogits || self == .binaryCrossEntropyFromLogits
      || self == .sparseCategoricalCrossEntropyFromLogits
  }

  /// The same loss on probabilities: the loss without `from_logits`.
  public var probabilityForm: Loss {
    switch self {
    case .categoricalCrossEntropyFromLogits: .categoricalCrossEntropy
    case .binaryCrossEntropyFromLogits: .binaryCrossEntropy
    case .sparseCategoricalCrossEntropyFromLogits: .sparseCategoricalCrossEntropy
    default: self
    }
  }

  /// Whether the loss is a sparse form (Keras' `sparse_categorical_crossentropy`).
  public var isSparse: Bool {
    self == .sparseCategoricalCrossEntropy || self == .sparseCategoricalCrossEntropyFromLogits
  }
}
