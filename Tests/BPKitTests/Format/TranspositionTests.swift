import Testing

@testable import BPKit

/// The tiled transpose against the definition, for sizes around the tile's and the 8 × 8 block's.
@Suite struct TranspositionTests {
  static let sizes = [1, 2, 31, 32, 33, 64, 97]

  @Test(arguments: sizes, sizes)
  func transposesEveryElementToItsPlace(rows: Int, columns: Int) {
    let source = (0..<(rows * columns)).map { Float($0) }
    let target = Transposition.transposed(source, rows: rows, columns: columns)
    var expected = [Float](repeating: -1, count: rows * columns)
    for r in 0..<rows {
      for c in 0..<columns { expected[c * rows + r] = source[r * columns + c] }
    }
    #expect(target == expected)
  }

  /// A block of rows into a wider target, as the safetensors reader places
  /// them: small (element by element) and past 8 × 8 blocks, with strides
  /// that are not multiples of 8.
  @Test(arguments: [(5, 7, 3, 11), (20, 37, 5, 50), (64, 9, 1, 67)])
  func writesABlockIntoItsColumnsOfAWiderTarget(rows: Int, columns: Int, offset: Int, stride: Int) {
    let source = (0..<(rows * columns)).map { Float($0) }
    var target = [Float](repeating: -1, count: columns * stride)
    // The source rows are columns + 2 apart, as a block of a wider matrix's rows is.
    let wide: [Float] = (0..<rows).flatMap { row -> [Float] in
      Array(source[(row * columns)..<((row + 1) * columns)]) + [-7, -7]
    }
    wide.withUnsafeBufferPointer { from in
      target.withUnsafeMutableBufferPointer { to in
        Transposition.transpose(
          from.baseAddress!, rows: rows, columns: columns, sourceStride: columns + 2, into: to.baseAddress! + offset,
          targetStride: stride)
      }
    }
    for c in 0..<columns {
      for j in 0..<stride {
        let expected: Float = (offset..<(offset + rows)).contains(j) ? source[(j - offset) * columns + c] : -1
        #expect(target[c * stride + j] == expected)
      }
    }
  }
}
