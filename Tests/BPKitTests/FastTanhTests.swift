import Foundation
import Testing

@testable import BPKit

@Suite struct FastTanhTests {
  @Test func agreesWithLibmAcrossTheRange() {
    var worst: Float = 0
    var x: Float = -12
    while x <= 12 {
      worst = max(worst, abs(fastTanh(x) - Foundation.tanh(x)))
      x += 0.000_37
    }
    #expect(worst < 3e-7, "worst absolute error \(worst)")
    #expect(fastTanh(0) == 0)
    #expect(fastTanh(1e-5) == 1e-5)
    #expect(fastTanh(100) == 1 && fastTanh(-100) == -1)
  }

  @Test func blasLoadsAndReportsItsKernels() throws {
    try BLAS.load()
    #expect(BLAS.libraryName != "none")
    #expect(!BLAS.coreName.isEmpty)
    var c: [Float] = [0, 0, 0, 0]
    let a: [Float] = [1, 2, 3, 4]
    let b: [Float] = [5, 6, 7, 8]
    c.withUnsafeMutableBufferPointer { c in
      Float.gemm(
        transposeA: false, transposeB: false, m: 2, n: 2, k: 2, alpha: 1, a: a, lda: 2, b: b, ldb: 2, beta: 0,
        c: c.baseAddress!, ldc: 2)
    }
    #expect(c == [19, 22, 43, 50])
  }
}
