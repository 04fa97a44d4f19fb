extension NetworkPlan {
  /// The buffer holding layer `index`'s output after ``forward(parameters:input:workspace:training:dropout:packed:)``.
  func output<S>(of index: Int, in workspace: Workspace<S>) -> UnsafeMutablePointer<S> {
    if returnsSequence(index) { return workspace.h[index].pointer }
    return workspace.y[index].pointer
  }

  /// The states step t of recurrent layer i reads as h_{t−1} (or, with `cell`,
  /// an LSTM's c_{t−1}), laid out as [batch, steps, units]: the layer's own,
  /// except at a truncation boundary while a gradient check of truncated BPTT
  /// holds the reference pass's states fixed there, as truncation treats them
  /// (``Workspace/frozenBoundaries``).
  func statesBefore<S: BLASScalar>(
    _ own: UnsafeMutablePointer<S>, cell: Bool = false, layer i: Int, step t: Int, steps: Int,
    workspace ws: Workspace<S>
  ) -> UnsafeMutablePointer<S> {
    guard let frozen = ws.frozenBoundaries, (steps - t) % frozen.every == 0 else { return own }
    return (cell ? frozen.c[i] : frozen.h[i]).pointer
  }

  /// Runs the network on the batch the workspace was prepared for.
  ///
  /// With `training`, every pre-activation is kept for the backward pass;
  /// without, activations are applied in place. A row's outputs are the same
  /// numbers in any batch: every product computes each element in one fixed
  /// chain (see ``Kernels``).
  ///
  /// - Parameters:
  ///   - parameters: The flat weights, laid out by ``layout``.
  ///   - input: [batch, features] or [batch, steps, features], row-major.
  ///   - dropout: The batch's dropout masks: dropout layers drop and scale
  ///     their inputs (training); `nil` passes them through (inference).
  ///   - packed: The dense kernels of `parameters`, packed (`Float` only).
  ///   - split: The large dense kernels of `parameters` cut by columns, one
  ///     part per thread, for a single sample (`Float` only).
  func forward<S: BLASScalar>(
    parameters p: UnsafePointer<S>, input: UnsafePointer<S>, workspace ws: Workspace<S>, training: Bool,
    dropout: DropoutMasks? = nil, packed: PackedKernels? = nil, split: SplitKernels? = nil
  ) {
    ws.masked = training && dropout != nil && hasDropout
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
        let rectified = affine(
          x: x, rows: rows, inputs: d.inputWidth, units: d.units, kernel: p + d.kernel, bias: d.bias.map { p + $0 },
          into: z, packed: packed.map { ($0, i) }, split: split.map { ($0, i) },
          rectify: !keepZ && d.activation == .relu)
        if !rectified { d.activation.forward(z, into: y, rows: rows, width: d.units, stride: d.units) }
        x = UnsafePointer(y)
      case .elman(let e):
        elmanForward(e, parameters: p, x: x, batch: batch, steps: steps, layer: i, workspace: ws, training: training)
        rows = e.returnSequences ? batch * steps : batch
        x = UnsafePointer(output(of: i, in: ws))
      case .lstm(let g):
        lstmForward(g, parameters: p, x: x, batch: batch, steps: steps, layer: i, workspace: ws)
        rows = g.returnSequences ? batch * steps : batch
        x = UnsafePointer(output(of: i, in: ws))
      case .gru(let g):
        gruForward(g, parameters: p, x: x, batch: batch, steps: steps, layer: i, workspace: ws)
        rows = g.returnSequences ? batch * steps : batch
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
      case .dropout(let d):
        let y = ws.y[i].pointer
        let count = rows * d.width
        if ws.masked, d.rate > 0, let dropout {
          let mask = ws.z[i].pointer
          let perSample = batch > 0 ? count / batch : 0
          for b in 0..<batch {
            dropout.fill(mask + b * perSample, count: perSample, sample: b, layer: i, rate: d.rate)
          }
          // y = x / (1 − rate) where kept, else 0: Keras' `inputs / keep_prob`.
          let keep = S(1 - d.rate)
          for k in 0..<count { y[k] = mask[k] != 0 ? x[k] / keep : 0 }
        } else {
          y.update(from: x, count: count)
        }
        x = UnsafePointer(y)
      }
    }
  }

  /// out = b + x·W for `rows` rows: each output starts from its bias and
  /// adds the inputs' products in order. `packed` gives W packed, and
  /// `split` W cut by columns over the threads, as dense step `.1`.
  ///
  /// - Returns: Whether `out` was also rectified (out = max(out, 0)), which
  ///   the split product does in the same pass when `rectify` asks for it.
  @discardableResult
  func affine<S: BLASScalar>(
    x: UnsafePointer<S>, rows: Int, inputs: Int, units: Int, kernel: UnsafePointer<S>, bias: UnsafePointer<S>?,
    into out: UnsafeMutablePointer<S>, packed: (PackedKernels, Int)? = nil, split: (SplitKernels, Int)? = nil,
    rectify: Bool = false
  ) -> Bool {
    func float<T>(_ pointer: UnsafePointer<T>) -> UnsafePointer<Float> {
      UnsafeRawPointer(pointer).assumingMemoryBound(to: Float.self)
    }
    if let split, S.self == Float.self,
      split.0.multiply(
        step: split.1, x: float(x), rows: rows, inputs: inputs, units: units, bias: bias.map(float),
        rectify: rectify, into: UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self))
    {
      return rectify
    }
    if let bias {
      for r in 0..<rows { (out + r * units).update(from: bias, count: units) }
    }
    if let packed, S.self == Float.self {
      packed.0.multiply(
        step: packed.1, x: float(x), rows: rows, inputs: inputs, units: units, kernel: float(kernel),
        accumulate: bias != nil, into: UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self))
      return false
    }
    S.gemm(
      transposeA: false, transposeB: false, m: rows, n: units, k: inputs, a: x, lda: inputs, b: kernel, ldb: units,
      accumulate: bias != nil, c: out, ldc: units)
    return false
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
      into: z)
    let recurrent = p + e.recurrentKernel
    for t in 0..<steps {
      if t > 0 {
        let previous = statesBefore(h, layer: i, step: t, steps: steps, workspace: ws)
        S.gemm(
          transposeA: false, transposeB: false, m: batch, n: u, k: u, a: previous + (t - 1) * u, lda: stride,
          b: recurrent, ldb: u, accumulate: true, c: z + t * u, ldc: stride)
      }
      e.activation.forward(z + t * u, into: h + t * u, rows: batch, width: u, stride: stride)
    }
    if !e.returnSequences {
      let y = ws.y[i].pointer
      for b in 0..<batch { (y + b * u).update(from: h + b * stride + (steps - 1) * u, count: u) }
    }
  }
}
