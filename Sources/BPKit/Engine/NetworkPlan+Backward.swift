extension NetworkPlan {
  /// The number of rows entering layer `index` for a batch: batch·steps while
  /// the data has a time axis, batch after a recurrent layer that returns only
  /// its last state.
  func inputRows(of index: Int, batch: Int, steps: Int) -> Int {
    var rows = network.input.isSequence ? batch * steps : batch
    for i in 0..<index {
      switch self.steps[i] {
      case .elman, .lstm, .gru: rows = returnsSequence(i) ? batch * steps : batch
      case .dense, .standardize, .dropout: break
      }
    }
    return rows
  }

  /// Backpropagates the gradient in the last layer's `g` buffer and writes
  /// ∂L/∂θ for every trainable weight into `gradients` (laid out like the
  /// first `layout.trainableCount` parameters).
  ///
  /// - Parameters:
  ///   - outputIsPreActivation: The last layer's `g` holds ∂L/∂z rather than
  ///     ∂L/∂y (a loss fused with its activation).
  ///   - bpttSteps: Truncated backpropagation through time: the error carried
  ///     from step t to t−1 is cut wherever steps − t is a multiple of k, so
  ///     the sequence falls into windows of k steps counted back from its end
  ///     and errors flow back within their window. With one output at the
  ///     last step, exactly the last k steps receive gradient. `nil` is full BPTT.
  ///   - chain: For a batch split across ranks, continues the sums of the
  ///     ranks before this one and hands them on; `nil` on one process.
  func backward<S: BLASScalar>(
    parameters p: UnsafePointer<S>, gradients grad: UnsafeMutablePointer<S>, input: UnsafePointer<S>,
    workspace ws: Workspace<S>, outputIsPreActivation: Bool, bpttSteps: Int?, chain: GradientChain? = nil
  ) throws {
    let batch = ws.batch
    let steps = ws.steps
    let last = self.steps.count - 1
    for i in stride(from: last, through: 0, by: -1) {
      let x = i == 0 ? input : UnsafePointer(output(of: i - 1, in: ws))
      let rows = inputRows(of: i, batch: batch, steps: steps)
      let fused = outputIsPreActivation && i == last
      switch self.steps[i] {
      case .dense(let d):
        let dz = ws.g[i].pointer
        if !fused {
          let y = ws.y[i].pointer
          let z = d.activation == .linear ? y : ws.z[i].pointer
          d.activation.backward(dz, z: z, y: y, into: dz, rows: rows, width: d.units, stride: d.units)
        }
        try weightGradients(
          x: x, delta: dz, rows: rows, inputs: d.inputWidth, units: d.units, kernelGradient: grad + d.kernel,
          biasGradient: d.bias.map { grad + $0 }, chain: chain)
        if needsInputGradient[i] {
          // ∂L/∂x = δ·Wᵀ
          S.gemm(
            transposeA: false, transposeB: true, m: rows, n: d.inputWidth, k: d.units, a: dz, lda: d.units,
            b: p + d.kernel, ldb: d.units, accumulate: false, c: ws.g[i - 1].pointer, ldc: d.inputWidth)
        }
      case .elman(let e):
        try elmanBackward(
          e, parameters: p, gradients: grad, x: x, batch: batch, steps: steps, layer: i, workspace: ws, fused: fused,
          bpttSteps: bpttSteps, chain: chain)
      case .lstm(let l):
        // An LSTM's output is no single activation, so no loss fuses with it.
        try lstmBackward(
          l, parameters: p, gradients: grad, x: x, batch: batch, steps: steps, layer: i, workspace: ws,
          bpttSteps: bpttSteps, chain: chain)
      case .gru(let l):
        try gruBackward(
          l, parameters: p, gradients: grad, x: x, batch: batch, steps: steps, layer: i, workspace: ws,
          bpttSteps: bpttSteps, chain: chain)
      case .standardize(let s):
        guard needsInputGradient[i] else { continue }
        let dy = ws.g[i].pointer
        let dx = ws.g[i - 1].pointer
        let std = p + s.std
        for r in 0..<rows {
          for j in 0..<s.width {
            let scale = std[j] == 0 ? 1 : std[j]
            dx[r * s.width + j] = dy[r * s.width + j] / scale
          }
        }
      case .dropout(let d):
        guard needsInputGradient[i] else { continue }
        let dy = ws.g[i].pointer
        let dx = ws.g[i - 1].pointer
        let count = rows * d.width
        if ws.masked, d.rate > 0 {
          // ∂L/∂x = ∂L/∂y / (1 − rate) where the forward pass kept x, else 0.
          let mask = ws.z[i].pointer
          let keep = S(1 - d.rate)
          for k in 0..<count { dx[k] = mask[k] != 0 ? dy[k] / keep : 0 }
        } else {
          dx.update(from: dy, count: count)
        }
      }
    }
  }

  /// ∂L/∂W = xᵀ·δ and ∂L/∂b = Σ_rows δ, each continuing the chain's sum when there is one.
  func weightGradients<S: BLASScalar>(
    x: UnsafePointer<S>, delta: UnsafePointer<S>, rows: Int, inputs: Int, units: Int,
    kernelGradient: UnsafeMutablePointer<S>, biasGradient: UnsafeMutablePointer<S>?, chain: GradientChain?
  ) throws {
    let continued = try chain?.start(kernelGradient, count: inputs * units) ?? false
    S.gemm(
      transposeA: true, transposeB: false, m: inputs, n: units, k: rows, a: x, lda: inputs, b: delta, ldb: units,
      accumulate: continued, c: kernelGradient, ldc: units)
    try chain?.finish(kernelGradient, count: inputs * units)
    if let biasGradient {
      let continuedBias = try chain?.start(biasGradient, count: units) ?? false
      columnSums(delta, rows: rows, width: units, into: biasGradient, accumulate: continuedBias)
      try chain?.finish(biasGradient, count: units)
    }
  }

  /// Backpropagation through time for one Elman layer.
  ///
  /// Going back from the last step: δ_t = (∂L/∂h_t + δ_{t+1}·Uᵀ) ⊙ f′(z_t),
  /// accumulated in place in the `dh` buffer; then the weight gradients are
  /// one product each over all batch·steps rows:
  /// ∂L/∂W = Σ_t x_tᵀδ_t, ∂L/∂U = Σ_t h_{t−1}ᵀδ_t, ∂L/∂b = Σ_t Σ_rows δ_t.
  private func elmanBackward<S: BLASScalar>(
    _ e: ElmanStep, parameters p: UnsafePointer<S>, gradients grad: UnsafeMutablePointer<S>, x: UnsafePointer<S>,
    batch: Int, steps: Int, layer i: Int, workspace ws: Workspace<S>, fused: Bool, bpttSteps: Int?,
    chain: GradientChain?
  ) throws {
    let u = e.units
    let rowStride = steps * u
    let count = batch * rowStride
    let dh = ws.dh[i].pointer
    let z = ws.z[i].pointer
    let h = ws.h[i].pointer
    let outputGradient = ws.g[i].pointer
    if e.returnSequences && !fused {
      dh.update(from: outputGradient, count: count)
    } else {
      ws.dh[i].zero(count)
      if !e.returnSequences && !fused {
        for b in 0..<batch { (dh + b * rowStride + (steps - 1) * u).update(from: outputGradient + b * u, count: u) }
      }
    }
    // Uᵀ once per batch: the products below then read it row by row, unpacked.
    let recurrentT = ws.transposedRecurrent[i].pointer
    for r in 0..<u {
      for c in 0..<u { recurrentT[c * u + r] = p[e.recurrentKernel + r * u + c] }
    }
    // With one output at the end, steps before the last k receive nothing.
    let first = (!e.returnSequences && bpttSteps != nil) ? max(0, steps - bpttSteps!) : 0
    for t in stride(from: steps - 1, through: first, by: -1) {
      let o = t * u
      e.activation.backward(dh + o, z: z + o, y: h + o, into: dh + o, rows: batch, width: u, stride: rowStride)
      if fused {
        // The loss supplied ∂L/∂z directly for the output steps.
        if e.returnSequences {
          for b in 0..<batch {
            for j in 0..<u { dh[b * rowStride + o + j] += outputGradient[b * rowStride + o + j] }
          }
        } else if t == steps - 1 {
          for b in 0..<batch {
            for j in 0..<u { dh[b * rowStride + o + j] += outputGradient[b * u + j] }
          }
        }
      }
      let cut = bpttSteps.map { (steps - t) % $0 == 0 } ?? false
      if t > 0 && !cut {
        // ∂L/∂h_{t−1} += δ_t·Uᵀ
        S.gemm(
          transposeA: false, transposeB: false, m: batch, n: u, k: u, a: dh + o, lda: rowStride, b: recurrentT,
          ldb: u, accumulate: true, c: dh + o - u, ldc: rowStride)
      }
    }
    let previous = ws.previous[i].pointer
    for b in 0..<batch {
      (previous + b * rowStride).update(repeating: 0, count: u)
      (previous + b * rowStride + u).update(from: h + b * rowStride, count: rowStride - u)
    }
    try weightGradients(
      x: x, delta: dh, rows: batch * steps, inputs: e.inputWidth, units: u, kernelGradient: grad + e.kernel,
      biasGradient: e.bias.map { grad + $0 }, chain: chain)
    let continued = try chain?.start(grad + e.recurrentKernel, count: u * u) ?? false
    S.gemm(
      transposeA: true, transposeB: false, m: u, n: u, k: batch * steps, a: previous, lda: u, b: dh, ldb: u,
      accumulate: continued, c: grad + e.recurrentKernel, ldc: u)
    try chain?.finish(grad + e.recurrentKernel, count: u * u)
    if needsInputGradient[i] {
      S.gemm(
        transposeA: false, transposeB: true, m: batch * steps, n: e.inputWidth, k: u, a: dh, lda: u,
        b: p + e.kernel, ldb: u, accumulate: false, c: ws.g[i - 1].pointer, ldc: e.inputWidth)
    }
  }
}

/// out_j = Σ_r m[r, j].
@inline(__always)
func columnSums<S: BLASScalar>(
  _ m: UnsafePointer<S>, rows: Int, width: Int, into out: UnsafeMutablePointer<S>, accumulate: Bool = false
) {
  if !accumulate { out.update(repeating: 0, count: width) }
  for r in 0..<rows {
    let row = m + r * width
    for j in 0..<width { out[j] += row[j] }
  }
}
