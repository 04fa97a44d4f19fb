internal import CBLAS
import Foundation

/// A floating-point type the engine computes in: `Float` (the default) or
/// `Double` (for gradient checks).
///
/// Matrix products go to BLAS (`sgemm`/`dgemm`, `sgemv`/`dgemv`); the
/// elementary functions are the C library's. Matrices are row-major, and
/// leading dimensions count elements between the starts of two rows, so a
/// row of a time step inside a [batch, steps, units] buffer is reached with a
/// leading dimension of `steps · units`.
public protocol BLASScalar: BinaryFloatingPoint, Sendable {
  /// C = alpha · op(A) · op(B) + beta · C, with op(X) = Xᵀ when the flag is set.
  ///
  /// The corresponding BLAS functions are `cblas_sgemm` and `cblas_dgemm`.
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
    a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int, beta: Self,
    c: UnsafeMutablePointer<Self>, ldc: Int)

  /// y = alpha · op(A) · x + beta · y for an m×n matrix A.
  ///
  /// The corresponding BLAS functions are `cblas_sgemv` and `cblas_dgemv`.
  static func gemv(
    transpose: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
    x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)

  /// e^x.
  static func exp(_ x: Self) -> Self
  /// The natural logarithm.
  static func log(_ x: Self) -> Self
  /// log(1 + x), accurate for small x.
  static func log1p(_ x: Self) -> Self
  /// The hyperbolic tangent.
  static func tanh(_ x: Self) -> Self
}

@inline(__always) private func flag(_ transpose: Bool) -> Int32 {
  Int32(transpose ? bpk_blas_trans.rawValue : bpk_blas_no_trans.rawValue)
}

private let rowMajor = Int32(bpk_blas_row_major.rawValue)

extension Float: BLASScalar {
  @inline(__always)
  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    bpk_sgemm(
      rowMajor, flag(transposeA), flag(transposeB), Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b,
      Int32(ldb), beta, c, Int32(ldc))
  }

  @inline(__always)
  public static func gemv(
    transpose: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
  ) {
    bpk_sgemv(rowMajor, flag(transpose), Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
  }

  @inline(__always) public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
  @inline(__always) public static func log(_ x: Float) -> Float { Foundation.logf(x) }
  @inline(__always) public static func log1p(_ x: Float) -> Float { Foundation.log1pf(x) }
  /// tanh by the rational approximation ``fastTanh(_:)`` documents, which vectorises.
  @inline(__always) public static func tanh(_ x: Float) -> Float { fastTanh(x) }
}

extension Double: BLASScalar {
  @inline(__always)
  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
    a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int, beta: Double,
    c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    bpk_dgemm(
      rowMajor, flag(transposeA), flag(transposeB), Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b,
      Int32(ldb), beta, c, Int32(ldc))
  }

  @inline(__always)
  public static func gemv(
    transpose: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
  ) {
    bpk_dgemv(rowMajor, flag(transpose), Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
  }

  @inline(__always) public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
  @inline(__always) public static func log(_ x: Double) -> Double { Foundation.log(x) }
  @inline(__always) public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
  @inline(__always) public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
}
