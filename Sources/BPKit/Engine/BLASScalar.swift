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
///
/// Only `Float` and `Double` conform, and the protocol has no requirements an
/// app can call: the kernels and elementary functions behind it are BPKit's
/// own (package access), chosen by type. Conforming another type is not supported
/// and stops the program at its first use.
public protocol BLASScalar: BinaryFloatingPoint, Sendable {}

extension Float: BLASScalar {}
extension Double: BLASScalar {}

// Each function picks the `Float` or `Double` kernel by the type; in the
// engine's specialised code the test is resolved at compile time.
extension BLASScalar {
  /// C = (accumulate ? C : 0) + op(A)·op(B), with op(X) = Xᵀ when the flag is
  /// set; op(A) is m×k and op(B) k×n. Each C[i][j] starts from C[i][j] (or
  /// +0) and adds A(i,p)·B(p,j) for p = 0, 1, …, k−1 by fused multiply-adds.
  ///
  /// `package`: `bpkit bench gemm` measures it; it is not BPKit's API.
  @inline(__always)
  package static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Self>, lda: Int,
    b: UnsafePointer<Self>, ldb: Int, accumulate: Bool, c: UnsafeMutablePointer<Self>, ldc: Int
  ) {
    if Self.self == Float.self {
      bpk_sgemm(
        transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k),
        UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(lda),
        UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), Int32(ldb), accumulate ? 1 : 0,
        UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), Int32(ldc))
    } else if Self.self == Double.self {
      bpk_dgemm(
        transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k),
        UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(lda),
        UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), Int32(ldb), accumulate ? 1 : 0,
        UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), Int32(ldc))
    } else {
      unsupported()
    }
  }

  /// e^x: for `Float` the fixed polynomial of `ElementaryFunctions.exp`, the
  /// same bits on every CPU; for `Double` fdlibm's, bpkit's own copy.
  @inline(__always) static func exp(_ x: Self) -> Self {
    if Self.self == Float.self {
      return unsafeBitCast(ElementaryFunctions.exp(unsafeBitCast(x, to: Float.self)), to: Self.self)
    }
    if Self.self == Double.self {
      return unsafeBitCast(ElementaryFunctions.exp(unsafeBitCast(x, to: Double.self)), to: Self.self)
    }
    unsupported()
  }

  /// The natural logarithm, by bpkit's own fixed polynomials.
  @inline(__always) static func log(_ x: Self) -> Self {
    if Self.self == Float.self {
      return unsafeBitCast(ElementaryFunctions.log(unsafeBitCast(x, to: Float.self)), to: Self.self)
    }
    if Self.self == Double.self {
      return unsafeBitCast(ElementaryFunctions.log(unsafeBitCast(x, to: Double.self)), to: Self.self)
    }
    unsupported()
  }

  /// log(1 + x), accurate for small x (for `Double`, from bpkit's own log
  /// with Goldberg's correction).
  @inline(__always) static func log1p(_ x: Self) -> Self {
    if Self.self == Float.self {
      return unsafeBitCast(ElementaryFunctions.log1p(unsafeBitCast(x, to: Float.self)), to: Self.self)
    }
    if Self.self == Double.self {
      return unsafeBitCast(ElementaryFunctions.log1p(unsafeBitCast(x, to: Double.self)), to: Self.self)
    }
    unsupported()
  }

  /// The hyperbolic tangent: for `Float` the rational approximation
  /// `fastTanh` documents, which vectorises; for `Double` from bpkit's own
  /// e^x and log, as fdlibm's `s_tanh.c` arranges it.
  @inline(__always) static func tanh(_ x: Self) -> Self {
    if Self.self == Float.self { return unsafeBitCast(fastTanh(unsafeBitCast(x, to: Float.self)), to: Self.self) }
    if Self.self == Double.self {
      return unsafeBitCast(ElementaryFunctions.tanh(unsafeBitCast(x, to: Double.self)), to: Self.self)
    }
    unsupported()
  }

  /// The error function, by bpkit's own copy of fdlibm's `s_erf.c`; for
  /// `Float` computed in Double and rounded once to Float.
  @inline(__always) static func erf(_ x: Self) -> Self {
    if Self.self == Float.self {
      return unsafeBitCast(Float(ElementaryFunctions.erf(Double(unsafeBitCast(x, to: Float.self)))), to: Self.self)
    }
    if Self.self == Double.self {
      return unsafeBitCast(ElementaryFunctions.erf(unsafeBitCast(x, to: Double.self)), to: Self.self)
    }
    unsupported()
  }

  private static func unsupported() -> Never {
    preconditionFailure("BPKit computes in Float or Double only, not \(Self.self)")
  }
}
