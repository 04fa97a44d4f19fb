/// The precision a model's weights are stored in and its engine computes in.
///
/// A float32 model trains and predicts in `Float`, a float64 model in
/// `Double`, end to end: its files store float64 tensors, its optimizer
/// slots are `Double`, and its predictions are `Double`. Keras calls this a
/// model's dtype policy (`float32`, `float64`).
public enum DType: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
  /// IEEE 754 single precision, `Float`: bpkit's default, as Keras'.
  case float32
  /// IEEE 754 double precision, `Double`.
  case float64

  /// The name used on the command line and in files: `float32` or `float64`.
  public var description: String { rawValue }

  /// The dtype `S` computes in.
  static func of<S: BLASScalar>(_: S.Type) -> DType { S.self == Double.self ? .float64 : .float32 }
}
