import Testing

@testable import BPKit

/// The matrix kernels: every path, thread count and shape gives each element
/// as the one chain of fused multiply-adds the definition names.
@Suite struct KernelsTests {
  /// C = (accumulate ? C : 0) + op(A)·op(B), element by element in the
  /// documented order, with Swift's own fused multiply-add.
  static func reference(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, a: [Float], lda: Int, b: [Float], ldb: Int,
    accumulate: Bool, c: [Float], ldc: Int
  ) -> [Float] {
    var c = c
    for i in 0..<m {
      for j in 0..<n {
        var sum: Float = accumulate ? c[i * ldc + j] : 0
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

  struct Shape: CustomStringConvertible, Sendable {
    var m: Int
    var n: Int
    var k: Int
    var description: String { "\(m)×\(n)×\(k)" }
  }

  /// Edges of every tile size, a single row (the direct path), blocks of k
  /// past one panel, and products large enough to be split over threads,
  /// by rows with B packed once for every thread (with Bᵀ, over two blocks
  /// of columns in 210×530×7) or by columns.
  static let shapes = [
    Shape(m: 1, n: 1, k: 1), Shape(m: 1, n: 130, k: 300), Shape(m: 3, n: 17, k: 5), Shape(m: 5, n: 70, k: 33),
    Shape(m: 13, n: 33, k: 257), Shape(m: 25, n: 47, k: 600), Shape(m: 150, n: 530, k: 20), Shape(m: 7, n: 10, k: 0),
    Shape(m: 200, n: 96, k: 130), Shape(m: 2, n: 300, k: 40), Shape(m: 4, n: 1100, k: 9),
    Shape(m: 210, n: 530, k: 7),
  ]

  static func product(
    _ shape: Shape, transposeA: Bool, transposeB: Bool, accumulate: Bool, seed: UInt64
  ) -> (run: () -> [Float], expected: [Float]) {
    var random = Xoshiro256StarStar(seed: seed)
    let (m, n, k) = (shape.m, shape.n, shape.k)
    // Leading dimensions wider than the matrices, as in a sequence's time steps.
    let lda = (transposeA ? m : k) + 3
    let ldb = (transposeB ? k : n) + 2
    let ldc = n + 5
    let a = (0..<((transposeA ? k : m) * lda)).map { _ in random.nextFloat() * 2 - 1 }
    let b = (0..<((transposeB ? n : k) * ldb)).map { _ in random.nextFloat() * 2 - 1 }
    let c0 = (0..<(m * ldc)).map { _ in random.nextFloat() * 2 - 1 }
    let expected = reference(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
      accumulate: accumulate, c: c0, ldc: ldc)
    let run = {
      var c = c0
      c.withUnsafeMutableBufferPointer { c in
        Float.gemm(
          transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
          accumulate: accumulate, c: c.baseAddress!, ldc: ldc)
      }
      return c
    }
    return (run, expected)
  }

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

  /// Chains longer than one block of k (1,024 steps) continue through C from
  /// one block to the next, on one thread and split over rows or columns.
  @Test(arguments: Kernels.supported, [1, 2])
  func chainsLongerThanABlockOfKAreTheDefinedChain(path: Kernels.Path, threads: Int) throws {
    for shape in [Shape(m: 13, n: 40, k: 1100), Shape(m: 30, n: 70, k: 2100), Shape(m: 3, n: 600, k: 1500)] {
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

  @Test func smallIntegerProductIsExact() throws {
    var c: [Float] = [0, 0, 0, 0]
    let a: [Float] = [1, 2, 3, 4]
    let b: [Float] = [5, 6, 7, 8]
    c.withUnsafeMutableBufferPointer { c in
      Float.gemm(
        transposeA: false, transposeB: false, m: 2, n: 2, k: 2, a: a, lda: 2, b: b, ldb: 2, accumulate: false,
        c: c.baseAddress!, ldc: 2)
    }
    #expect(c == [19, 22, 43, 50])
  }

  @Test func thePortablePathRunsEverywhereAndTheBestIsSupported() {
    #expect(Kernels.Path.portable.isSupported)
    #expect(Kernels.best.isSupported)
    #expect(Kernels.supported.first == Kernels.best)
    #expect(Kernels.threads >= 1)
  }

  @Test func aThreadsChoiceIsUndoneAfterItsBody() throws {
    let before = Kernels.path
    let inside = try Kernels.with(path: .portable) { Kernels.Path.portable }
    #expect(inside == .portable)
    #expect(Kernels.path == before)
  }
}
