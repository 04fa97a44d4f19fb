import Testing

@testable import BPKit

/// A predictor packs its dense kernels once, at its first batch, for the
/// path of that call; its batch predictions keep the bits of one-row
/// predictions (which read the kernels where they lie) on every path and
/// thread count, also when a later call runs on another path than the one
/// it packed for.
@Suite struct PackedKernelsTests {
  /// A 1,100-step chain (past one block of k), 530 outputs (past one block
  /// of columns), and the small layers that some paths read unpacked.
  static let network = "1100,530:relu,40:tanh,10:softmax"
  static let rows = 37

  static func inputs() -> [Float] {
    var random = Xoshiro256StarStar(seed: 8)
    return (0..<(rows * 1100)).map { _ in random.nextFloat() * 2 - 1 }
  }

  /// Each row predicted alone on the portable path, one thread.
  static func rowByRow(_ model: Model, _ x: [Float]) throws -> [UInt32] {
    try Kernels.with(path: .portable, threads: 1) {
      try (0..<rows).flatMap { r in
        let row = Array(x[(r * 1100)..<((r + 1) * 1100)])
        return try model.predict(Tensor(shape: [1, 1100], scalars: row)).scalars.map(\.bitPattern)
      }
    }
  }

  @Test(arguments: Kernels.supported, [1, 2])
  func batchesReadThePackedKernelsWithTheBitsOfSingleRows(path: Kernels.Path, threads: Int) throws {
    let model = try Model(initializing: NetworkDescription(layerSpecification: Self.network), seed: 7)
    let x = Self.inputs()
    let expected = try Self.rowByRow(model, x)
    let predictor = try Predictor(model: model)
    let batch = try Kernels.with(path: path, threads: threads) { try predictor.predict(x, count: Self.rows) }
    #expect(predictor.packed?.path == path.code, "packed at the first batch, for its path")
    #expect(batch.map(\.bitPattern) == expected, "\(path), \(threads) threads")
    for other in Kernels.supported where other != path {
      let again = try Kernels.with(path: other, threads: threads) { try predictor.predict(x, count: Self.rows) }
      #expect(again.map(\.bitPattern) == expected, "packed for \(path), run on \(other), \(threads) threads")
    }
  }
}
