/// A block of columns of a gated layer's ∂L/∂U = Σ_t sourceᵀ·delta over all
/// batch·steps rows: `source` is h_{t−1} unless given (a GRU's r ⊙ h_{t−1}).
struct RecurrentGradientBlock<S: BLASScalar> {
  var source: UnsafePointer<S>?
  var delta: UnsafePointer<S>
  var deltaStride: Int
  /// The block's first column in U's gradient, [units, gates·units].
  var column: Int
  var columns: Int

  init(
    source: UnsafePointer<S>? = nil, delta: UnsafePointer<S>, deltaStride: Int, column: Int, columns: Int
  ) {
    self.source = source
    self.delta = delta
    self.deltaStride = deltaStride
    self.column = column
    self.columns = columns
  }
}

extension NetworkPlan {
  /// The weight gradients LSTM and GRU layers share, from the gate deltas of
  /// every step: ∂L/∂W = Σ_t x_tᵀδ_t and ∂L/∂b = Σ δ_t, then ∂L/∂U from
  /// `first` and `second`, each a product over all batch·steps rows into one
  /// block of its columns, and ∂L/∂x = δ·Wᵀ. With a `chain`, W, b and U each
  /// continue the sums of the ranks before, U's blocks together (U's
  /// gradient is units × gates·units with rows of gates·units, so they fill
  /// one contiguous tensor).
  func gatedWeightGradients<S: BLASScalar>(
    _ l: GatedStep, parameters p: UnsafePointer<S>, gradients grad: UnsafeMutablePointer<S>, x: UnsafePointer<S>,
    batch: Int, steps: Int, layer i: Int, workspace ws: Workspace<S>, chain: GradientChain?,
    recurrent first: RecurrentGradientBlock<S>, _ second: RecurrentGradientBlock<S>? = nil
  ) throws {
    let u = l.units
    let w = l.gateWidth
    let rows = batch * steps
    let dz = ws.gateDelta[i].pointer
    let previous = previousStates(units: u, batch: batch, steps: steps, layer: i, workspace: ws)
    try weightGradients(
      x: x, delta: dz, rows: rows, inputs: l.inputWidth, units: w, kernelGradient: grad + l.kernel,
      biasGradient: l.bias.map { grad + $0 }, chain: chain)
    let dU = grad + l.recurrentKernel
    let continued = try chain?.start(dU, count: u * w) ?? false
    func product(_ block: RecurrentGradientBlock<S>) {
      S.gemm(
        transposeA: true, transposeB: false, m: u, n: block.columns, k: rows,
        a: block.source ?? UnsafePointer(previous), lda: u,
        b: block.delta, ldb: block.deltaStride, accumulate: continued, c: dU + block.column, ldc: w)
    }
    product(first)
    if let second { product(second) }
    try chain?.finish(dU, count: u * w)
    inputGradient(of: l, parameters: p, delta: dz, rows: rows, layer: i, workspace: ws)
  }
}
