extension NetworkPlan {
  /// The buffer holding layer `index`'s output after ``forward(parameters:input:workspace:training:)``.
  func output<S>(of index: Int, in workspace: Workspace<S>) -> UnsafeMutablePointer<S> {
    if case .elman(let elman) = steps[index], elman.returnSequences { return workspace.h[index].pointer }
    return workspace.y[index].pointer
  }

  /// Runs the network on the batch the workspace was prepared for.
  ///
  /// With `training`, every pre-activation is kept for the backward pass;
  /// without, activations are applied in place and a batch of one uses
  /// matrix–vector products.
  ///
  /// - Parameters:
  ///   - parameters: The flat weights, laid out by ``layout``.
  ///   - input: [batch, features] or [batch, steps, features], row-major.
  ///   - transposedKernels: Optionally, a copy of the weights in which every
  ///     dense kernel is stored transposed ([units, inputs]), for batches of
  ///     one: a matrix–vector product over rows of Wᵀ streams the weights
  ///     faster than one over columns of W.
  func forward<S: BLASScalar>(
    parameters p: UnsafePointer<S>, input: UnsafePointer<S>, workspace ws: Workspace<S>, training: Bool,
    transposedKernels: UnsafePointer<S>? = nil
  ) {
    let batch = ws.batch
    let steps = ws.steps
    var rows = network.input.isSequence ? batch * steps : batch
    var x = input
    for (i, step) in self.steps.enumerated() {
      switch step {
      case .dense(let d):
        let y = ws.y[i].pointer
        let keepZ = training && d.activation != .linear
        let z = keepZ ? ws.z[i].pointer : y
        if rows == 1, !training, let transposed = transposedKernels {
          // y = (Wᵀ)·x + b over the stored transpose.
          if let bias = d.bias { z.update(from: p + bias, count: d.units) }
          S.gemv(
            transpose: false, m: d.units, n: d.inputWidth, alpha: 1, a: transposed + d.kernel, lda: d.inputWidth, x: x,
            beta: d.bias == nil ? 0 : 1, y: z)
        } else {
          affine(
            x: x, rows: rows, inputs: d.inputWidth, units: d.units, kernel: p + d.kernel, bias: d.bias.map { p + $0 },
            into: z, useVectorProduct: rows == 1 && !training)
        }
        d.activation.forward(z, into: y, rows: rows, width: d.units, stride: d.units)
        x = UnsafePointer(y)
      case .elman(let e):
        elmanForward(e, parameters: p, x: x, batch: batch, steps: steps, layer: i, workspace: ws, training: training)
        rows = e.returnSequences ? batch * steps : batch
        x = UnsafePointer(output(of: i, in: ws))
      case .standardize(let s):
        let y = ws.y[i].pointer
        let mean = p + s.mean
        let std = p + s.std
        for r in 0..<rows {
          for j in 0..<s.width {
            // A feature that was constant in the training data has std 0:
            // it is centred and left unscaled.
            let scale = std[j] == 0 ? 1 : std[j]
            y[r * s.width + j] = (x[r * s.width + j] - mean[j]) / scale
          }
        }
        x = UnsafePointer(y)
      }
    }
  }

  /// out = x·W + b for `rows` rows.
  private func affine<S: BLASScalar>(
    x: UnsafePointer<S>, rows: Int, inputs: Int, units: Int, kernel: UnsafePointer<S>, bias: UnsafePointer<S>?,
    into out: UnsafeMutablePointer<S>, useVectorProduct: Bool
  ) {
    if let bias {
      for r in 0..<rows { (out + r * units).update(from: bias, count: units) }
    }
    let beta: S = bias == nil ? 0 : 1
    if useVectorProduct {
      // y = Wᵀx for W stored [inputs, units].
      S.gemv(transpose: true, m: inputs, n: units, alpha: 1, a: kernel, lda: units, x: x, beta: beta, y: out)
    } else {
      S.gemm(
        transposeA: false, transposeB: false, m: rows, n: units, k: inputs, alpha: 1, a: x, lda: inputs,
        b: kernel, ldb: units, beta: beta, c: out, ldc: units)
    }
  }

  /// h_t = act(x_t·W + h_{t−1}·U + b), h_0 = 0, for every step.
  ///
  /// The input products x_t·W of all steps are one matrix product over the
  /// [batch·steps, inputs] input; each step then adds h_{t−1}·U, reading and
  /// writing the step's rows in place with a leading dimension of steps·units.
  private func elmanForward<S: BLASScalar>(
    _ e: ElmanStep, parameters p: UnsafePointer<S>, x: UnsafePointer<S>, batch: Int, steps: Int, layer i: Int,
    workspace ws: Workspace<S>, training: Bool
  ) {
    let u = e.units
    let stride = steps * u
    let h = ws.h[i].pointer
    let z = training ? ws.z[i].pointer : h
    affine(
      x: x, rows: batch * steps, inputs: e.inputWidth, units: u, kernel: p + e.kernel, bias: e.bias.map { p + $0 },
      into: z, useVectorProduct: false)
    let recurrent = p + e.recurrentKernel
    for t in 0..<steps {
      if t > 0 {
        if batch == 1 {
          S.gemv(
            transpose: true, m: u, n: u, alpha: 1, a: recurrent, lda: u, x: h + (t - 1) * u, beta: 1, y: z + t * u)
        } else {
          S.gemm(
            transposeA: false, transposeB: false, m: batch, n: u, k: u, alpha: 1, a: h + (t - 1) * u, lda: stride,
            b: recurrent, ldb: u, beta: 1, c: z + t * u, ldc: stride)
        }
      }
      e.activation.forward(z + t * u, into: h + t * u, rows: batch, width: u, stride: stride)
    }
    if !e.returnSequences {
      let y = ws.y[i].pointer
      for b in 0..<batch { (y + b * u).update(from: h + b * stride + (steps - 1) * u, count: u) }
    }
  }
}
