internal import CKernels
import Foundation

/// A floating-point type the engine computes in: `Float` (the default) or
/// `Double` (for gradient checks).
///
/// Matrix products are bpkit's own kernels (see ``Kernels``): each output
/// element is one chain of fused multiply-adds over the shared dimension, in
/// order, so it does not depend on the batch, the threads or the CPU. The
/// elementary functions of both types are bpkit's own fixed polynomials, for
/// the same reason: never the C library's, whose results vary by version.
/// Matrices are row-major, and leading dimensions count elements between the
/// starts of two rows, so a row of a time step inside a [batch, steps, units]
/// buffer is reached with a leading dimension of `steps · units`.
public protocol BLASScalar: BinaryFloatingPoint, Sendable {
  /// C = (accumulate ? C : 0) + op(A)·op(B), with op(X) = Xᵀ when the flag is
  /// set; op(A) is m×k and op(B) k×n. Each C[i][j] starts from C[i][j] (or
  /// +0) and adds A(i,p)·B(p,j) for p = 0, 1, …, k−1 by fused multiply-adds.
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Self>, lda: Int,
    b: UnsafePointer<Self>, ldb: Int, accumulate: Bool, c: UnsafeMutablePointer<Self>, ldc: Int)

  /// e^x.
  static func exp(_ x: Self) -> Self
  /// The natural logarithm.
  static func log(_ x: Self) -> Self
  /// log(1 + x), accurate for small x.
  static func log1p(_ x: Self) -> Self
  /// The hyperbolic tangent.
  static func tanh(_ x: Self) -> Self
}

extension Float: BLASScalar {
  @inline(__always)
  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int, accumulate: Bool, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    bpk_sgemm(
      transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), a, Int32(lda), b, Int32(ldb),
      accumulate ? 1 : 0, c, Int32(ldc))
  }

  /// e^x by the fixed polynomial of `ElementaryFunctions.exp`: the same bits on every CPU.
  @inline(__always) public static func exp(_ x: Float) -> Float { ElementaryFunctions.exp(x) }
  /// log x by the fixed polynomial of `ElementaryFunctions.log`.
  @inline(__always) public static func log(_ x: Float) -> Float { ElementaryFunctions.log(x) }
  /// log(1 + x) by `ElementaryFunctions.log1p`.
  @inline(__always) public static func log1p(_ x: Float) -> Float { ElementaryFunctions.log1p(x) }
  /// tanh by the rational approximation `fastTanh` documents, which vectorises.
  @inline(__always) public static func tanh(_ x: Float) -> Float { fastTanh(x) }
}

extension Double: BLASScalar {
  @inline(__always)
  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Double>, lda: Int,
    b: UnsafePointer<Double>, ldb: Int, accumulate: Bool, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    bpk_dgemm(
      transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), a, Int32(lda), b, Int32(ldb),
      accumulate ? 1 : 0, c, Int32(ldc))
  }

  /// e^x by fdlibm's fixed polynomial, bpkit's own copy: the same bits with every C library.
  @inline(__always) public static func exp(_ x: Double) -> Double { ElementaryFunctions.exp(x) }
  /// log x by fdlibm's fixed polynomial, bpkit's own copy.
  @inline(__always) public static func log(_ x: Double) -> Double { ElementaryFunctions.log(x) }
  /// log(1 + x) from bpkit's own log, with Goldberg's correction.
  @inline(__always) public static func log1p(_ x: Double) -> Double { ElementaryFunctions.log1p(x) }
  /// tanh from bpkit's own e^x and log, as fdlibm's `s_tanh.c` arranges it.
  @inline(__always) public static func tanh(_ x: Double) -> Double { ElementaryFunctions.tanh(x) }
}
