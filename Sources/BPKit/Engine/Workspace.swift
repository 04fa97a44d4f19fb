/// The buffers one forward and backward pass through a network needs, kept
/// between passes so that training allocates nothing once the largest batch
/// has been seen.
///
/// Layouts are row-major. A sequence batch is [batch, steps, width], so the
/// rows of one time step are `steps · width` apart.
final class Workspace<S: BLASScalar> {
  /// Pre-activations z per layer ([rows, units]; [batch·steps, units] for Elman);
  /// a dropout layer's mask (1 kept, 0 dropped) in training.
  let z: [ScalarBuffer<S>]
  /// Outputs per layer; for an Elman layer without `returnSequences`, the
  /// last step's state, copied to a contiguous [batch, units].
  let y: [ScalarBuffer<S>]
  /// Elman hidden states h_t for every step, [batch, steps, units].
  let h: [ScalarBuffer<S>]
  /// Gradients of the loss with respect to each layer's output.
  let g: [ScalarBuffer<S>]
  /// Elman: gradients with respect to h_t, turned into ∂L/∂z_t in place.
  let dh: [ScalarBuffer<S>]
  /// Elman: h_{t−1} for every step (zero for t = 0), for ∂L/∂U in one product.
  let previous: [ScalarBuffer<S>]
  /// Elman, LSTM, GRU: Uᵀ, so that each step's δ_t·Uᵀ reads its right-hand side unpacked.
  let transposedRecurrent: [ScalarBuffer<S>]
  /// LSTM, GRU: the activated gates, [batch, steps, gates·units] (pre-activations are in `z`).
  let gates: [ScalarBuffer<S>]
  /// LSTM: the cell states c_t, [batch, steps, units]. GRU with `resetAfter`:
  /// h_{t−1}·U + b′ for every gate, [batch, steps, 3·units]; without: r ⊙ h_{t−1}, [batch, steps, units].
  let cell: [ScalarBuffer<S>]
  /// LSTM: φ(c_t), [batch, steps, units].
  let cellActivation: [ScalarBuffer<S>]
  /// LSTM, GRU: ∂L/∂ of the gates' pre-activations, [batch, steps, gates·units].
  let gateDelta: [ScalarBuffer<S>]
  /// GRU: ∂L/∂(h_{t−1}·U_h + b′_h) with `resetAfter`, else ∂L/∂(r ⊙ h_{t−1}); [batch, steps, units].
  let recurrentDelta: [ScalarBuffer<S>]
  /// LSTM: ∂L/∂c carried from one step back to the one before, [batch, units].
  let carry: [ScalarBuffer<S>]

  /// For gradient checks of truncated BPTT only: states of a reference pass
  /// that the forward pass reads, at truncation boundaries, in place of its own
  /// (see `NetworkPlan.statesBefore`). `nil` in training.
  var frozenBoundaries: FrozenBoundaries<S>?

  /// Whether the last forward pass applied dropout masks (kept in `z` of each
  /// dropout layer), which the backward pass then applies to the gradients.
  var masked = false

  private(set) var batch = 0
  private(set) var steps = 0

  init(layerCount: Int) {
    func make() -> [ScalarBuffer<S>] { (0..<layerCount).map { _ in ScalarBuffer<S>() } }
    z = make()
    y = make()
    h = make()
    g = make()
    dh = make()
    previous = make()
    transposedRecurrent = make()
    gates = make()
    cell = make()
    cellActivation = make()
    gateDelta = make()
    recurrentDelta = make()
    carry = make()
  }

  /// Copies of every recurrent layer's states h_t (and an LSTM's c_t) from one
  /// forward pass, and the truncation length k whose boundaries read them.
  struct FrozenBoundaries<T: BLASScalar> {
    var every: Int
    var h: [ScalarBuffer<T>]
    var c: [ScalarBuffer<T>]
  }

  /// Keeps the states of the pass just run for ``frozenBoundaries``.
  func freezeBoundaries(every k: Int, plan: NetworkPlan) {
    var frozen = FrozenBoundaries<S>(every: k, h: [], c: [])
    for (i, step) in plan.steps.enumerated() {
      var units = 0
      switch step {
      case .elman(let e): units = e.units
      case .lstm(let g), .gru(let g): units = g.units
      case .dense, .standardize, .dropout: break
      }
      let count = batch * steps * units
      let h = ScalarBuffer<S>(capacity: count)
      let c = ScalarBuffer<S>(capacity: count)
      if units > 0 {
        h.pointer.update(from: self.h[i].pointer, count: count)
        if case .lstm = step { c.pointer.update(from: cell[i].pointer, count: count) }
      }
      frozen.h.append(h)
      frozen.c.append(c)
    }
    frozenBoundaries = frozen
  }

  /// Makes room for a batch of `batch` samples of `steps` time steps
  /// (1 for vector inputs).
  func prepare(plan: NetworkPlan, batch: Int, steps: Int, training: Bool) {
    self.batch = batch
    self.steps = steps
    var rows = plan.network.input.isSequence ? batch * steps : batch
    for (i, step) in plan.steps.enumerated() {
      switch step {
      case .dense(let dense):
        let size = rows * dense.units
        y[i].reserve(size)
        if training {
          z[i].reserve(size)
          g[i].reserve(size)
        }
      case .elman(let elman):
        let sequence = batch * steps * elman.units
        h[i].reserve(sequence)
        if training {
          z[i].reserve(sequence)
          dh[i].reserve(sequence)
          previous[i].reserve(sequence)
          transposedRecurrent[i].reserve(elman.units * elman.units)
        }
        rows = elman.returnSequences ? batch * steps : batch
        let size = rows * elman.units
        if !elman.returnSequences { y[i].reserve(size) }
        if training { g[i].reserve(size) }
      case .lstm(let gated), .gru(let gated):
        let units = gated.units
        let sequence = batch * steps * units
        let gateSequence = batch * steps * gated.gateWidth
        h[i].reserve(sequence)
        z[i].reserve(gateSequence)
        gates[i].reserve(gateSequence)
        if case .lstm = step {
          cell[i].reserve(sequence)
          cellActivation[i].reserve(sequence)
        } else {
          cell[i].reserve(gated.resetAfter ? gateSequence : sequence)
        }
        if training {
          dh[i].reserve(sequence)
          previous[i].reserve(sequence)
          gateDelta[i].reserve(gateSequence)
          recurrentDelta[i].reserve(sequence)
          carry[i].reserve(batch * units)
          transposedRecurrent[i].reserve(gated.gateWidth * units)
        }
        rows = gated.returnSequences ? batch * steps : batch
        let size = rows * units
        if !gated.returnSequences { y[i].reserve(size) }
        if training { g[i].reserve(size) }
      case .standardize(let standardize):
        y[i].reserve(rows * standardize.width)
        if training { g[i].reserve(rows * standardize.width) }
      case .dropout(let dropout):
        let size = rows * dropout.width
        y[i].reserve(size)
        if training {
          z[i].reserve(size)
          g[i].reserve(size)
        }
      }
    }
  }
}
