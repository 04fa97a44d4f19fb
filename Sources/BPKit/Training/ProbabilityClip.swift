import Foundation

/// Whether a cross-entropy on probabilities clips them to [ε, 1 − ε] before
/// the logarithm, as Keras 3 does (`bpkit train --clip-probabilities`).
///
/// Keras' `categorical_crossentropy`, `sparse_categorical_crossentropy` and
/// `binary_crossentropy` on probabilities (not `from_logits`) clip the
/// output to [ε, 1 − ε], ε = `keras.config.epsilon()` (1e-7 unless changed),
/// on the JAX, PyTorch and NumPy backends (`keras/src/backend/jax/nn.py`);
/// no gradient flows through a clipped probability. The TensorFlow backend
/// computes these losses from the softmax or sigmoid layer's logits instead
/// (`_get_logits` in `keras/src/backend/tensorflow/nn.py`) and does not
/// clip, as bpkit's fused loss does not. The run keeps ε in
/// ``TrainingConfiguration/probabilityClip``.
public enum ProbabilityClip: Hashable, Sendable {
  /// The fused loss, unclipped: Keras' TensorFlow backend.
  case off
  /// Probabilities clipped to [ε, 1 − ε], 0 < ε < 0.5.
  case epsilon(Double)

  /// Keras' default ε, `keras.config.epsilon()`: 1e-7.
  public static let kerasEpsilon = 1e-7

  /// The clip Keras' JAX, PyTorch and NumPy backends apply with the default ε.
  public static let keras = ProbabilityClip.epsilon(kerasEpsilon)

  /// ε, or `nil` when off.
  public var value: Double? {
    if case .epsilon(let epsilon) = self { return epsilon }
    return nil
  }

  /// Reads `--clip-probabilities`' text: `keras` for ``keras``, `none` for
  /// ``off``, or ε as a number above 0 and below 0.5 (`1e-7`).
  ///
  /// - Throws: ``BPKitError/Code/invalidSetting`` for any other text.
  public init(specification: String) throws(BPKitError) {
    let text = specification.trimmingCharacters(in: .whitespaces)
    switch text.lowercased() {
    case "keras": self = .keras
    case "none", "off": self = .off
    default:
      guard let epsilon = Double(text), Self.isValid(epsilon) else {
        throw BPKitError(
          TrainingError.invalidSetting(
            "--clip-probabilities takes keras (ε = 1e-7, Keras' epsilon()), none, or ε as a number above 0 and "
              + "below 0.5, not '\(specification)'"))
      }
      self = .epsilon(epsilon)
    }
  }

  /// Whether `epsilon` bounds a clip: finite, above 0 and below 0.5.
  public static func isValid(_ epsilon: Double) -> Bool { epsilon > 0 && epsilon < 0.5 }

  /// Whether `loss` can clip its probabilities: the categorical, sparse and
  /// binary cross-entropies on probabilities, not their `from_logits` forms.
  public static func applies(to loss: Loss) -> Bool { !loss.fromLogits && loss.requiredActivation != nil }

  /// `ε` as the run's summaries and messages show it, such as `1e-07`.
  public static func summary(_ epsilon: Double?) -> String {
    epsilon.map { "[\($0), 1 − \($0)]" } ?? "none"
  }
}
