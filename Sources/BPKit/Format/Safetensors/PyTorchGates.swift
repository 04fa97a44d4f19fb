/// The gate orders of PyTorch's `nn.GRU` and Keras' `GRU`.
///
/// PyTorch stacks a GRU's gates r, z, n (`torch/nn/modules/rnn.py`), Keras
/// z, r, h: the first two blocks trade places and the third stays, so the
/// same swap goes either way. (An LSTM needs none: PyTorch's i, f, g, o is
/// Keras' i, f, c, o.)
enum PyTorchGates {
  /// `scalars`, a [rows, 3·units] matrix, with its column blocks 0 and 1
  /// swapped in every row; the numbers are moved, never changed.
  static func swappingGRUGates<S>(_ scalars: [S], rows: Int) -> [S] {
    let columns = rows == 0 ? 0 : scalars.count / rows
    let units = columns / 3
    var result = scalars
    for row in 0..<rows {
      let start = row * columns
      for j in 0..<units {
        result[start + j] = scalars[start + units + j]
        result[start + units + j] = scalars[start + j]
      }
    }
    return result
  }
}
