/// The forward and backward passes of the activations Keras 3 added beyond
/// the classic ones: GELU (exact and tanh), SiLU, softplus, softsign, SELU,
/// hard SiLU, ReLU6, the exponential and Mish. Each is computed with bpkit's
/// own elementary functions, so results do not depend on the C library, the
/// batch or the threads. Formulas follow `keras/src/activations/activations.py`
/// and the backends' `nn` functions it calls.
extension Activation {
  /// SELU's λ and α (Klambauer et al., 2017), as Keras and JAX write them.
  static let seluScale = 1.0507009873554804934193349852946
  static let seluAlpha = 1.6732632423543772848170429916717
  /// √(2/π) and the cubic coefficient of GELU's tanh approximation.
  static let geluTanhScale = 0.7978845608028654
  static let geluTanhCubic = 0.044715

  /// y = f(z) for the element-wise activations of this file.
  @inline(__always)
  func forwardSmooth<S: BLASScalar>(_ z: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, _ n: Int) {
    switch self {
    case .gelu:
      // y = z/2·(1 + erf(z/√2))
      let inverseRoot2 = S(0.70710678118654752440)
      for i in 0..<n { y[i] = z[i] / 2 * (1 + S.erf(z[i] * inverseRoot2)) }
    case .geluTanh:
      // y = z/2·(1 + tanh(√(2/π)·(z + 0.044715·z³)))
      let c = S(Self.geluTanhScale)
      let k = S(Self.geluTanhCubic)
      for i in 0..<n {
        let x = z[i]
        y[i] = x / 2 * (1 + S.tanh(c * (x + k * x * x * x)))
      }
    case .silu:
      for i in 0..<n { y[i] = z[i] * logistic(z[i]) }  // y = z·σ(z)
    case .softplus:
      for i in 0..<n { y[i] = logOnePlusExp(z[i]) }
    case .softsign:
      for i in 0..<n { y[i] = z[i] / (1 + abs(z[i])) }
    case .selu:
      let scale = S(Self.seluScale)
      let scaledAlpha = S(Self.seluScale * Self.seluAlpha)
      for i in 0..<n { y[i] = z[i] > 0 ? scale * z[i] : scaledAlpha * (S.exp(z[i]) - 1) }
    case .hardSilu:
      // y = z·relu6(z + 3)/6
      for i in 0..<n { y[i] = z[i] * (Swift.min(Swift.max(z[i] + 3, 0), 6) / 6) }
    case .relu6:
      for i in 0..<n { y[i] = Swift.min(Swift.max(z[i], 0), 6) }
    case .exponential:
      for i in 0..<n { y[i] = S.exp(z[i]) }
    case .mish:
      for i in 0..<n { y[i] = z[i] * S.tanh(logOnePlusExp(z[i])) }  // y = z·tanh(softplus(z))
    default:
      preconditionFailure("\(name) is not computed element by element here")
    }
  }

  /// dz = dy ⊙ f′(z) for the element-wise activations of this file. `dz`
  /// may be the same buffer as `dy`.
  @inline(__always)
  func backwardSmooth<S: BLASScalar>(
    _ dy: UnsafePointer<S>, _ z: UnsafePointer<S>, _ y: UnsafePointer<S>, _ dz: UnsafeMutablePointer<S>, _ n: Int
  ) {
    switch self {
    case .gelu:
      // f′ = Φ(z) + z·φ(z), Φ(z) = (1 + erf(z/√2))/2, φ(z) = e^(−z²/2)/√(2π)
      let inverseRoot2 = S(0.70710678118654752440)
      let inverseRoot2Pi = S(0.39894228040143267794)
      for i in 0..<n {
        let x = z[i]
        let cdf: S = (1 + S.erf(x * inverseRoot2)) / 2
        let density: S = inverseRoot2Pi * S.exp(-x * x / 2)
        dz[i] = dy[i] * (cdf + x * density)
      }
    case .geluTanh:
      // u = c·(z + k·z³), t = tanh u: f′ = (1 + t)/2 + z/2·(1 − t²)·c·(1 + 3k·z²)
      let c = S(Self.geluTanhScale)
      let k = S(Self.geluTanhCubic)
      for i in 0..<n {
        let x = z[i]
        let t = S.tanh(c * (x + k * x * x * x))
        let inner: S = c * (1 + 3 * k * x * x)
        let slope: S = x / 2 * (1 - t * t) * inner
        dz[i] = dy[i] * ((1 + t) / 2 + slope)
      }
    case .silu:
      for i in 0..<n {
        let s = logistic(z[i])
        dz[i] = dy[i] * s * (1 + z[i] * (1 - s))  // f′ = σ(z)(1 + z(1 − σ(z)))
      }
    case .softplus:
      for i in 0..<n { dz[i] = dy[i] * logistic(z[i]) }  // f′ = σ(z)
    case .softsign:
      for i in 0..<n {
        let a = 1 + abs(z[i])
        dz[i] = dy[i] / (a * a)  // f′ = 1/(1 + |z|)²
      }
    case .selu:
      // For z ≤ 0, f′ = λα·e^z = y + λα.
      let scale = S(Self.seluScale)
      let scaledAlpha = S(Self.seluScale * Self.seluAlpha)
      for i in 0..<n {
        let d = dy[i]
        let negative = d * (y[i] + scaledAlpha)
        dz[i] = z[i] > 0 ? scale * d : negative
      }
    case .hardSilu:
      // f′ = (2z + 3)/6 strictly inside (−3, 3), 1 from 3 on, 0 up to −3, as
      // the product rule through Keras' relu6 gives.
      for i in 0..<n {
        let d = dy[i]
        let inside = d * (2 * z[i] + 3) / 6
        dz[i] = z[i] >= 3 ? d : z[i] > -3 ? inside : 0
      }
    case .relu6:
      for i in 0..<n {
        let d = dy[i]
        dz[i] = z[i] > 0 && z[i] < 6 ? d : 0
      }
    case .exponential:
      for i in 0..<n { dz[i] = dy[i] * y[i] }  // f′ = e^z = y
    case .mish:
      // t = tanh(softplus(z)): f′ = t + z·(1 − t²)·σ(z)
      for i in 0..<n {
        let x = z[i]
        let t = S.tanh(logOnePlusExp(x))
        let slope: S = x * (1 - t * t) * logistic(x)
        dz[i] = dy[i] * (t + slope)
      }
    default:
      preconditionFailure("\(name) is not computed element by element here")
    }
  }
}

/// log(1 + e^z) without overflow: max(z, 0) + log(1 + e^(−|z|)).
@inline(__always)
func logOnePlusExp<S: BLASScalar>(_ z: S) -> S {
  Swift.max(z, 0) + S.log1p(S.exp(-abs(z)))
}
