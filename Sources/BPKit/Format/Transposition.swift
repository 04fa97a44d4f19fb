/// Copies a matrix transposed, tile by tile, so that both the rows read
/// and the rows written stay in the cache: the formats that keep a dense
/// kernel as [out, in] (PyTorch's safetensors, ONNX's `transB` and RNN
/// weights) while bpkit keeps [in, out].
enum Transposition {
  /// The side of a tile: 32 × 32 floats are 4 KiB, whose 32 target rows of
  /// 128 bytes stay in the first-level cache while the tile is copied.
  static let tile = 32

  /// `target[c * targetStride + r] = source[r * sourceStride + c]` for
  /// every row `r < rows` and column `c < columns` of the source.
  static func transpose(
    _ source: UnsafePointer<Float>, rows: Int, columns: Int, sourceStride: Int,
    into target: UnsafeMutablePointer<Float>, targetStride: Int
  ) {
    var r0 = 0
    while r0 < rows {
      let r1 = min(r0 + tile, rows)
      var c0 = 0
      while c0 < columns {
        let c1 = min(c0 + tile, columns)
        for c in c0..<c1 {
          let row = target + c * targetStride
          for r in r0..<r1 { row[r] = source[r * sourceStride + c] }
        }
        c0 = c1
      }
      r0 = r1
    }
  }

  /// A [rows, columns] array as [columns, rows].
  static func transposed(_ scalars: [Float], rows: Int, columns: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: rows * columns) { target, initialized in
      scalars.withUnsafeBufferPointer { source in
        if let from = source.baseAddress, let to = target.baseAddress {
          transpose(from, rows: rows, columns: columns, sourceStride: columns, into: to, targetStride: rows)
        }
      }
      initialized = rows * columns
    }
  }
}
