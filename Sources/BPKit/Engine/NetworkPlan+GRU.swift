extension NetworkPlan {
  /// Runs a GRU layer over every step, as Keras 3's `GRUCell.call` does
  /// (`keras/src/layers/rnn/gru.py`), keeping what backpropagation needs.
  ///
  /// Gates side by side in Keras' order z, r, h; σ the recurrent activation,
  /// φ the activation, h_0 = 0. With `resetAfter`:
  /// a = x_t·W + b, m = h_{t−1}·U + b′; z = σ(a_z + m_z), r = σ(a_r + m_r),
  /// ĥ = φ(a_h + r ⊙ m_h). Without: z = σ(a_z + h_{t−1}·U_z),
  /// r = σ(a_r + h_{t−1}·U_r), ĥ = φ(a_h + (r ⊙ h_{t−1})·U_h).
  /// Then h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ.
  func gruForward<S: BLASScalar>(
    _ l: GatedStep, parameters p: UnsafePointer<S>, x: UnsafePointer<S>, batch: Int, steps: Int, layer i: Int,
    workspace ws: Workspace<S>
  ) {
    let u = l.units
    let w = l.gateWidth
    let zs = steps * w
    let hs = steps * u
    let z = ws.z[i].pointer
    let a = ws.gates[i].pointer
    let m = ws.cell[i].pointer
    let h = ws.h[i].pointer
    let recurrent = p + l.recurrentKernel
    affine(
      x: x, rows: batch * steps, inputs: l.inputWidth, units: w, kernel: p + l.kernel, bias: l.bias.map { p + $0 },
      into: z)
    for t in 0..<steps {
      let zt = z + t * w
      let at = a + t * w
      // h_{t−1}, [batch, steps, units] with its rows hs apart.
      let hp = statesBefore(h, layer: i, step: t, steps: steps, workspace: ws) + (t - 1) * u
      if l.resetAfter {
        // m = b′ + h_{t−1}·U, kept for the backward pass.
        let mt = m + t * w
        for b in 0..<batch {
          if let bias = l.bias {
            (mt + b * zs).update(from: p + bias + w, count: w)
          } else {
            (mt + b * zs).update(repeating: 0, count: w)
          }
        }
        if t > 0 {
          S.gemm(
            transposeA: false, transposeB: false, m: batch, n: w, k: u, a: hp, lda: hs, b: recurrent,
            ldb: w, accumulate: true, c: mt, ldc: zs)
        }
        for b in 0..<batch {
          for j in 0..<(2 * u) { zt[b * zs + j] += mt[b * zs + j] }
        }
      } else if t > 0 {
        S.gemm(
          transposeA: false, transposeB: false, m: batch, n: 2 * u, k: u, a: hp, lda: hs, b: recurrent,
          ldb: w, accumulate: true, c: zt, ldc: zs)
      }
      l.recurrentActivation.forward(zt, into: at, rows: batch, width: 2 * u, stride: zs)
      if l.resetAfter {
        let mt = m + t * w
        for b in 0..<batch {
          let r = at + b * zs + u
          // a_h + r ⊙ m_h
          for j in 0..<u { zt[b * zs + 2 * u + j] += r[j] * mt[b * zs + 2 * u + j] }
        }
      } else {
        // r ⊙ h_{t−1}, kept for the backward pass; then its product with U_h.
        for b in 0..<batch {
          let r = at + b * zs + u
          let row = b * hs + t * u
          for j in 0..<u { m[row + j] = t > 0 ? r[j] * hp[b * hs + j] : 0 }
        }
        if t > 0 {
          S.gemm(
            transposeA: false, transposeB: false, m: batch, n: u, k: u, a: m + t * u, lda: hs, b: recurrent + 2 * u,
            ldb: w, accumulate: true, c: zt + 2 * u, ldc: zs)
        }
      }
      l.activation.forward(zt + 2 * u, into: at + 2 * u, rows: batch, width: u, stride: zs)
      for b in 0..<batch {
        let gate = at + b * zs
        let row = b * hs + t * u
        for j in 0..<u {
          // h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ
          let candidate = (1 - gate[j]) * gate[2 * u + j]
          h[row + j] = t > 0 ? gate[j] * hp[b * hs + j] + candidate : candidate
        }
      }
    }
    copyLastStep(of: l, batch: batch, steps: steps, layer: i, workspace: ws)
  }

  /// Backpropagation through time for one GRU layer.
  ///
  /// Going back from the last step with ∂h = ∂L/∂h_t: ∂z = ∂h ⊙ (h_{t−1} − ĥ),
  /// ∂ĥ = ∂h ⊙ (1 − z), each turned into its δ by its activation's derivative.
  /// With `resetAfter`: ∂r = δ_h ⊙ m_h, ∂m_h = δ_h ⊙ r, and ∂L/∂h_{t−1} +=
  /// ∂h ⊙ z + [δ_z, δ_r, ∂m_h]·Uᵀ. Without: ∂(r ⊙ h_{t−1}) = δ_h·U_hᵀ,
  /// ∂r = that ⊙ h_{t−1}, and ∂L/∂h_{t−1} += ∂h ⊙ z + that ⊙ r + [δ_z, δ_r]·[U_z, U_r]ᵀ.
  /// Then the weight gradients are one product each over all batch·steps rows.
  /// With a `chain` (a batch split across ranks), each of these sums continues
  /// the partial sums of the ranks before and is handed on, as ``GradientChain`` says.
  func gruBackward<S: BLASScalar>(
    _ l: GatedStep, parameters p: UnsafePointer<S>, gradients grad: UnsafeMutablePointer<S>, x: UnsafePointer<S>,
    batch: Int, steps: Int, layer i: Int, workspace ws: Workspace<S>, bpttSteps: Int?, chain: GradientChain?
  ) throws {
    let u = l.units
    let w = l.gateWidth
    let zs = steps * w
    let hs = steps * u
    let z = ws.z[i].pointer
    let a = ws.gates[i].pointer
    let m = ws.cell[i].pointer
    let h = ws.h[i].pointer
    let dh = ws.dh[i].pointer
    let dz = ws.gateDelta[i].pointer
    let dm = ws.recurrentDelta[i].pointer
    seedStateGradient(of: l, batch: batch, steps: steps, layer: i, workspace: ws)
    ws.gateDelta[i].zero(batch * zs)
    ws.recurrentDelta[i].zero(batch * hs)
    let recurrentT = transposeRecurrentKernel(of: l, parameters: p, layer: i, workspace: ws)
    let first = (!l.returnSequences && bpttSteps != nil) ? max(0, steps - bpttSteps!) : 0
    for t in stride(from: steps - 1, through: first, by: -1) {
      let cut = t == 0 || (bpttSteps.map { (steps - t) % $0 == 0 } ?? false)
      for b in 0..<batch {
        let row = b * hs + t * u
        let gate = a + b * zs + t * w
        let dzt = dz + b * zs + t * w
        for j in 0..<u {
          let previous: S = t > 0 ? h[row - u + j] : 0
          dzt[j] = dh[row + j] * (previous - gate[2 * u + j])  // ∂L/∂z
          dzt[2 * u + j] = dh[row + j] * (1 - gate[j])  // ∂L/∂ĥ
        }
      }
      l.recurrentActivation.backward(
        dz + t * w, z: z + t * w, y: a + t * w, into: dz + t * w, rows: batch, width: u, stride: zs)
      l.activation.backward(
        dz + t * w + 2 * u, z: z + t * w + 2 * u, y: a + t * w + 2 * u, into: dz + t * w + 2 * u, rows: batch,
        width: u, stride: zs)
      if l.resetAfter {
        for b in 0..<batch {
          let gate = a + b * zs + t * w
          let dzt = dz + b * zs + t * w
          let mh = m + b * zs + t * w + 2 * u
          let row = b * hs + t * u
          for j in 0..<u {
            dzt[u + j] = dzt[2 * u + j] * mh[j]  // ∂L/∂r
            dm[row + j] = dzt[2 * u + j] * gate[u + j]  // ∂L/∂m_h
          }
        }
      } else if t > 0 {
        // ∂L/∂(r ⊙ h_{t−1}) = δ_h·U_hᵀ
        S.gemm(
          transposeA: false, transposeB: false, m: batch, n: u, k: u, a: dz + t * w + 2 * u, lda: zs,
          b: recurrentT + 2 * u * u, ldb: u, accumulate: false, c: dm + t * u, ldc: hs)
        for b in 0..<batch {
          let dzt = dz + b * zs + t * w
          let row = b * hs + t * u
          for j in 0..<u { dzt[u + j] = dm[row + j] * h[row - u + j] }  // ∂L/∂r
        }
      }
      l.recurrentActivation.backward(
        dz + t * w + u, z: z + t * w + u, y: a + t * w + u, into: dz + t * w + u, rows: batch, width: u, stride: zs)
      guard !cut else { continue }
      for b in 0..<batch {
        let gate = a + b * zs + t * w
        let row = b * hs + t * u
        for j in 0..<u {
          // The direct path h_{t−1} → h_t, and for reset-before the path through r ⊙ h_{t−1}.
          var d = dh[row + j] * gate[j]
          if !l.resetAfter { d += dm[row + j] * gate[u + j] }
          dh[row - u + j] += d
        }
      }
      // ∂L/∂h_{t−1} += [δ_z, δ_r]·[U_z, U_r]ᵀ (+ ∂m_h·U_hᵀ with resetAfter)
      S.gemm(
        transposeA: false, transposeB: false, m: batch, n: u, k: 2 * u, a: dz + t * w, lda: zs, b: recurrentT,
        ldb: u, accumulate: true, c: dh + (t - 1) * u, ldc: hs)
      if l.resetAfter {
        S.gemm(
          transposeA: false, transposeB: false, m: batch, n: u, k: u, a: dm + t * u, lda: hs,
          b: recurrentT + 2 * u * u, ldb: u, accumulate: true, c: dh + (t - 1) * u, ldc: hs)
      }
    }
    try gruWeightGradients(
      l, parameters: p, gradients: grad, x: x, batch: batch, steps: steps, layer: i, workspace: ws, chain: chain)
  }

  /// ∂L/∂W = Σ_t x_tᵀδ_t, ∂L/∂b = Σ δ_t, ∂L/∂U and, with `resetAfter`, the
  /// recurrent bias's ∂L/∂b′ = Σ [δ_z, δ_r, ∂m_h]; then ∂L/∂x = δ·Wᵀ. Each
  /// weight gradient, the recurrent bias included, continues the chain's sum
  /// when there is one.
  private func gruWeightGradients<S: BLASScalar>(
    _ l: GatedStep, parameters p: UnsafePointer<S>, gradients grad: UnsafeMutablePointer<S>, x: UnsafePointer<S>,
    batch: Int, steps: Int, layer i: Int, workspace ws: Workspace<S>, chain: GradientChain?
  ) throws {
    let u = l.units
    let w = l.gateWidth
    let rows = batch * steps
    let dz = ws.gateDelta[i].pointer
    let dm = ws.recurrentDelta[i].pointer
    // ∂L/∂[U_z, U_r] = Σ_t h_{t−1}ᵀ[δ_z, δ_r]; ∂L/∂U_h = Σ_t h_{t−1}ᵀ∂m_h with
    // resetAfter, else Σ_t (r ⊙ h_{t−1})ᵀδ_h.
    try gatedWeightGradients(
      l, parameters: p, gradients: grad, x: x, batch: batch, steps: steps, layer: i, workspace: ws, chain: chain,
      recurrent: RecurrentGradientBlock(delta: dz, deltaStride: w, column: 0, columns: 2 * u),
      l.resetAfter
        ? RecurrentGradientBlock(delta: dm, deltaStride: u, column: 2 * u, columns: u)
        : RecurrentGradientBlock(
          source: ws.cell[i].pointer, delta: dz + 2 * u, deltaStride: w, column: 2 * u, columns: u))
    if l.resetAfter, let bias = l.bias {
      // ∂L/∂b′ = Σ_rows [δ_z, δ_r, ∂m_h], its own chain of additions over the rows.
      let recurrentBias = grad + bias + w
      let continuedBias = try chain?.start(recurrentBias, count: w) ?? false
      if !continuedBias { recurrentBias.update(repeating: 0, count: w) }
      for r in 0..<rows {
        let gates = dz + r * w
        for j in 0..<(2 * u) { recurrentBias[j] += gates[j] }
      }
      columnSums(dm, rows: rows, width: u, into: recurrentBias + 2 * u, accumulate: true)
      try chain?.finish(recurrentBias, count: w)
    }
  }
}
