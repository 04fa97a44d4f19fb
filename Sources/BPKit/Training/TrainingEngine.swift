/// The learning core: a model's weights, its optimizer's state and the
/// buffers for forward and backward passes, advanced one batch at a time.
///
/// Everything that determines the next update lives in ``model`` and
/// ``optimizerState``: an engine rebuilt from them continues bit for bit as
/// the original would have. A float32 model trains in `Float` (or, for
/// gradient checks, in `Double`, its weights widened exactly); a float64
/// model (``Model/dtype``) trains in `Double` only, its weights and
/// optimizer slots never rounded.
/// The engine itself draws no random numbers; the caller shuffles. A
/// network with dropout layers takes its masks from ``dropoutMasks``, a
/// counter-based draw the caller places (a ``TrainingSession`` sets it to the
/// run's seed, epoch and position before every batch).
///
/// ```swift
/// let engine = try TrainingEngine<Float>(
///   model: model, optimizer: OptimizerState(configuration: .init(kind: .momentum)),
///   loss: .categoricalCrossEntropy)
/// let metrics = try engine.step(inputs: batchInputs, labels: batchLabels, count: 128)
/// ```
///
/// An engine is not safe to use from two threads at once; give each thread its own.
public final class TrainingEngine<Scalar: BLASScalar> {
  /// The network trained.
  public let network: NetworkDescription
  /// The feature and class names of the model the engine trains, kept for ``model``.
  public let names: ModelNames
  /// The loss minimised.
  public let loss: Loss
  /// Truncated backpropagation through time (see ``init(model:optimizer:loss:bpttSteps:classWeights:probabilityClip:)``), or `nil`.
  public let bpttSteps: Int?
  /// The weight of each class's samples in the training loss (Keras'
  /// `class_weight`), indexed by class, or `nil` for none; see
  /// ``TrainingConfiguration/classWeights``.
  public let classWeights: [Double]?
  /// The optimizer's hyperparameters; the learning rate may be changed between steps.
  public private(set) var optimizerConfiguration: OptimizerConfiguration
  /// The number of updates applied (Keras's `iterations`).
  public private(set) var iterations: Int64
  /// The precision of the model the engine was made from, which ``model``
  /// and ``optimizerState`` keep.
  public let dtype: DType

  let plan: NetworkPlan
  private(set) var rule: OptimizerRule
  let parameters: ScalarBuffer<Scalar>
  let gradientBuffer: ScalarBuffer<Scalar>
  let slots: [ScalarBuffer<Scalar>]
  private let slotPointers: [UnsafeMutablePointer<Scalar>]
  private var accumulator: ScalarBuffer<Scalar>?
  private var nadamProduct: NadamMomentumProduct<Scalar>
  private let clipTensors: [(offset: Int, count: Int)]
  /// The dropout masks of the next training batch: ``step(inputs:targets:count:)-(_,Targets<Scalar>,_)``
  /// and ``accumulate(inputs:targets:count:)-(_,Targets<Scalar>,_)`` draw them and then advance
  /// ``DropoutMasks/position`` by the batch's sample count; ``gradients(inputs:targets:count:)``
  /// draws them without advancing. ``evaluate(inputs:targets:count:batchSize:)`` never drops.
  /// Unused by a network without dropout layers.
  public var dropoutMasks = DropoutMasks(seed: 0)
  /// Keras' probability clip ε of a cross-entropy on probabilities, or `nil`
  /// for bpkit's unclipped fused loss: see ``ProbabilityClip`` and
  /// ``TrainingConfiguration/probabilityClip``. Training steps, gradients and
  /// ``evaluate(inputs:targets:count:batchSize:)`` alike compute the clipped loss.
  public let probabilityClip: Double?
  /// The trainable tensors with a regularizer; empty, training does no extra work.
  let regularized: [RegularizedTensor]
  /// The number of samples whose gradients ``accumulate(inputs:targets:count:)-(_,Targets<Scalar>,_)`` has summed since the last update.
  public private(set) var accumulatedSamples = 0
  let workspace: Workspace<Scalar>
  /// Each output row's loss, for a batch split across ranks.
  var rowLosses: [Double] = []
  /// Each output row's weight in the loss, from ``classWeights``.
  private var rowWeights: [Scalar] = []
  private let scalarClassWeights: [Scalar]

  /// Creates an engine from a model and an optimizer state.
  ///
  /// - Parameters:
  ///   - model: The network and its current weights.
  ///   - optimizer: The optimizer's configuration, step count and slots. Empty
  ///     slots start a fresh optimizer (zeros; RPROP's steps at the initial step).
  ///   - loss: The loss. Cross-entropy needs a softmax output layer, binary
  ///     cross-entropy a sigmoid one: each is fused with its activation.
  ///   - bpttSteps: For recurrent layers, the number of steps errors flow back
  ///     (windows of k steps counted from the sequence's end; see the README's
  ///     engine section), or `nil` for full backpropagation through time.
  ///   - classWeights: One weight per class (two for a one-unit sigmoid
  ///     output: classes 0 and 1), each finite and at least 0, by which the
  ///     training loss weighs each sample of that class, or `nil`. Training
  ///     steps and ``gradients(inputs:targets:count:)`` weigh the loss;
  ///     ``evaluate(inputs:targets:count:batchSize:)`` does not, as Keras
  ///     validates without `class_weight`.
  ///   - probabilityClip: Keras' ε (see ``ProbabilityClip``): a cross-entropy
  ///     on probabilities clips them to [ε, 1 − ε], or `nil` for none.
  /// - Throws: ``BPKitError`` when `BPKIT_KERNELS` names no path this CPU
  ///   runs, ``BPKitError`` when the loss, the optimizer state or a setting
  ///   does not fit, or when a float64 model is given to a `Float` engine.
  public init(
    model: Model, optimizer: OptimizerState, loss: Loss, bpttSteps: Int? = nil, classWeights: [Double]? = nil,
    probabilityClip: Double? = nil
  ) throws(BPKitError) {
    do {
      names = model.names
      dtype = model.dtype
      if model.dtype == .float64 && Scalar.self != Double.self {
        throw EngineError.dtypeMismatch(model: .float64, engine: DType.of(Scalar.self))
      }
      try Kernels.validateEnvironment()
      let plan: NetworkPlan
      do { plan = try NetworkPlan(network: model.network) } catch { throw EngineError.invalidNetwork(error) }
      if let required = loss.requiredActivation, plan.outputActivation != required {
        throw EngineError.lossNeedsActivation(
          loss: loss, required: required, layer: model.network.layers.last!.name, found: plan.outputActivation)
      }
      if let bpttSteps, bpttSteps < 1 { throw EngineError.invalidBPTTSteps(bpttSteps) }
      if let classWeights {
        try ClassWeighting.check(classWeights, loss: loss, plan: plan)
      }
      if let probabilityClip {
        guard ProbabilityClip.applies(to: loss) else { throw EngineError.probabilityClipNeedsProbabilities(loss) }
        guard ProbabilityClip.isValid(probabilityClip) else {
          throw EngineError.invalidProbabilityClip(probabilityClip)
        }
      }
      let rule = OptimizerRule(configuration: optimizer.configuration)
      try rule.validate()

      let layout = plan.layout
      parameters = ScalarBuffer(capacity: layout.totalCount)
      for entry in layout.entries { model.copyParameter(entry.spec.key, into: parameters.pointer + entry.offset) }
      // A frozen layer's weight gradients land past the trainable range, where
      // no optimizer reads them: backpropagation through it stays as it is.
      gradientBuffer = ScalarBuffer(capacity: layout.totalCount)

      let known = Set(rule.slotNames)
      if let unexpected = optimizer.slots.keys.sorted().first(where: { !known.contains($0) }) {
        throw EngineError.unexpectedOptimizerSlot(slot: unexpected, optimizer: optimizer.configuration.kind)
      }
      // The slots are read in the model's precision: a float64 model's exact ones.
      if model.dtype == .float64 && !optimizer.slots.isEmpty && optimizer.dtype != .float64 {
        throw EngineError.dtypeMismatch(model: .float64, engine: .float32)
      }
      var slots: [ScalarBuffer<Scalar>] = []
      for name in rule.slotNames {
        let buffer = ScalarBuffer<Scalar>(capacity: layout.trainableCount)
        if let values = optimizer.slots[name] {
          for entry in layout.trainableEntries {
            guard let tensor = values[entry.spec.key] else {
              throw EngineError.missingOptimizerSlot(slot: name, key: entry.spec.key)
            }
            guard tensor.shape == entry.spec.shape else {
              throw EngineError.optimizerSlotShapeMismatch(
                slot: name, key: entry.spec.key, expected: entry.spec.shape, actual: tensor.shape)
            }
            if model.dtype == .float64, let exact = optimizer.float64Slots?[name]?[entry.spec.key] {
              for (k, value) in exact.scalars.enumerated() { buffer.pointer[entry.offset + k] = Scalar(value) }
            } else {
              for (k, value) in tensor.scalars.enumerated() { buffer.pointer[entry.offset + k] = Scalar(value) }
            }
          }
        } else if optimizer.slots.isEmpty {
          buffer.pointer.update(repeating: Scalar(rule.initialValue(ofSlot: name)), count: layout.trainableCount)
        } else {
          throw EngineError.missingOptimizerSlot(slot: name, key: layout.trainableEntries.first!.spec.key)
        }
        slots.append(buffer)
      }
      self.slots = slots
      slotPointers = slots.map(\.pointer)
      self.plan = plan
      self.rule = rule
      network = model.network
      self.loss = loss
      self.bpttSteps = bpttSteps
      self.classWeights = classWeights
      self.probabilityClip = probabilityClip
      scalarClassWeights = classWeights?.map { Scalar($0) } ?? []
      optimizerConfiguration = optimizer.configuration
      iterations = optimizer.iterations
      nadamProduct = NadamMomentumProduct(beta1: optimizer.configuration.beta1)
      clipTensors = layout.trainableEntries.map { ($0.offset, $0.count) }
      regularized = RegularizedTensor.find(in: model.network, layout: layout)
      workspace = Workspace(layerCount: plan.steps.count)

    } catch {
      throw BPKitError(error)
    }
  }

  /// The rate in force: that of the last update applied (before any, of the
  /// first), following the optimizer's schedule when it has one.
  public var learningRateInForce: Double {
    optimizerConfiguration.learningRate(afterIterations: max(iterations - 1, 0))
  }

  /// The learning rate of the next updates (unused by RPROP). With a
  /// schedule (``OptimizerConfiguration/schedule``), its rate at step 0;
  /// setting it then changes nothing, as the schedule gives every rate.
  public var learningRate: Double {
    get { optimizerConfiguration.learningRate }
    set {
      optimizerConfiguration.learningRate = newValue
      rule = OptimizerRule(configuration: optimizerConfiguration)
    }
  }

  // MARK: - Training

  /// Trains on one batch: forward, backward and one optimizer update.
  ///
  /// - Parameters:
  ///   - inputs: `count` samples, row-major [count, features] or [count, steps, features].
  ///   - targets: Target values or class labels for the outputs.
  ///   - count: The number of samples; 1 is online (per-pattern) learning.
  /// - Returns: The batch's loss and accuracy counts, measured before the update.
  /// - Throws: ``BPKitError`` when the inputs or targets do not fit the network.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func step(inputs: UnsafeBufferPointer<Scalar>, targets: Targets<Scalar>, count: Int) throws(BPKitError)
    -> BatchMetrics
  {
    try step(inputs: inputs, targets: targets, weights: nil, count: count)
  }

  /// Trains on one batch whose samples weigh the loss (Keras' `sample_weight`).
  ///
  /// Sample i's loss is w_i·ℓ_i (times its class weight, with
  /// ``classWeights``), and the batch's loss is Σ w_i·ℓ_i divided by the
  /// number of samples (rows, for sequence outputs, each row taking its
  /// sample's weight), as Keras 3's `sum_over_batch_size` reduces.
  ///
  /// - Parameters:
  ///   - inputs: `count` samples, as ``step(inputs:targets:count:)-(_,Targets<Scalar>,_)`` takes them.
  ///   - targets: Target values or class labels for the outputs.
  ///   - weights: One weight per sample, each finite and at least 0, or `nil` for none.
  ///   - count: The number of samples.
  /// - Returns: The batch's weighted loss and (unweighted) accuracy counts, measured before the update.
  /// - Throws: ``BPKitError`` when the inputs, targets or weights do not fit the network.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func step(
    inputs: UnsafeBufferPointer<Scalar>, targets: Targets<Scalar>, weights: UnsafeBufferPointer<Scalar>?, count: Int
  ) throws(BPKitError) -> BatchMetrics {
    do {
      let metrics = try computeGradients(inputs: inputs, targets: targets, count: count, weights: weights)
      update()
      return metrics

    } catch {
      throw BPKitError(error)
    }
  }

  /// Computes one batch's gradients and adds them, weighted by the batch's
  /// size, to a running sum, without updating the weights. Full-batch
  /// training (iRPROP−) accumulates every batch of an epoch and then calls
  /// ``applyAccumulatedGradients()``.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func accumulate(inputs: UnsafeBufferPointer<Scalar>, targets: Targets<Scalar>, count: Int) throws(BPKitError)
    -> BatchMetrics
  {
    try accumulate(inputs: inputs, targets: targets, weights: nil, count: count)
  }

  /// Like ``accumulate(inputs:targets:count:)-(_,Targets<Scalar>,_)``, for
  /// samples that weigh the loss (see ``step(inputs:targets:weights:count:)``).
  ///
  /// - Parameters:
  ///   - inputs: `count` samples.
  ///   - targets: Their targets.
  ///   - weights: One weight per sample, or `nil` for none.
  ///   - count: The number of samples.
  /// - Returns: The batch's weighted loss and accuracy counts.
  /// - Throws: ``BPKitError`` when the inputs, targets or weights do not fit the network.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func accumulate(
    inputs: UnsafeBufferPointer<Scalar>, targets: Targets<Scalar>, weights: UnsafeBufferPointer<Scalar>?, count: Int
  ) throws(BPKitError) -> BatchMetrics {
    do {
      let metrics = try computeGradients(inputs: inputs, targets: targets, count: count, weights: weights)
      addToAccumulator(count: count)
      return metrics

    } catch {
      throw BPKitError(error)
    }
  }

  /// Adds the gradients in ``gradientBuffer``, weighted by `count`, to the running sum.
  func addToAccumulator(count: Int) {
    let n = plan.layout.trainableCount
    let sum: ScalarBuffer<Scalar>
    if let accumulator {
      sum = accumulator
    } else {
      sum = ScalarBuffer(capacity: n)
      accumulator = sum
    }
    if accumulatedSamples == 0 { sum.zero(n) }
    let weight = Scalar(count)
    let g = gradientBuffer.pointer
    let a = sum.pointer
    for i in 0..<n { a[i] += g[i] * weight }
    accumulatedSamples += count
  }

  /// Applies one update with the mean of the gradients accumulated since the
  /// last update, then clears the sum.
  ///
  /// - Throws: ``BPKitError/Code/doesNotFit`` when no batch was accumulated.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func applyAccumulatedGradients() throws(BPKitError) {
    do {
      guard accumulatedSamples > 0, let accumulator else { throw EngineError.nothingAccumulated }
      let n = plan.layout.trainableCount
      let scale = 1 / Scalar(accumulatedSamples)
      let a = accumulator.pointer
      let g = gradientBuffer.pointer
      for i in 0..<n { g[i] = a[i] * scale }
      accumulatedSamples = 0
      update()

    } catch {
      throw BPKitError(error)
    }
  }

  /// Computes the loss and accuracy counts without changing anything but the
  /// scratch buffers, in chunks of `batchSize` samples.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func evaluate(
    inputs: UnsafeBufferPointer<Scalar>, targets: Targets<Scalar>, count: Int, batchSize: Int = 256
  ) throws(BPKitError) -> BatchMetrics {
    try evaluate(inputs: inputs, targets: targets, weights: nil, count: count, batchSize: batchSize)
  }

  /// Like ``evaluate(inputs:targets:count:batchSize:)``, each sample's loss
  /// weighed by its weight (Keras' validation with `sample_weight`); class
  /// weights are not applied, and accuracy is not weighted.
  ///
  /// - Parameters:
  ///   - inputs: `count` samples.
  ///   - targets: Their targets.
  ///   - weights: One weight per sample, or `nil` for none.
  ///   - count: The number of samples.
  ///   - batchSize: Samples per chunk.
  /// - Returns: The weighted mean loss and the accuracy counts.
  /// - Throws: ``BPKitError`` when the inputs, targets or weights do not fit the network.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func evaluate(
    inputs: UnsafeBufferPointer<Scalar>, targets: Targets<Scalar>, weights: UnsafeBufferPointer<Scalar>?,
    count: Int, batchSize: Int = 256
  ) throws(BPKitError) -> BatchMetrics {
    do {
      let steps = try batchSteps(inputs: inputs, count: count)
      let perSample = inputs.count / count
      let targetsPerSample = try targetCount(targets, count: count, steps: steps) / count
      var total = LossTotals()
      var rows = 0
      var start = 0
      while start < count {
        let n = min(batchSize, count - start)
        let chunk = UnsafeBufferPointer(rebasing: inputs[(start * perSample)..<((start + n) * perSample)])
        let chunkTargets: Targets<Scalar>
        switch targets {
        case .values(let values):
          chunkTargets = .values(
            UnsafeBufferPointer(rebasing: values[(start * targetsPerSample)..<((start + n) * targetsPerSample)]))
        case .labels(let labels):
          chunkTargets = .labels(
            UnsafeBufferPointer(rebasing: labels[(start * targetsPerSample)..<((start + n) * targetsPerSample)]))
        }
        let chunkWeights = weights.map { UnsafeBufferPointer(rebasing: $0[start..<(start + n)]) }
        let (totals, chunkRows) = try run(
          inputs: chunk, targets: chunkTargets, count: n, backward: false, weights: chunkWeights)
        total.sum += totals.sum
        total.correct += totals.correct
        total.judged += totals.judged
        rows += chunkRows
        start += n
      }
      // Keras' test_step adds the regularizers' penalty to the loss too.
      return BatchMetrics(
        loss: total.sum / Double(rows) + regularizationPenalty, samples: count, correct: total.correct,
        judged: total.judged)

    } catch {
      throw BPKitError(error)
    }
  }

  /// The batch-mean gradient of the loss (with the regularizers' penalty) for every trainable weight, without
  /// updating anything. For gradient checks and inspection.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func gradients(inputs: UnsafeBufferPointer<Scalar>, targets: Targets<Scalar>, count: Int) throws(BPKitError)
    -> [ParameterKey: Tensor<Scalar>]
  {
    try gradients(inputs: inputs, targets: targets, weights: nil, count: count)
  }

  /// The batch-mean gradient of the loss with each sample weighed by its
  /// weight (see ``step(inputs:targets:weights:count:)``), without updating anything.
  ///
  /// - Parameters:
  ///   - inputs: `count` samples.
  ///   - targets: Their targets.
  ///   - weights: One weight per sample, or `nil` for none.
  ///   - count: The number of samples.
  /// - Returns: The gradient of every trainable weight tensor.
  /// - Throws: ``BPKitError`` when the inputs, targets or weights do not fit the network.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func gradients(
    inputs: UnsafeBufferPointer<Scalar>, targets: Targets<Scalar>, weights: UnsafeBufferPointer<Scalar>?, count: Int
  ) throws(BPKitError) -> [ParameterKey: Tensor<Scalar>] {
    do {
      _ = try computeGradients(inputs: inputs, targets: targets, count: count, advancing: false, weights: weights)
      var result: [ParameterKey: Tensor<Scalar>] = [:]
      for entry in plan.layout.trainableEntries {
        let values = UnsafeBufferPointer(start: gradientBuffer.pointer + entry.offset, count: entry.count)
        result[entry.spec.key] = Tensor(shape: entry.spec.shape, scalars: Array(values))
      }
      return result

    } catch {
      throw BPKitError(error)
    }
  }

  // MARK: - Internals

  /// Applies the gradients in ``gradientBuffer``: clipping, then the optimizer's rule.
  func update() {
    let gradients = gradientBuffer.pointer
    let c = rule.configuration
    if c.clips { GradientClipping(c).apply(to: gradients, tensors: clipTensors) }
    let product = c.kind == .nadam ? nadamProduct.product(through: iterations + 1) : 1
    rule.apply(
      weights: parameters.pointer, gradients: UnsafePointer(gradients), count: plan.layout.trainableCount,
      slots: slotPointers, iterations: iterations, momentumProduct: product)
    iterations += 1
  }

  @discardableResult
  func computeGradients(
    inputs: UnsafeBufferPointer<Scalar>, targets: Targets<Scalar>, count: Int, advancing: Bool = true,
    weights: UnsafeBufferPointer<Scalar>? = nil
  ) throws -> BatchMetrics {
    let (totals, rows) = try run(
      inputs: inputs, targets: targets, count: count, backward: true, dropout: dropoutMasks, weights: weights)
    if advancing { dropoutMasks.position += count }
    return regularize(
      BatchMetrics(loss: totals.sum / Double(rows), samples: count, correct: totals.correct, judged: totals.judged))
  }

  /// Forward, loss and (optionally) backward for one batch; returns the loss
  /// totals and the number of output rows. With a `share`, the samples are
  /// this rank's part of a split batch (see ``GradientChain``): the gradient
  /// is of the whole batch's mean, the weight gradients continue the chain,
  /// and each row's loss is kept in `rowLosses` for the ranks to sum.
  ///
  /// `weighted` (by default as `backward`) weighs each row's loss by its
  /// class's weight when the engine has ``classWeights``; `weights` (one per
  /// sample) weigh it always. `dropout` gives the
  /// whole batch's masks (training), `nil` none (evaluation); with a `share`,
  /// this rank's samples are those at ``BatchShare/range`` of the batch.
  func run(
    inputs: UnsafeBufferPointer<Scalar>, targets: Targets<Scalar>, count: Int, backward: Bool,
    share: BatchShare? = nil, weighted: Bool? = nil, dropout: DropoutMasks? = nil,
    weights: UnsafeBufferPointer<Scalar>? = nil
  ) throws -> (LossTotals, Int) {
    let steps = try batchSteps(inputs: inputs, count: count)
    let expectedTargets = try targetCount(targets, count: count, steps: steps)
    let rows = plan.outputIsSequence ? count * steps : count
    let width = plan.outputWidth
    let buffer: TargetBuffer<Scalar>
    switch targets {
    case .values(let values):
      guard values.count == expectedTargets else {
        throw EngineError.targetSizeMismatch(expected: expectedTargets, actual: values.count)
      }
      buffer = .values(values.baseAddress!)
    case .labels(let labels):
      guard loss.isCategorical else { throw EngineError.labelsNeedCrossEntropy(loss) }
      guard labels.count == expectedTargets else {
        throw EngineError.targetSizeMismatch(expected: expectedTargets, actual: labels.count)
      }
      for (row, label) in labels.enumerated() where label < 0 || label >= width {
        throw EngineError.labelOutOfRange(row: row, label: label, classes: width)
      }
      buffer = .labels(labels.baseAddress!)
    }
    let ws = workspace
    ws.prepare(plan: plan, batch: count, steps: steps, training: true)
    let input = inputs.baseAddress!
    var masks = dropout
    if let share { masks?.position += share.range.lowerBound }
    plan.forward(parameters: parameters.pointer, input: input, workspace: ws, training: true, dropout: masks)
    let last = plan.steps.count - 1
    let y = plan.output(of: last, in: ws)
    let (z, zStride) = logits(last: last, batch: count, steps: steps)
    if share != nil && rowLosses.count < rows { rowLosses = [Double](repeating: 0, count: rows) }
    if let weights {
      guard weights.count == count else { throw EngineError.sampleWeightCount(expected: count, actual: weights.count) }
      if let bad = weights.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
        throw EngineError.invalidSampleWeight(sample: bad, weight: Double(weights[bad]))
      }
    }
    let byClass = (weighted ?? backward) && !scalarClassWeights.isEmpty
    if byClass { fillClassWeights(buffer, rows: rows, width: width) }
    if let weights {
      // Each row weighs its sample's weight (all steps of a sequence sample alike).
      if rowWeights.count < rows { rowWeights = [Scalar](repeating: 0, count: rows) }
      let perSample = rows / count
      for r in 0..<rows { rowWeights[r] = byClass ? rowWeights[r] * weights[r / perSample] : weights[r / perSample] }
    }
    let weighs = byClass || weights != nil
    let totals = rowLosses.withUnsafeMutableBufferPointer { rowLosses in
      rowWeights.withUnsafeBufferPointer { rowWeights in
        loss.evaluate(
          y: y, z: z, zStride: zStride, rows: rows, width: width, targets: buffer,
          gradient: backward ? ws.g[last].pointer : nil,
          meanRows: share.map { plan.outputIsSequence ? $0.total * steps : $0.total },
          rowLosses: share == nil ? nil : rowLosses.baseAddress, weights: weighs ? rowWeights.baseAddress : nil,
          probabilityClip: probabilityClip)
      }
    }
    if backward {
      try plan.backward(
        parameters: parameters.pointer, gradients: gradientBuffer.pointer, input: input, workspace: ws,
        outputIsPreActivation: loss.requiredActivation != nil, bpttSteps: bpttSteps,
        chain: share.map(GradientChain.init))
    }
    return (totals, rows)
  }

  /// Each row's class weight in ``rowWeights``, found from its target as
  /// Keras' `class_weight_to_sample_weights` does
  /// (`keras/src/trainers/data_adapters/data_adapter_utils.py`): the label;
  /// the first largest value of a target row wider than one; a one-value
  /// target rounded to 0 or 1 (half to even, as `np.round`).
  private func fillClassWeights(_ targets: TargetBuffer<Scalar>, rows: Int, width: Int) {
    if rowWeights.count < rows { rowWeights = [Scalar](repeating: 0, count: rows) }
    for r in 0..<rows {
      let index: Int
      switch targets {
      case .labels(let labels):
        index = labels[r]
      case .values(let t) where width == 1:
        index = t[r].rounded(.toNearestOrEven) >= 1 ? 1 : 0
      case .values(let t):
        var best = 0
        for j in 1..<width where t[r * width + j] > t[r * width + best] { best = j }
        index = best
      }
      rowWeights[r] = scalarClassWeights[index]
    }
  }

  /// Runs the forward pass alone, keeping every pre-activation in the
  /// workspace, with the masks of ``dropoutMasks``.
  func forward(inputs: UnsafeBufferPointer<Scalar>, count: Int) throws {
    let steps = try batchSteps(inputs: inputs, count: count)
    workspace.prepare(plan: plan, batch: count, steps: steps, training: true)
    plan.forward(
      parameters: parameters.pointer, input: inputs.baseAddress!, workspace: workspace, training: true,
      dropout: dropoutMasks)
  }

  /// The last layer's pre-activations and their row stride, for the fused losses.
  private func logits(last: Int, batch: Int, steps: Int) -> (UnsafePointer<Scalar>, Int) {
    let ws = workspace
    switch plan.steps[last] {
    case .dense(let d):
      let z = d.activation == .linear ? ws.y[last].pointer : ws.z[last].pointer
      return (UnsafePointer(z), d.units)
    case .elman(let e):
      if e.returnSequences { return (UnsafePointer(ws.z[last].pointer), e.units) }
      return (UnsafePointer(ws.z[last].pointer + (steps - 1) * e.units), steps * e.units)
    case .lstm(let g), .gru(let g):
      // No loss fuses with these layers' outputs (they have no `outputActivation`).
      return (UnsafePointer(plan.output(of: last, in: ws)), g.units)
    case .standardize(let s):
      return (UnsafePointer(ws.y[last].pointer), s.width)
    case .dropout(let d):
      return (UnsafePointer(ws.y[last].pointer), d.width)
    }
  }

  /// Checks the input size and works out the number of time steps per sample.
  func batchSteps(inputs: UnsafeBufferPointer<Scalar>, count: Int) throws -> Int {
    try plan.network.input.batchSteps(inputs: inputs.count, count: count)
  }

  private func targetCount(_ targets: Targets<Scalar>, count: Int, steps: Int) throws -> Int {
    let rows = plan.outputIsSequence ? count * steps : count
    if case .labels = targets { return rows }
    return rows * plan.outputWidth
  }
}
