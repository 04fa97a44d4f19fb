internal import CKernels

/// Copies a matrix transposed, for the formats that keep a dense kernel as
/// [out, in] (PyTorch's safetensors, ONNX's `transB` and RNN weights) while
/// bpkit keeps [in, out].
///
/// The copy runs in CKernels (`bpk_transpose_f32`): 32 × 32 tiles, so that
/// the rows read and written stay in the cache, each moved in 8 × 8 AVX
/// blocks where the CPU has AVX (about five times the element-by-element
/// copy's speed). It moves bits only, so every path gives the same result.
enum Transposition {
  /// `target[c * targetStride + r] = source[r * sourceStride + c]` for
  /// every row `r < rows` and column `c < columns` of the source.
  static func transpose(
    _ source: UnsafePointer<Float>, rows: Int, columns: Int, sourceStride: Int,
    into target: UnsafeMutablePointer<Float>, targetStride: Int
  ) {
    bpk_transpose_f32(source, Int32(rows), Int32(columns), sourceStride, target, targetStride)
  }

  /// The same copy in either precision: Float32 by `bpk_transpose_f32`, a
  /// float64 model's weights in 32 × 32 tiles in Swift (bits moved, never changed).
  static func transpose<S: BLASScalar>(
    _ source: UnsafePointer<S>, rows: Int, columns: Int, sourceStride: Int,
    into target: UnsafeMutablePointer<S>, targetStride: Int
  ) {
    if S.self == Float.self {
      transpose(
        UnsafeRawPointer(source).assumingMemoryBound(to: Float.self), rows: rows, columns: columns,
        sourceStride: sourceStride, into: UnsafeMutableRawPointer(target).assumingMemoryBound(to: Float.self),
        targetStride: targetStride)
      return
    }
    let tile = 32
    for r0 in stride(from: 0, to: rows, by: tile) {
      for c0 in stride(from: 0, to: columns, by: tile) {
        for r in r0..<min(r0 + tile, rows) {
          for c in c0..<min(c0 + tile, columns) { target[c * targetStride + r] = source[r * sourceStride + c] }
        }
      }
    }
  }

  /// A [rows, columns] array as [columns, rows].
  static func transposed<S: BLASScalar>(_ scalars: [S], rows: Int, columns: Int) -> [S] {
    [S](unsafeUninitializedCapacity: rows * columns) { target, initialized in
      scalars.withUnsafeBufferPointer { source in
        if let from = source.baseAddress, let to = target.baseAddress {
          transpose(from, rows: rows, columns: columns, sourceStride: columns, into: to, targetStride: rows)
        }
      }
      initialized = rows * columns
    }
  }
}
