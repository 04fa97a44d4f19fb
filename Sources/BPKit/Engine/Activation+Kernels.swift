/// The activations' forward and backward passes over blocks of rows.
///
/// A block is `rows` rows of `width` numbers whose starts are `stride`
/// numbers apart: `stride == width` for a plain [rows, width] matrix, and
/// `steps · width` for one time step of a [batch, steps, width] sequence.
extension Activation {
  /// y = f(z), row by row. `z` and `y` may be the same buffer.
  @inline(__always)
  func forward<S: BLASScalar>(
    _ z: UnsafePointer<S>, into y: UnsafeMutablePointer<S>, rows: Int, width: Int, stride: Int
  ) {
    if case .softmax = self {
      for r in 0..<rows { softmaxRow(z + r * stride, y + r * stride, width) }
      return
    }
    if case .logSoftmax = self {
      for r in 0..<rows { logSoftmaxRow(z + r * stride, y + r * stride, width) }
      return
    }
    if stride == width {
      forwardElements(z, y, rows * width)
    } else {
      for r in 0..<rows { forwardElements(z + r * stride, y + r * stride, width) }
    }
  }

  @inline(__always)
  private func forwardElements<S: BLASScalar>(_ z: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, _ n: Int) {
    switch self {
    case .linear:
      if UnsafePointer(y) != z { y.update(from: z, count: n) }
    case .sigmoid:
      for i in 0..<n { y[i] = logistic(z[i]) }
    case .tanh:
      for i in 0..<n { y[i] = S.tanh(z[i]) }
    case .relu:
      for i in 0..<n { y[i] = z[i] > 0 ? z[i] : 0 }
    case .leakyReLU(let alpha):
      let a = S(alpha)
      for i in 0..<n { y[i] = z[i] > 0 ? z[i] : a * z[i] }
    case .elu(let alpha):
      let a = S(alpha)
      for i in 0..<n { y[i] = z[i] > 0 ? z[i] : a * (S.exp(z[i]) - 1) }
    case .softmax:
      softmaxRow(z, y, n)
    case .hardSigmoid:
      // Keras 3: relu6(x + 3) / 6.
      for i in 0..<n { y[i] = Swift.min(Swift.max(z[i] + 3, 0), 6) / 6 }
    case .logSoftmax:
      logSoftmaxRow(z, y, n)
    case .gelu, .geluTanh, .silu, .softplus, .softsign, .selu, .hardSilu, .relu6, .exponential, .mish:
      forwardSmooth(z, y, n)
    }
  }

  /// dz = dy ⊙ f′(z), from the pre-activation `z` and the output `y`.
  /// `dz` may be the same buffer as `dy`.
  @inline(__always)
  func backward<S: BLASScalar>(
    _ dy: UnsafePointer<S>, z: UnsafePointer<S>, y: UnsafePointer<S>, into dz: UnsafeMutablePointer<S>,
    rows: Int, width: Int, stride: Int
  ) {
    if case .logSoftmax = self {
      // dz_i = dy_i − softmax_i·Σ_j dy_j, with softmax_i = e^(y_i).
      for r in 0..<rows {
        let o = r * stride
        var sum: S = 0
        for j in 0..<width { sum += dy[o + j] }
        for j in 0..<width { dz[o + j] = dy[o + j] - S.exp(y[o + j]) * sum }
      }
      return
    }
    if case .softmax = self {
      // dz_i = y_i (dy_i − Σ_j dy_j y_j), the softmax Jacobian applied to dy.
      for r in 0..<rows {
        let o = r * stride
        var dot: S = 0
        for j in 0..<width { dot += dy[o + j] * y[o + j] }
        for j in 0..<width { dz[o + j] = y[o + j] * (dy[o + j] - dot) }
      }
      return
    }
    if stride == width {
      backwardElements(dy, z, y, dz, rows * width)
    } else {
      for r in 0..<rows {
        let o = r * stride
        backwardElements(dy + o, z + o, y + o, dz + o, width)
      }
    }
  }

  @inline(__always)
  private func backwardElements<S: BLASScalar>(
    _ dy: UnsafePointer<S>, _ z: UnsafePointer<S>, _ y: UnsafePointer<S>, _ dz: UnsafeMutablePointer<S>, _ n: Int
  ) {
    switch self {
    case .linear:
      if UnsafePointer(dz) != dy { dz.update(from: dy, count: n) }
    case .sigmoid:
      for i in 0..<n { dz[i] = dy[i] * y[i] * (1 - y[i]) }  // σ′ = y(1 − y)
    case .tanh:
      for i in 0..<n { dz[i] = dy[i] * (1 - y[i] * y[i]) }  // tanh′ = 1 − y²
    // Every operand is loaded before the comparison selects, so that these
    // loops vectorise: a load inside one branch of `?:` keeps them scalar.
    case .relu:
      for i in 0..<n {
        let d = dy[i]
        dz[i] = z[i] > 0 ? d : 0
      }
    case .leakyReLU(let alpha):
      let a = S(alpha)
      for i in 0..<n {
        let d = dy[i]
        dz[i] = z[i] > 0 ? d : a * d
      }
    case .elu(let alpha):
      let a = S(alpha)
      // For z ≤ 0, f′ = α·e^z = y + α.
      for i in 0..<n {
        let d = dy[i]
        let e = d * (y[i] + a)
        dz[i] = z[i] > 0 ? d : e
      }
    case .hardSigmoid:
      // f′ = 1/6 strictly inside (−3, 3), 0 outside, as Keras' gradient of relu6 gives.
      let sixth = 1 / S(6)
      for i in 0..<n {
        let d = dy[i] * sixth
        dz[i] = z[i] > -3 && z[i] < 3 ? d : 0
      }
    case .softmax, .logSoftmax:
      break
    case .gelu, .geluTanh, .silu, .softplus, .softsign, .selu, .hardSilu, .relu6, .exponential, .mish:
      backwardSmooth(dy, z, y, dz, n)
    }
  }
}

/// y = log softmax(z) = z − max z − log Σ_j e^(z_j − max z) over one row.
/// `z` and `y` may be the same buffer.
@inline(__always)
func logSoftmaxRow<S: BLASScalar>(_ z: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, _ n: Int) {
  var maximum = z[0]
  for j in 1..<max(n, 1) where z[j] > maximum { maximum = z[j] }
  var sum: S = 0
  for j in 0..<n { sum += S.exp(z[j] - maximum) }
  let shift = maximum + S.log(sum)
  for j in 0..<n { y[j] = z[j] - shift }
}

/// σ(z) without overflow for large |z|.
@inline(__always)
func logistic<S: BLASScalar>(_ z: S) -> S {
  if z >= 0 { return 1 / (1 + S.exp(-z)) }
  let e = S.exp(z)
  return e / (1 + e)
}

/// y = softmax(z) over one row, shifted by the row's maximum so that no
/// exponential overflows.
@inline(__always)
func softmaxRow<S: BLASScalar>(_ z: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, _ n: Int) {
  var maximum = z[0]
  for j in 1..<max(n, 1) where z[j] > maximum { maximum = z[j] }
  var sum: S = 0
  for j in 0..<n {
    let e = S.exp(z[j] - maximum)
    y[j] = e
    sum += e
  }
  let scale = 1 / sum
  for j in 0..<n { y[j] *= scale }
}
