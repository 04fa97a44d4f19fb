extension NetworkPlan {
  /// Runs an LSTM layer over every step, as Keras 3's `LSTMCell.call` does
  /// (`keras/src/layers/rnn/lstm.py`), keeping what backpropagation needs.
  ///
  /// z = x_t·W + b + h_{t−1}·U, the four gates' pre-activations side by side
  /// (i, f, c, o); i, f, o = σ(z), g = φ(z_c); c_t = f ⊙ c_{t−1} + i ⊙ g;
  /// h_t = o ⊙ φ(c_t); h_0 = c_0 = 0. The input products of all steps are one
  /// matrix product, as for Elman layers; each step adds h_{t−1}·U in place.
  func lstmForward<S: BLASScalar>(
    _ l: GatedStep, parameters p: UnsafePointer<S>, x: UnsafePointer<S>, batch: Int, steps: Int, layer i: Int,
    workspace ws: Workspace<S>
  ) {
    let u = l.units
    let w = l.gateWidth
    let zs = steps * w
    let hs = steps * u
    let z = ws.z[i].pointer
    let a = ws.gates[i].pointer
    let c = ws.cell[i].pointer
    let tc = ws.cellActivation[i].pointer
    let h = ws.h[i].pointer
    affine(
      x: x, rows: batch * steps, inputs: l.inputWidth, units: w, kernel: p + l.kernel, bias: l.bias.map { p + $0 },
      into: z)
    for t in 0..<steps {
      let zt = z + t * w
      let at = a + t * w
      let hp = statesBefore(h, layer: i, step: t, steps: steps, workspace: ws)
      let cp = statesBefore(c, cell: true, layer: i, step: t, steps: steps, workspace: ws)
      if t > 0 {
        S.gemm(
          transposeA: false, transposeB: false, m: batch, n: w, k: u, a: hp + (t - 1) * u, lda: hs,
          b: p + l.recurrentKernel, ldb: w, accumulate: true, c: zt, ldc: zs)
      }
      for gate in 0..<4 {
        let activation = gate == 2 ? l.activation : l.recurrentActivation
        activation.forward(zt + gate * u, into: at + gate * u, rows: batch, width: u, stride: zs)
      }
      for b in 0..<batch {
        let gate = at + b * zs
        let ct = c + b * hs + t * u
        let previous = cp + b * hs + (t - 1) * u
        for j in 0..<u {
          // c_t = f ⊙ c_{t−1} + i ⊙ g
          let input = gate[j] * gate[2 * u + j]
          ct[j] = t > 0 ? gate[u + j] * previous[j] + input : input
        }
      }
      l.activation.forward(c + t * u, into: tc + t * u, rows: batch, width: u, stride: hs)
      for b in 0..<batch {
        let o = at + b * zs + 3 * u
        let row = b * hs + t * u
        // h_t = o ⊙ φ(c_t)
        for j in 0..<u { h[row + j] = o[j] * tc[row + j] }
      }
    }
    copyLastStep(of: l, batch: batch, steps: steps, layer: i, workspace: ws)
  }

  /// Copies the last h_t to the layer's [batch, units] output when it returns only that step.
  func copyLastStep<S: BLASScalar>(of l: GatedStep, batch: Int, steps: Int, layer i: Int, workspace ws: Workspace<S>) {
    guard !l.returnSequences else { return }
    let u = l.units
    let h = ws.h[i].pointer
    let y = ws.y[i].pointer
    for b in 0..<batch { (y + b * u).update(from: h + b * steps * u + (steps - 1) * u, count: u) }
  }

  /// Backpropagation through time for one LSTM layer.
  ///
  /// Going back from the last step, with ∂L/∂h_t (`dh`, from the output and
  /// from step t+1) and ∂L/∂c carried from step t+1:
  /// ∂o = ∂h ⊙ φ(c_t); ∂c_t = ∂h ⊙ o ⊙ φ′(c_t) + f_{t+1} ⊙ ∂c_{t+1};
  /// ∂i = ∂c_t ⊙ g; ∂f = ∂c_t ⊙ c_{t−1}; ∂g = ∂c_t ⊙ i; each gate's δ is its
  /// ∂ times its activation's derivative; ∂L/∂h_{t−1} += δ_t·Uᵀ. Truncation
  /// cuts both carries where ``backward(parameters:gradients:input:workspace:outputIsPreActivation:bpttSteps:chain:)``
  /// says. Then ∂L/∂W = Σ_t x_tᵀδ_t, ∂L/∂U = Σ_t h_{t−1}ᵀδ_t, ∂L/∂b = Σ δ_t,
  /// one product each over all batch·steps rows.
  /// With a `chain` (a batch split across ranks), each of these sums continues
  /// the partial sums of the ranks before and is handed on, as ``GradientChain`` says.
  func lstmBackward<S: BLASScalar>(
    _ l: GatedStep, parameters p: UnsafePointer<S>, gradients grad: UnsafeMutablePointer<S>, x: UnsafePointer<S>,
    batch: Int, steps: Int, layer i: Int, workspace ws: Workspace<S>, bpttSteps: Int?, chain: GradientChain?
  ) throws {
    let u = l.units
    let w = l.gateWidth
    let zs = steps * w
    let hs = steps * u
    let z = ws.z[i].pointer
    let a = ws.gates[i].pointer
    let c = ws.cell[i].pointer
    let tc = ws.cellActivation[i].pointer
    let dh = ws.dh[i].pointer
    let dz = ws.gateDelta[i].pointer
    let dct = ws.recurrentDelta[i].pointer
    let carry = ws.carry[i].pointer
    seedStateGradient(of: l, batch: batch, steps: steps, layer: i, workspace: ws)
    ws.gateDelta[i].zero(batch * zs)
    ws.carry[i].zero(batch * u)
    let recurrentT = transposeRecurrentKernel(of: l, parameters: p, layer: i, workspace: ws)
    let first = (!l.returnSequences && bpttSteps != nil) ? max(0, steps - bpttSteps!) : 0
    for t in stride(from: steps - 1, through: first, by: -1) {
      let cut = t == 0 || (bpttSteps.map { (steps - t) % $0 == 0 } ?? false)
      for b in 0..<batch {
        let row = b * hs + t * u
        let o = a + b * zs + t * w + 3 * u
        let dzt = dz + b * zs + t * w
        for j in 0..<u {
          dzt[3 * u + j] = dh[row + j] * tc[row + j]  // ∂L/∂o
          dct[row + j] = dh[row + j] * o[j]  // ∂L/∂φ(c_t)
        }
      }
      l.activation.backward(
        dct + t * u, z: c + t * u, y: tc + t * u, into: dct + t * u, rows: batch, width: u, stride: hs)
      for b in 0..<batch {
        let row = b * hs + t * u
        let gate = a + b * zs + t * w
        let dzt = dz + b * zs + t * w
        let carried = carry + b * u
        for j in 0..<u {
          let d = dct[row + j] + carried[j]  // ∂L/∂c_t
          dzt[j] = d * gate[2 * u + j]  // ∂L/∂i
          dzt[u + j] = t > 0 ? d * c[row - u + j] : 0  // ∂L/∂f
          dzt[2 * u + j] = d * gate[j]  // ∂L/∂g
          carried[j] = cut ? 0 : d * gate[u + j]  // f_t ⊙ ∂L/∂c_t, for step t−1
        }
      }
      for gate in 0..<4 {
        let activation = gate == 2 ? l.activation : l.recurrentActivation
        let offset = t * w + gate * u
        activation.backward(
          dz + offset, z: z + offset, y: a + offset, into: dz + offset, rows: batch, width: u, stride: zs)
      }
      if !cut {
        // ∂L/∂h_{t−1} += δ_t·Uᵀ
        S.gemm(
          transposeA: false, transposeB: false, m: batch, n: u, k: w, a: dz + t * w, lda: zs, b: recurrentT, ldb: u,
          accumulate: true, c: dh + (t - 1) * u, ldc: hs)
      }
    }
    // ∂L/∂U = Σ_t h_{t−1}ᵀδ_t, all gates in one product.
    try gatedWeightGradients(
      l, parameters: p, gradients: grad, x: x, batch: batch, steps: steps, layer: i, workspace: ws, chain: chain,
      recurrent: RecurrentGradientBlock(delta: dz, deltaStride: w, column: 0, columns: w))
  }

  /// Fills the layer's `dh` with ∂L/∂h_t from the output gradient: every step
  /// for sequence outputs, else the last step (the other steps start at 0).
  func seedStateGradient<S: BLASScalar>(
    of l: GatedStep, batch: Int, steps: Int, layer i: Int, workspace ws: Workspace<S>
  ) {
    let u = l.units
    let hs = steps * u
    let dh = ws.dh[i].pointer
    let outputGradient = ws.g[i].pointer
    if l.returnSequences {
      dh.update(from: outputGradient, count: batch * hs)
    } else {
      ws.dh[i].zero(batch * hs)
      for b in 0..<batch { (dh + b * hs + (steps - 1) * u).update(from: outputGradient + b * u, count: u) }
    }
  }

  /// Uᵀ, [gates·units, units], so that each step's δ_t·Uᵀ reads its right-hand side unpacked.
  func transposeRecurrentKernel<S: BLASScalar>(
    of l: GatedStep, parameters p: UnsafePointer<S>, layer i: Int, workspace ws: Workspace<S>
  ) -> UnsafeMutablePointer<S> {
    let u = l.units
    let w = l.gateWidth
    let recurrentT = ws.transposedRecurrent[i].pointer
    for r in 0..<u {
      for col in 0..<w { recurrentT[col * u + r] = p[l.recurrentKernel + r * w + col] }
    }
    return recurrentT
  }

  /// h_{t−1} for every step (0 for t = 0) in the layer's `previous` buffer.
  func previousStates<S: BLASScalar>(
    units u: Int, batch: Int, steps: Int, layer i: Int, workspace ws: Workspace<S>
  ) -> UnsafeMutablePointer<S> {
    let hs = steps * u
    let h = ws.h[i].pointer
    let previous = ws.previous[i].pointer
    for b in 0..<batch {
      (previous + b * hs).update(repeating: 0, count: u)
      (previous + b * hs + u).update(from: h + b * hs, count: hs - u)
    }
    return previous
  }

  /// ∂L/∂x = δ·Wᵀ into the previous layer's gradient buffer, when a layer below has weights.
  func inputGradient<S: BLASScalar>(
    of l: GatedStep, parameters p: UnsafePointer<S>, delta: UnsafePointer<S>, rows: Int, layer i: Int,
    workspace ws: Workspace<S>
  ) {
    guard needsInputGradient[i] else { return }
    let w = l.gateWidth
    S.gemm(
      transposeA: false, transposeB: true, m: rows, n: l.inputWidth, k: w, a: delta, lda: w, b: p + l.kernel,
      ldb: w, accumulate: false, c: ws.g[i - 1].pointer, ldc: l.inputWidth)
  }
}
