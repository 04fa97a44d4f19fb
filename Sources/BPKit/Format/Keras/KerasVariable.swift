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
    guard dataset.elementType == .float32 || dataset.elementType == .float64 else {
      throw FormatError.wrongElementType(file: file, path: dataset.path, expected: "float32 values")
    }
    let scalars = try dataset.read(as: Float.self)
    if let index = scalars.firstIndex(where: { !$0.isFinite }) {
      throw FormatError.invalidValue(
        file: file, path: dataset.path,
        reason: "element \(index) is \(scalars[index]); weights must be finite numbers")
    }
    return Tensor(shape: dataset.shape, scalars: scalars)
  }
}
