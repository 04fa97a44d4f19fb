/// Compares the engine's analytic gradients with numerical ones, in Float64.
///
/// The numerical gradient of each weight θ is the fourth-order central
/// difference (−L(θ+2h) + 8L(θ+h) − 8L(θ−h) + L(θ−2h)) / 12h, whose
/// truncation error is O(h⁴), so that rounding and truncation both stay far
/// below the bound. The relative error of one weight is
/// |analytic − numerical| / max(|analytic|, |numerical|, floor); the floor
/// keeps weights whose gradient is essentially zero from reporting rounding
/// noise as error.
///
/// ReLU, leaky ReLU, ELU and SELU have a kink at 0, ReLU6 at 0 and 6,
/// hard_sigmoid and hard_silu at ±3, where no
/// difference quotient converges; the check redraws its random inputs until
/// every pre-activation of such an activation (an LSTM's cell state included)
/// is at least ``kinkMargin`` from its kinks. An L1 penalty (see
/// ``Regularizer``) has its kink at a weight of 0: weights under one that lie
/// closer than ``kinkMargin`` to 0 (a bias starts at 0) are moved to
/// ±``kinkMargin`` before the check.
///
/// Dropout layers drop with fixed masks: every pass of one check draws the
/// masks of ``DropoutMasks`` with the check's ``seed`` at epoch 0, position 0,
/// so the loss is one smooth function of the weights.
///
/// With ``bpttSteps``, the analytic gradient is truncated BPTT's, which is the
/// exact gradient of the loss with the states entering each truncation window
/// held fixed: the numerical side then runs the network with the recurrent
/// states at every window boundary taken from the unperturbed pass.
public struct GradientCheck: Sendable {
  /// The worst disagreement found in one weight tensor.
  public struct Result: Hashable, Sendable {
    /// The weight tensor.
    public var key: ParameterKey
    /// The largest relative error over its elements.
    public var worstRelativeError: Double
    /// The flat (row-major) index of the worst element.
    public var worstIndex: Int
    /// The analytic gradient there.
    public var analytic: Double
    /// The numerical gradient there.
    public var numerical: Double
  }

  /// The network checked, with its weights.
  public var model: Model
  /// The loss.
  public var loss: Loss
  /// Samples per batch.
  public var batch: Int
  /// Time steps per sample, for sequence inputs.
  public var steps: Int
  /// Whether cross-entropy targets are class labels rather than one-hot rows.
  public var useLabels: Bool
  /// The seed of the random inputs and targets.
  public var seed: UInt64
  /// Truncated backpropagation through time in steps, or `nil` for full BPTT.
  public var bpttSteps: Int?
  /// Class weights the loss weighs each sample by (see
  /// ``TrainingEngine/classWeights``), or `nil`.
  public var classWeights: [Double]?
  /// One weight per sample of the batch that the loss weighs each sample
  /// by (Keras' `sample_weight`), or `nil`.
  public var sampleWeights: [Double]?
  /// Keras' probability clip ε of a cross-entropy on probabilities (see
  /// ``ProbabilityClip``), or `nil` for none.
  public var probabilityClip: Double?
  /// The difference step h.
  public var step: Double = 1e-3
  /// The relative-error floor.
  public var floor: Double = 1e-6
  /// The smallest |z| allowed at a kinked activation.
  public static let kinkMargin = 0.01

  /// Prepares a check of `model`; `bpttSteps` checks truncated BPTT.
  public init(
    model: Model, loss: Loss, batch: Int = 4, steps: Int = 4, useLabels: Bool = false, seed: UInt64 = 1,
    bpttSteps: Int? = nil
  ) {
    self.bpttSteps = bpttSteps
    self.model = model
    self.loss = loss
    self.batch = batch
    self.steps = steps
    self.useLabels = useLabels
    self.seed = seed
  }

  /// Runs the check.
  ///
  /// - Returns: One result per trainable weight tensor, in declaration order.
  /// - Throws: ``BPKitError`` when the network cannot be
  ///   trained with this loss.
  public func run() throws(BPKitError) -> [Result] {
    do {
      let engine = try TrainingEngine<Double>(
        model: model, optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .sgd)), loss: loss,
        bpttSteps: bpttSteps, classWeights: classWeights, probabilityClip: probabilityClip)
      engine.dropoutMasks = DropoutMasks(seed: seed)
      let plan = engine.plan
      let weights = engine.parameters.pointer
      for tensor in engine.regularized where tensor.l1 != 0 {
        for i in tensor.offset..<(tensor.offset + tensor.count) where abs(weights[i]) < Self.kinkMargin {
          weights[i] = weights[i] < 0 ? -Self.kinkMargin : Self.kinkMargin
        }
      }
      let steps = plan.network.input.isSequence ? (stepsOfInput ?? self.steps) : 1
      let features = plan.network.input.features
      let rows = plan.outputIsSequence ? batch * steps : batch
      let width = plan.outputWidth
      var random = Xoshiro256StarStar(seed: seed)
      var inputs = [Double](repeating: 0, count: batch * steps * features)
      for attempt in 0..<200 {
        for i in inputs.indices { inputs[i] = 2 * random.nextDouble() - 1 }
        try inputs.withUnsafeBufferPointer { try engine.forward(inputs: $0, count: batch) }
        if attempt == 199 || kinkDistance(engine) >= Self.kinkMargin { break }
      }
      // The unperturbed states, which every later pass reads at the window boundaries.
      if let bpttSteps { engine.workspace.freezeBoundaries(every: bpttSteps, plan: plan) }
      var targets = [Double](repeating: 0, count: rows * width)
      var labels = [Int](repeating: 0, count: rows)
      switch loss {
      case .meanSquaredError:
        for i in targets.indices { targets[i] = 2 * random.nextDouble() - 1 }
      case .meanAbsoluteError, .huber:
        // Spread over ±2, so that Huber's errors fall on both sides of δ = 1.
        for i in targets.indices { targets[i] = 4 * random.nextDouble() - 2 }
      case .binaryCrossEntropy, .binaryCrossEntropyFromLogits:
        for i in targets.indices { targets[i] = random.nextDouble() }
      case .categoricalCrossEntropy, .categoricalCrossEntropyFromLogits, .sparseCategoricalCrossEntropy,
        .sparseCategoricalCrossEntropyFromLogits:
        for r in 0..<rows {
          labels[r] = random.nextIndex(below: width)
          targets[r * width + labels[r]] = 1
        }
      }
      let rowWeights = sampleWeights
      func evaluate(_ body: (UnsafeBufferPointer<Double>, Targets<Double>) throws -> Void) throws {
        try inputs.withUnsafeBufferPointer { x in
          if useLabels && loss.isCategorical {
            try labels.withUnsafeBufferPointer { try body(x, .labels($0)) }
          } else {
            try targets.withUnsafeBufferPointer { try body(x, .values($0)) }
          }
        }
      }
      var analytic: [ParameterKey: Tensor<Double>] = [:]
      try evaluate { x, t in
        analytic = try rowWeights.withOptionalBuffer {
          try engine.gradients(inputs: x, targets: t, weights: $0, count: batch)
        }
      }
      func lossValue() throws -> Double {
        var value = 0.0
        try evaluate { x, t in
          let (totals, rows) = try rowWeights.withOptionalBuffer {
            try engine.run(
              inputs: x, targets: t, count: batch, backward: false, weighted: true, dropout: engine.dropoutMasks,
              weights: $0)
          }
          value = totals.sum / Double(rows) + engine.regularizationPenalty
        }
        return value
      }
      var results: [Result] = []
      let p = engine.parameters.pointer
      for entry in plan.layout.trainableEntries {
        let gradient = analytic[entry.spec.key]!.scalars
        var result = Result(key: entry.spec.key, worstRelativeError: 0, worstIndex: 0, analytic: 0, numerical: 0)
        for k in 0..<entry.count {
          let saved = p[entry.offset + k]
          func at(_ delta: Double) throws -> Double {
            p[entry.offset + k] = saved + delta
            return try lossValue()
          }
          let numerical =
            (-(try at(2 * step)) + 8 * (try at(step)) - 8 * (try at(-step)) + (try at(-2 * step))) / (12 * step)
          p[entry.offset + k] = saved
          let a = gradient[k]
          let error = abs(a - numerical) / max(abs(a), abs(numerical), floor)
          if error > result.worstRelativeError || k == 0 {
            result.worstRelativeError = error
            result.worstIndex = k
            result.analytic = a
            result.numerical = numerical
          }
        }
        results.append(result)
      }
      return results

    } catch {
      throw BPKitError(error)
    }
  }

  private var stepsOfInput: Int? {
    if case .sequence(let steps?, _) = model.network.input { return steps }
    return nil
  }

  /// The smallest distance of a pre-activation from a kink of its activation
  /// (0 for ReLU, leaky ReLU, ELU and SELU; 0 and 6 for ReLU6; ±3 for
  /// hard_sigmoid and hard_silu), over every layer.
  private func kinkDistance(_ engine: TrainingEngine<Double>) -> Double {
    var distance = Double.infinity
    let ws = engine.workspace
    func scan(_ activation: Activation, _ values: UnsafePointer<Double>, count: Int, width: Int, stride: Int) {
      let kinks: [Double]
      switch activation {
      case .relu, .leakyReLU, .elu, .selu: kinks = [0]
      case .relu6: kinks = [0, 6]
      case .hardSigmoid, .hardSilu: kinks = [-3, 3]
      default: return
      }
      for r in 0..<(count / stride) {
        for j in 0..<width {
          for kink in kinks { distance = min(distance, abs(values[r * stride + j] - kink)) }
        }
      }
    }
    for (i, step) in engine.plan.steps.enumerated() {
      let z = UnsafePointer(ws.z[i].pointer)
      let rows = engine.plan.inputRows(of: i, batch: ws.batch, steps: ws.steps)
      switch step {
      case .dense(let d):
        scan(d.activation, z, count: rows * d.units, width: d.units, stride: d.units)
      case .elman(let e):
        let count = ws.batch * ws.steps * e.units
        scan(e.activation, z, count: count, width: count, stride: count)
      case .lstm(let g), .gru(let g):
        // Each gate's pre-activations, and an LSTM's cell states under φ.
        let u = g.units
        for gate in 0..<g.gates {
          let candidate = gate == 2
          scan(
            candidate ? g.activation : g.recurrentActivation, z + gate * u, count: ws.batch * ws.steps * g.gateWidth,
            width: u, stride: g.gateWidth)
        }
        if case .lstm = step {
          let count = ws.batch * ws.steps * u
          scan(g.activation, UnsafePointer(ws.cell[i].pointer), count: count, width: count, stride: count)
        }
      case .standardize, .dropout:
        continue
      }
    }
    return distance
  }
}

extension Optional where Wrapped == [Double] {
  /// Calls `body` with the array's buffer, or `nil` when there is none.
  fileprivate func withOptionalBuffer<R>(_ body: (UnsafeBufferPointer<Double>?) throws -> R) rethrows -> R {
    guard let self else { return try body(nil) }
    return try self.withUnsafeBufferPointer { try body($0) }
  }
}
