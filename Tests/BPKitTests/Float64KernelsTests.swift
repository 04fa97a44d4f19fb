import Testing

@testable import BPKit

/// The Double matrix kernels (`bpk_dgemm`): every path, thread count and
/// shape gives each element as the one chain of fused multiply-adds the
/// definition names, as the Float kernels do (``KernelsTests``).
@Suite struct Float64KernelsTests {
  /// C = (accumulate ? C : 0) + op(A)·op(B), element by element in the
  /// documented order, with Swift's own fused multiply-add.
  static func reference(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, a: [Double], lda: Int, b: [Double], ldb: Int,
    accumulate: Bool, c: [Double], ldc: Int
  ) -> [Double] {
    var c = c
    for i in 0..<m {
      for j in 0..<n {
        var sum: Double = accumulate ? c[i * ldc + j] : 0
        for p in 0..<k {
          let x = transposeA ? a[p * lda + i] : a[i * lda + p]
          let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
          sum = sum.addingProduct(x, y)
        }
        c[i * ldc + j] = sum
      }
    }
    return c
  }

  static func product(
    _ shape: KernelsTests.Shape, transposeA: Bool, transposeB: Bool, accumulate: Bool, seed: UInt64
  ) -> (run: () -> [Double], expected: [Double]) {
    var random = Xoshiro256StarStar(seed: seed)
    let (m, n, k) = (shape.m, shape.n, shape.k)
    // Leading dimensions wider than the matrices, as in a sequence's time steps.
    let lda = (transposeA ? m : k) + 3
    let ldb = (transposeB ? k : n) + 2
    let ldc = n + 5
    let a = (0..<((transposeA ? k : m) * lda)).map { _ in random.nextDouble() * 2 - 1 }
    let b = (0..<((transposeB ? n : k) * ldb)).map { _ in random.nextDouble() * 2 - 1 }
    let c0 = (0..<(m * ldc)).map { _ in random.nextDouble() * 2 - 1 }
    let expected = reference(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
      accumulate: accumulate, c: c0, ldc: ldc)
    let run = {
      var c = c0
      c.withUnsafeMutableBufferPointer { c in
        Double.gemm(
          transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
          accumulate: accumulate, c: c.baseAddress!, ldc: ldc)
      }
      return c
    }
    return (run, expected)
  }

  /// The Float shapes (every tile edge of the Double paths too: 12×16, 6×8
  /// and 4×8 tiles, rows of 128, 64, 32 and 8 outputs), plus rows whose
  /// last outputs are fewer than one vector of each path.
  static let shapes =
    KernelsTests.shapes + [
      KernelsTests.Shape(m: 1, n: 131, k: 3), KernelsTests.Shape(m: 2, n: 55, k: 8),
      KernelsTests.Shape(m: 12, n: 16, k: 9), KernelsTests.Shape(m: 19, n: 25, k: 4),
    ]

  @Test(arguments: Kernels.supported, [1, 2, 3])
  func everyPathAndThreadCountComputesTheDefinedChain(path: Kernels.Path, threads: Int) throws {
    for shape in Self.shapes {
      for (transposeA, transposeB) in [(false, false), (true, false), (false, true)] {
        for accumulate in [false, true] {
          let (run, expected) = Self.product(
            shape, transposeA: transposeA, transposeB: transposeB, accumulate: accumulate,
            seed: UInt64(shape.m * 7 + shape.k))
          let got = try Kernels.with(path: path, threads: threads) { run() }
          #expect(
            got.map(\.bitPattern) == expected.map(\.bitPattern),
            "\(path), \(threads) threads, \(shape), Aᵀ \(transposeA), Bᵀ \(transposeB), accumulate \(accumulate)")
        }
      }
    }
  }

  /// Chains longer than one block of k (512 steps) continue through C from
  /// one block to the next, on one thread and split over rows or columns.
  @Test(arguments: Kernels.supported, [1, 2])
  func chainsLongerThanABlockOfKAreTheDefinedChain(path: Kernels.Path, threads: Int) throws {
    for shape in [
      KernelsTests.Shape(m: 13, n: 40, k: 1100), KernelsTests.Shape(m: 30, n: 70, k: 2100),
      KernelsTests.Shape(m: 3, n: 600, k: 1500),
    ] {
      for (transposeA, transposeB) in [(false, false), (true, false), (false, true)] {
        let (run, expected) = Self.product(
          shape, transposeA: transposeA, transposeB: transposeB, accumulate: true, seed: UInt64(shape.k))
        let got = try Kernels.with(path: path, threads: threads) { run() }
        #expect(
          got.map(\.bitPattern) == expected.map(\.bitPattern),
          "\(path), \(threads) threads, \(shape), Aᵀ \(transposeA), Bᵀ \(transposeB)")
      }
    }
  }
}
