import Foundation

/// The update rules, applied to the engine's flat weights, gradients and slots.
///
/// Where Keras 3 has the optimizer, the formulas and the order of operations
/// are those of its `keras/src/optimizers/*.py`, computed in the weights'
/// precision with hyperparameters cast to it, so that state imported from
/// Keras continues as Keras would. The slot names are Keras's too.
struct OptimizerRule {
  let configuration: OptimizerConfiguration

  /// The slots this optimizer keeps per weight, in the order the engine stores them.
  var slotNames: [String] {
    let c = configuration
    switch c.kind {
    case .sgd, .momentum, .nesterov: return c.momentum != 0 ? ["momentum"] : []
    case .adam, .adamw: return c.amsgrad ? ["momentum", "velocity", "velocity_hat"] : ["momentum", "velocity"]
    case .nadam: return ["momentum", "velocity"]
    case .adagrad: return ["accumulator"]
    case .rmsprop:
      return ["velocity"] + (c.momentum > 0 ? ["momentum"] : []) + (c.centered ? ["average_gradient"] : [])
    case .rprop: return ["previous_gradient", "step_size"]
    }
  }

  /// The value a fresh slot starts with: zero, except RPROP's step sizes,
  /// which start at the initial step (FANN's `rprop_delta_zero`), and
  /// Adagrad's accumulators, which start at `initial_accumulator_value`.
  func initialValue(ofSlot name: String) -> Double {
    switch name {
    case "step_size": configuration.initialStep
    case "accumulator": configuration.initialAccumulatorValue
    default: 0
    }
  }

  /// Checks the hyperparameters before any update uses them.
  func validate() throws(EngineError) {
    let c = configuration
    func check(_ name: String, _ value: Double, _ valid: Bool, _ expected: String) throws(EngineError) {
      if !valid || !value.isFinite { throw .invalidHyperparameter(name: name, value: value, expected: expected) }
    }
    if c.kind != .rprop { try check("learning_rate", c.learningRate, c.learningRate >= 0, "at least 0") }
    switch c.kind {
    case .sgd, .momentum, .nesterov:
      try check("momentum", c.momentum, (0...1).contains(c.momentum), "between 0 and 1")
    case .adam, .adamw, .nadam:
      try check("beta_1", c.beta1, (0..<1).contains(c.beta1), "in [0, 1)")
      try check("beta_2", c.beta2, (0..<1).contains(c.beta2), "in [0, 1)")
      try check("epsilon", c.epsilon, c.epsilon > 0, "greater than 0")
    case .adagrad:
      try check("initial_accumulator_value", c.initialAccumulatorValue, c.initialAccumulatorValue >= 0, "at least 0")
      try check("epsilon", c.epsilon, c.epsilon > 0, "greater than 0")
    case .rmsprop:
      try check("rho", c.rho, (0...1).contains(c.rho), "between 0 and 1")
      try check("momentum", c.momentum, c.momentum >= 0, "at least 0")
      try check("epsilon", c.epsilon, c.epsilon > 0, "greater than 0")
    case .rprop:
      try check("increase_factor", c.increaseFactor, c.increaseFactor >= 1, "at least 1")
      try check("decrease_factor", c.decreaseFactor, c.decreaseFactor > 0 && c.decreaseFactor <= 1, "in (0, 1]")
      try check("minimum_step", c.minimumStep, c.minimumStep >= 0, "at least 0")
      try check("maximum_step", c.maximumStep, c.maximumStep >= c.minimumStep, "at least the minimum step")
      try check("initial_step", c.initialStep, c.initialStep > 0, "greater than 0")
    }
    if let schedule = c.schedule {
      if c.kind == .rprop {
        throw .invalidHyperparameter(
          name: "learning_rate", value: c.learningRate, expected: "a number: rprop has no learning rate to schedule")
      }
      if let problem = schedule.problem {
        throw .invalidHyperparameter(name: "learning_rate", value: c.learningRate, expected: problem)
      }
    }
    if c.amsgrad && c.kind != .adam && c.kind != .adamw {
      throw .invalidHyperparameter(name: "amsgrad", value: 1, expected: "only with adam or adamw")
    }
    if c.centered && c.kind != .rmsprop {
      throw .invalidHyperparameter(name: "centered", value: 1, expected: "only with rmsprop")
    }
    // RPROP steps by signs alone and has no learning rate to scale a decay.
    let rpropRefusal = c.kind == .rprop ? "0: rprop has no learning rate and follows gradient signs" : nil
    for (name, value) in [
      ("weight_decay", c.weightDecay), ("clipnorm", c.clipNorm), ("clipvalue", c.clipValue),
      ("global_clipnorm", c.globalClipNorm),
    ] {
      try check(name, value, value >= 0, "at least 0")
      if let rpropRefusal, value != 0 { throw .invalidHyperparameter(name: name, value: value, expected: rpropRefusal) }
    }
    if [c.clipNorm, c.clipValue, c.globalClipNorm].filter({ $0 != 0 }).count > 1 {
      throw .invalidHyperparameter(
        name: "clipnorm", value: c.clipNorm,
        expected: "only one of clipnorm, clipvalue and global_clipnorm, as in Keras")
    }
  }

  /// Applies one update to `count` weights: weight decay first, when on,
  /// then the optimizer's rule (Keras' `_backend_apply_gradients`, after clipping).
  ///
  /// - Parameters:
  ///   - iterations: Updates applied before this one (Keras's `iterations`).
  ///   - slots: One buffer per name in ``slotNames``, in that order.
  ///   - momentumProduct: Nadam's ∏ μₖ for k = 1…iterations + 1 (Keras' `u_product`,
  ///     see ``NadamMomentumProduct``); ignored by the other optimizers.
  @inline(__always)
  func apply<S: BLASScalar>(
    weights w: UnsafeMutablePointer<S>, gradients g: UnsafePointer<S>, count: Int,
    slots: [UnsafeMutablePointer<S>], iterations: Int64, momentumProduct: S = 1
  ) {
    let c = configuration
    // A schedule's rate at the updates applied so far, as Keras' `learning_rate` property.
    let lr = S(c.learningRate(afterIterations: iterations))
    if c.weightDecay != 0 { decay(w, count, lr, S(c.weightDecay)) }
    switch c.kind {
    case .sgd, .momentum, .nesterov:
      if c.momentum == 0 {
        sgd(w, g, count, lr)
      } else {
        momentum(w, g, count, slots[0], lr, S(c.momentum), nesterov: c.kind == .nesterov)
      }
    case .adam, .adamw:
      adam(w, g, count, slots[0], slots[1], c.amsgrad ? slots[2] : nil, lr, iterations)
    case .nadam:
      nadam(w, g, count, slots[0], slots[1], lr, iterations, momentumProduct)
    case .adagrad:
      adagrad(w, g, count, slots[0], lr)
    case .rmsprop:
      let momentum = c.momentum > 0 ? slots[1] : nil
      let average = c.centered ? slots[c.momentum > 0 ? 2 : 1] : nil
      rmsprop(w, g, count, slots[0], momentum, average, lr)
    case .rprop:
      rprop(w, g, count, previous: slots[0], step: slots[1])
    }
  }

  /// Keras' `_apply_weight_decay`, `keras/src/optimizers/base_optimizer.py`:
  /// w ← w − w·λ·η, on every trainable weight, before the update.
  @inline(__always)
  private func decay<S: BLASScalar>(_ w: UnsafeMutablePointer<S>, _ n: Int, _ lr: S, _ lambda: S) {
    for i in 0..<n { w[i] = w[i] - w[i] * lambda * lr }
  }

  /// Keras `SGD` without momentum: w ← w − g·η.
  @inline(__always)
  private func sgd<S: BLASScalar>(_ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ n: Int, _ lr: S) {
    for i in 0..<n { w[i] -= g[i] * lr }
  }

  /// Keras `SGD(momentum=μ, nesterov=…)`, `keras/src/optimizers/sgd.py`:
  /// m ← m·μ − g·η; then w ← w + m, or with Nesterov w ← w + (m·μ − g·η).
  @inline(__always)
  private func momentum<S: BLASScalar>(
    _ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ n: Int, _ m: UnsafeMutablePointer<S>, _ lr: S, _ mu: S,
    nesterov: Bool
  ) {
    if nesterov {
      for i in 0..<n {
        m[i] = m[i] * mu - g[i] * lr
        w[i] += m[i] * mu - g[i] * lr
      }
    } else {
      for i in 0..<n {
        m[i] = m[i] * mu - g[i] * lr
        w[i] += m[i]
      }
    }
  }

  /// Keras `Adam`, `keras/src/optimizers/adam.py`, with t = iterations + 1:
  /// α = η·√(1 − β₂ᵗ)/(1 − β₁ᵗ); m ← m + (g − m)(1 − β₁); v ← v + (g² − v)(1 − β₂);
  /// with AMSGrad v̂ ← max(v̂, v) and v̂ in place of v below;
  /// w ← w − m·α/(√v + ε̂). The powers are computed in Double by repeated
  /// squaring, which every CPU rounds alike, and then rounded.
  @inline(__always)
  private func adam<S: BLASScalar>(
    _ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ n: Int, _ m: UnsafeMutablePointer<S>,
    _ v: UnsafeMutablePointer<S>, _ vHat: UnsafeMutablePointer<S>?, _ lr: S, _ iterations: Int64
  ) {
    let c = configuration
    let t = Double(S(Double(iterations + 1)))
    let beta1Power = S(integerPower(Double(S(c.beta1)), t))
    let beta2Power = S(integerPower(Double(S(c.beta2)), t))
    let alpha = lr * (1 - beta2Power).squareRoot() / (1 - beta1Power)
    let oneMinusBeta1 = S(1 - c.beta1)
    let oneMinusBeta2 = S(1 - c.beta2)
    let epsilon = S(c.epsilon)
    if let vHat {
      for i in 0..<n {
        m[i] += (g[i] - m[i]) * oneMinusBeta1
        v[i] += (g[i] * g[i] - v[i]) * oneMinusBeta2
        vHat[i] = max(vHat[i], v[i])
        w[i] -= (m[i] * alpha) / (vHat[i].squareRoot() + epsilon)
      }
    } else {
      for i in 0..<n {
        m[i] += (g[i] - m[i]) * oneMinusBeta1
        v[i] += (g[i] * g[i] - v[i]) * oneMinusBeta2
        w[i] -= (m[i] * alpha) / (v[i].squareRoot() + epsilon)
      }
    }
  }

  /// Keras `Nadam`, `keras/src/optimizers/nadam.py`, with t = iterations + 1,
  /// μₜ = β₁(1 − ½·0.96ᵗ), P = ∏ₖ₌₁ᵗ μₖ (`u_product`) and P′ = P·μₜ₊₁:
  /// m ← m + (g − m)(1 − β₁); v ← v + (g² − v)(1 − β₂);
  /// m̂ = μₜ₊₁·m/(1 − P′) + (1 − μₜ)·g/(1 − P); v̂ = v/(1 − β₂ᵗ);
  /// w ← w − m̂·η/(√v̂ + ε̂).
  @inline(__always)
  private func nadam<S: BLASScalar>(
    _ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ n: Int, _ m: UnsafeMutablePointer<S>,
    _ v: UnsafeMutablePointer<S>, _ lr: S, _ iterations: Int64, _ product: S
  ) {
    let c = configuration
    let beta1 = S(c.beta1)
    let beta2 = S(c.beta2)
    let t = Double(S(Double(iterations + 1)))
    let mu = NadamMomentumProduct.momentum(S.self, beta1: c.beta1, step: t)
    let muNext = NadamMomentumProduct.momentum(S.self, beta1: c.beta1, step: Double(S(Double(iterations + 2))))
    let productNext = product * muNext
    let beta2Power = S(integerPower(Double(beta2), t))
    let epsilon = S(c.epsilon)
    for i in 0..<n {
      m[i] += (g[i] - m[i]) * (1 - beta1)
      v[i] += (g[i] * g[i] - v[i]) * (1 - beta2)
      let mHat = (muNext * m[i]) / (1 - productNext) + ((1 - mu) * g[i]) / (1 - product)
      let vHat = v[i] / (1 - beta2Power)
      w[i] -= (mHat * lr) / (vHat.squareRoot() + epsilon)
    }
  }

  /// Keras `Adagrad`, `keras/src/optimizers/adagrad.py`:
  /// a ← a + g²; w ← w − η·g/√(a + ε̂).
  @inline(__always)
  private func adagrad<S: BLASScalar>(
    _ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ n: Int, _ a: UnsafeMutablePointer<S>, _ lr: S
  ) {
    let epsilon = S(configuration.epsilon)
    for i in 0..<n {
      a[i] += g[i] * g[i]
      w[i] -= (lr * g[i]) / (a[i] + epsilon).squareRoot()
    }
  }

  /// Keras `RMSprop`, `keras/src/optimizers/rmsprop.py`:
  /// v ← ρ·v + (1 − ρ)·g²; centred, ḡ ← ρ·ḡ + (1 − ρ)·g and d = v − ḡ² + ε̂,
  /// else d = v + ε̂; Δ = η·g/√d; with momentum μ > 0, m ← μ·m + Δ and
  /// w ← w − m, else w ← w − Δ.
  @inline(__always)
  private func rmsprop<S: BLASScalar>(
    _ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ n: Int, _ v: UnsafeMutablePointer<S>,
    _ m: UnsafeMutablePointer<S>?, _ average: UnsafeMutablePointer<S>?, _ lr: S
  ) {
    let c = configuration
    let rho = S(c.rho)
    let oneMinusRho = S(1 - c.rho)
    let epsilon = S(c.epsilon)
    let mu = S(c.momentum)
    for i in 0..<n {
      v[i] = rho * v[i] + oneMinusRho * (g[i] * g[i])
      let denominator: S
      if let average {
        average[i] = rho * average[i] + oneMinusRho * g[i]
        denominator = v[i] - average[i] * average[i] + epsilon
      } else {
        denominator = v[i] + epsilon
      }
      let increment = (lr * g[i]) / denominator.squareRoot()
      if let m {
        m[i] = mu * m[i] + increment
        w[i] -= m[i]
      } else {
        w[i] -= increment
      }
    }
  }

  /// iRPROP− as FANN 2.2 implements it (`fann_update_weights_irpropm` in
  /// `fann_train.c`; Igel and Hüsken, 2000), on the full-batch gradient g:
  ///
  /// - Δ₀ = max(Δ_prev, 0.0001);
  /// - if g·g_prev ≥ 0: Δ = min(Δ₀·η⁺, Δ_max), else Δ = max(Δ₀·η⁻, Δ_min) and g ← 0;
  /// - if g > 0: w ← max(w − Δ, −1500); if g < 0: w ← min(w + Δ, 1500);
  /// - Δ_prev ← Δ, g_prev ← g.
  ///
  /// One deliberate difference: FANN also moves a weight up by Δ when g is 0
  /// (its `else` branch), including right after a sign change; bpkit follows
  /// the paper, where sign(0) = 0 and the weight stays. In Float32 a
  /// saturated unit's gradient is exactly 0, and FANN's rule then walks its
  /// weights by up to Δ_max every epoch and undoes a converged network.
  ///
  /// FANN's "slope" is −∂E/∂w; bpkit stores the gradient itself in
  /// `previous_gradient`, so its signs are the opposite of FANN's
  /// `prev_train_slopes`.
  @inline(__always)
  private func rprop<S: BLASScalar>(
    _ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ n: Int, previous: UnsafeMutablePointer<S>,
    step: UnsafeMutablePointer<S>
  ) {
    let c = configuration
    let increase = S(c.increaseFactor)
    let decrease = S(c.decreaseFactor)
    let minimum = S(c.minimumStep)
    let maximum = S(c.maximumStep)
    for i in 0..<n {
      let previousStep = max(step[i], S(0.0001))
      var gradient = g[i]
      let next: S
      if previous[i] * gradient >= 0 {
        next = min(previousStep * increase, maximum)
      } else {
        next = max(previousStep * decrease, minimum)
        gradient = 0
      }
      if gradient > 0 {
        w[i] = max(w[i] - next, -1500)
      } else if gradient < 0 {
        w[i] = min(w[i] + next, 1500)
      }
      step[i] = next
      previous[i] = gradient
    }
  }
}

/// xⁿ for a whole number n ≥ 0 by repeated squaring: multiplications only,
/// unlike the C library's `pow`, whose last bits differ between versions.
func integerPower(_ x: Double, _ n: Double) -> Double {
  var result = 1.0
  var base = x
  var exponent = UInt64(n)
  while exponent > 0 {
    if exponent & 1 == 1 { result *= base }
    base *= base
    exponent >>= 1
  }
  return result
}
