/// The buffers one forward and backward pass through a network needs, kept
/// between passes so that training allocates nothing once the largest batch
/// has been seen.
///
/// Layouts are row-major. A sequence batch is [batch, steps, width], so the
/// rows of one time step are `steps · width` apart.
final class Workspace<S: BLASScalar> {
  /// Pre-activations z per layer ([rows, units]; [batch·steps, units] for Elman).
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
  /// Elman: Uᵀ, so that each step's δ_t·Uᵀ reads its right-hand side unpacked.
  let transposedRecurrent: [ScalarBuffer<S>]

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
      case .standardize(let standardize):
        y[i].reserve(rows * standardize.width)
        if training { g[i].reserve(rows * standardize.width) }
      }
    }
  }
}
