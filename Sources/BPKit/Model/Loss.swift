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
}
