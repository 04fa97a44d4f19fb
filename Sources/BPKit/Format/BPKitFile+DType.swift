extension BPKitFile {
  /// The file with its weights, and its optimizer's slots, in another
  /// precision; the rest as it is.
  ///
  /// Widening a float32 file to float64 is exact. Narrowing a float64 file to
  /// float32 rounds each value to the nearest Float (ties to even): only on
  /// request, as `bpkit convert --dtype float32` asks for it and says so.
  public func converted(to dtype: DType) -> BPKitFile {
    switch self {
    case .model(let model):
      return .model(model.converted(to: dtype))
    case .checkpoint(var checkpoint):
      checkpoint.model = checkpoint.model.converted(to: dtype)
      checkpoint.optimizer = checkpoint.optimizer.converted(to: dtype)
      return .checkpoint(checkpoint)
    case .keras(var keras):
      keras.model = keras.model.converted(to: dtype)
      keras.optimizer = keras.optimizer?.converted(to: dtype)
      return .keras(keras)
    }
  }
}
