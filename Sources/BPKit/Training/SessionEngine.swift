/// What a ``TrainingSession`` asks of its engine, whatever precision the
/// engine computes in: a float32 model's session holds a
/// `TrainingEngine<Float>`, a float64 model's a `TrainingEngine<Double>`.
/// A `Double` engine takes samples read in Float64 as they are, and widens
/// samples read in Float32 exactly, into storage the batch keeps, so a step
/// allocates nothing.
protocol SessionEngine: AnyObject {
  var network: NetworkDescription { get }
  var optimizerConfiguration: OptimizerConfiguration { get }
  var learningRate: Double { get set }
  var learningRateInForce: Double { get }
  var dropoutMasks: DropoutMasks { get set }
  var model: Model { get }
  var optimizerState: OptimizerState { get }
  func setParameters(_ model: Model) throws(BPKitError)
  func applyAccumulatedGradients() throws(BPKitError)
  /// Trains on a batch (or this rank's part of it, with a `share`), or with
  /// `accumulate` adds its gradients to the running sum.
  func train(_ batch: inout PreparedData.Batch, count: Int, share: BatchShare?, accumulate: Bool) throws
    -> BatchMetrics
  /// The loss and accuracy of the current weights on prepared samples.
  func evaluate(_ data: PreparedData) throws -> BatchMetrics
}

/// The session engine for a model: `Double` for a float64 model, `Float` otherwise.
func makeSessionEngine(
  model: Model, optimizer: OptimizerState, loss: Loss, bpttSteps: Int?, classWeights: [Double]?,
  probabilityClip: Double?
) throws(BPKitError) -> any SessionEngine {
  switch model.dtype {
  case .float32:
    try TrainingEngine<Float>(
      model: model, optimizer: optimizer, loss: loss, bpttSteps: bpttSteps, classWeights: classWeights,
      probabilityClip: probabilityClip)
  case .float64:
    try TrainingEngine<Double>(
      model: model, optimizer: optimizer, loss: loss, bpttSteps: bpttSteps, classWeights: classWeights,
      probabilityClip: probabilityClip)
  }
}

extension TrainingEngine: SessionEngine {
  func train(_ batch: inout PreparedData.Batch, count: Int, share: BatchShare?, accumulate: Bool) throws
    -> BatchMetrics
  {
    try batch.withTargets(in: Scalar.self) { inputs, targets, weights in
      switch (share, accumulate) {
      case (let share?, true): try self.accumulate(inputs: inputs, targets: targets, share: share, weights: weights)
      case (let share?, false): try step(inputs: inputs, targets: targets, share: share, weights: weights)
      case (nil, true): try self.accumulate(inputs: inputs, targets: targets, weights: weights, count: count)
      case (nil, false): try step(inputs: inputs, targets: targets, weights: weights, count: count)
      }
    }
  }

  func evaluate(_ data: PreparedData) throws -> BatchMetrics {
    // In the engine's precision: as read, or widened exactly.
    func scalars(_ values: [Float], exact: [Double]?) -> [Scalar] {
      if Scalar.self == Float.self { return unsafeBitCast(values, to: [Scalar].self) }
      if let exact { return unsafeBitCast(exact, to: [Scalar].self) }
      return values.map(Scalar.init)
    }
    let inputs = scalars(data.inputs, exact: data.wide?.inputs)
    let weights = data.weights.map { scalars($0, exact: data.wide?.weights) }
    return try inputs.withUnsafeBufferPointer { x in
      try (weights ?? []).withUnsafeBufferPointer { w in
        let w = weights == nil ? nil : w
        if let labels = data.labels {
          return try labels.withUnsafeBufferPointer {
            try evaluate(inputs: x, targets: .labels($0), weights: w, count: data.count)
          }
        }
        let values = scalars(data.values!, exact: data.wide?.values)
        return try values.withUnsafeBufferPointer {
          try evaluate(inputs: x, targets: .values($0), weights: w, count: data.count)
        }
      }
    }
  }
}

extension PreparedData.Batch {
  /// Calls `body` with the batch in precision `S`: as it is for `Float`;
  /// for `Double` as gathered from data read in Float64, or widened exactly
  /// into the batch's own `Double` storage.
  mutating func withTargets<S: BLASScalar, R>(
    in _: S.Type, _ body: (UnsafeBufferPointer<S>, Targets<S>, UnsafeBufferPointer<S>?) throws -> R
  ) rethrows -> R {
    if S.self == Float.self {
      precondition(!isWide, "a float32 engine is given Float data only")
      return try withTargets { inputs, targets, weights in
        let x = UnsafeRawBufferPointer(inputs).bindMemory(to: S.self)
        let w = weights.map { UnsafeRawBufferPointer($0).bindMemory(to: S.self) }
        switch targets {
        case .values(let values):
          return try body(x, .values(UnsafeRawBufferPointer(values).bindMemory(to: S.self)), w)
        case .labels(let labels): return try body(x, .labels(labels), w)
        }
      }
    }
    if !isWide {
      wideInputs.removeAll(keepingCapacity: true)
      wideInputs.append(contentsOf: inputs.lazy.map(Double.init))
      wideValues.removeAll(keepingCapacity: true)
      wideValues.append(contentsOf: values.lazy.map(Double.init))
      wideWeights.removeAll(keepingCapacity: true)
      wideWeights.append(contentsOf: weights.lazy.map(Double.init))
    }
    let weighted = !wideWeights.isEmpty
    return try wideInputs.withUnsafeBufferPointer { wide in
      try wideWeights.withUnsafeBufferPointer { wideWeights in
        let x = UnsafeRawBufferPointer(wide).bindMemory(to: S.self)
        let w = weighted ? UnsafeRawBufferPointer(wideWeights).bindMemory(to: S.self) : nil
        if !labels.isEmpty { return try labels.withUnsafeBufferPointer { try body(x, .labels($0), w) } }
        return try wideValues.withUnsafeBufferPointer {
          try body(x, .values(UnsafeRawBufferPointer($0).bindMemory(to: S.self)), w)
        }
      }
    }
  }
}
