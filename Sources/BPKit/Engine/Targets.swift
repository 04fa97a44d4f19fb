/// The targets of a batch.
public enum Targets<Scalar: BLASScalar> {
  /// One value per output number, row-major like the outputs: one-hot or
  /// probability rows for cross-entropy, real values for mean squared error.
  case values(UnsafeBufferPointer<Scalar>)
  /// One class index per output row (per sample, or per sample and time step
  /// for sequence outputs), for cross-entropy.
  case labels(UnsafeBufferPointer<Int>)
}
