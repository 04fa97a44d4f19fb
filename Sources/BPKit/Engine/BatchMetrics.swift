/// What one batch (or one evaluation) measured.
public struct BatchMetrics: Hashable, Sendable {
  /// The mean loss over the batch's samples (and time steps, for sequence outputs).
  public var loss: Double
  /// The number of samples.
  public var samples: Int
  /// Correct predictions: rows whose largest output is the target class
  /// (cross-entropy) or outputs on the right side of 0.5 (binary cross-entropy).
  public var correct: Int
  /// The number of predictions judged; 0 for mean squared error, which has no accuracy.
  public var judged: Int

  /// Creates metrics.
  public init(loss: Double, samples: Int, correct: Int, judged: Int) {
    self.loss = loss
    self.samples = samples
    self.correct = correct
    self.judged = judged
  }

  /// `correct / judged`, or `nil` when nothing was judged.
  public var accuracy: Double? { judged > 0 ? Double(correct) / Double(judged) : nil }
}
