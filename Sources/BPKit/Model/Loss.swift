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

  /// Huber's δ, Keras' default (`keras.losses.Huber(delta=1.0)`).
  public static let huberDelta = 1.0

  /// Whether the loss compares values (a regression loss) rather than classes.
  public var isRegression: Bool { self == .meanSquaredError || self == .meanAbsoluteError || self == .huber }
}
