import HDF5

/// One Keras variable (a weight or an optimizer slot) in an HDF5 file,
/// not yet read: its shape is checked against what bpkit expects before its
/// data is allocated and read, and its values must be finite.
struct KerasVariable {
  let dataset: HDF5Dataset
  let file: String

  var shape: [Int] { dataset.shape }

  /// Reads the values as Float32, refusing NaN and infinities.
  func read() throws -> Tensor<Float> {
    try read(as: Float.self)
  }

  /// Reads the values as Float64 (a float64 dtype policy's variables; a
  /// float32 dataset widens exactly), refusing NaN and infinities.
  func readFloat64() throws -> Tensor<Double> {
    try read(as: Double.self)
  }

  private func read<S: BinaryFloatingPoint & HDF5Scalar>(as _: S.Type) throws -> Tensor<S> {
    guard dataset.elementType == .float32 || dataset.elementType == .float64 else {
      throw FormatError.wrongElementType(
        file: file, path: dataset.path, expected: S.self == Float.self ? "float32 values" : "float64 values")
    }
    // A float32 dataset under a float64 policy (Keras on JAX without x64 stores
    // float32) widens exactly; a float64 one is never narrowed here.
    let scalars =
      S.self == Double.self && dataset.elementType == .float32
      ? try dataset.read(as: Float.self).map { S($0) } : try dataset.read(as: S.self)
    if let index = scalars.firstIndex(where: { !$0.isFinite }) {
      throw FormatError.invalidValue(
        file: file, path: dataset.path,
        reason: "element \(index) is \(scalars[index]); weights must be finite numbers")
    }
    return Tensor(shape: dataset.shape, scalars: scalars)
  }
}
