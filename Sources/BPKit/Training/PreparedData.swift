/// A data set checked against a network and loss, with its targets in the
/// form the engine takes: class labels for cross-entropy with one label per
/// output row, values otherwise.
struct PreparedData {
  let inputs: [Float]
  let inputWidth: Int
  let values: [Float]?
  let labels: [Int]?
  let targetWidth: Int
  let count: Int
  /// One weight per sample (Keras' `sample_weight`), or `nil`.
  let weights: [Float]?
  /// The samples exactly as read in Float64, for a float64 model's engine,
  /// or `nil` (float32 data, or a float32 model).
  let wide: Wide?

  /// Samples read in Float64: inputs, target values (`nil` with labels)
  /// and weights.
  struct Wide {
    let inputs: [Double]
    let values: [Double]?
    let weights: [Double]?
  }

  /// Reusable storage for one batch.
  struct Batch {
    var inputs: [Float]
    var values: [Float]
    var labels: [Int]
    /// The inputs, values and weights in Double, for a float64 model's
    /// engine: as read in Float64 (``isWide``), or widened from the Float ones.
    var wideInputs: [Double] = []
    var wideValues: [Double] = []
    var wideWeights: [Double] = []
    /// Whether the samples were gathered straight into the `wide` arrays
    /// from data read in Float64, leaving the Float ones empty.
    var isWide = false
    /// The samples' weights, empty when the data has none.
    var weights: [Float]

    func withTargets<R>(
      _ body: (UnsafeBufferPointer<Float>, Targets<Float>, UnsafeBufferPointer<Float>?) throws -> R
    ) rethrows -> R {
      try inputs.withUnsafeBufferPointer { x in
        try weights.withUnsafeBufferPointer { w in
          let w = weights.isEmpty ? nil : w
          return labels.isEmpty
            ? try values.withUnsafeBufferPointer { try body(x, .values($0), w) }
            : try labels.withUnsafeBufferPointer { try body(x, .labels($0), w) }
        }
      }
    }
  }

  /// Checks `data` against the network and loss; `dtype` is the engine's:
  /// a float64 engine keeps data read in Float64 exactly (``wide``).
  init(_ data: Dataset, network: NetworkDescription, loss: Loss, role: String, dtype: DType = .float32) throws {
    guard let targets = data.targets else { throw TrainingError.targetsDoNotFit("the \(role) has no targets") }
    let output = try network.outputShape()
    let units = output.width
    count = data.sampleCount
    let sampleShape = data.sampleShape
    switch network.input {
    case .vector(let features):
      guard sampleShape == [features] else {
        throw TrainingError.inputsDoNotFit(
          "the \(role) has samples of shape \(sampleShape), the network takes [\(features)]")
      }
    case .sequence(let steps, let features):
      guard sampleShape.count == 2, sampleShape[1] == features, steps == nil || steps == sampleShape[0] else {
        throw TrainingError.inputsDoNotFit(
          "the \(role) has samples of shape \(sampleShape), the network takes [\(steps.map(String.init) ?? "steps"), "
            + "\(features)] (sequence data is a 3-D dataset [samples, steps, features])")
      }
    }
    let outputRows: Int
    if case .sequence(let steps, _) = output {
      outputRows = steps ?? sampleShape[0]
    } else {
      outputRows = 1
    }
    inputs = data.inputs.scalars
    weights = data.sampleWeights
    inputWidth = sampleShape.reduce(1, *)
    let width = data.targetWidth
    let exact = dtype == .float64 ? data.float64Inputs : nil
    if loss.isCategorical && width == outputRows && units > 1 {
      labels = try data.classLabels(classCount: units, source: role).map(Int.init)
      values = nil
      targetWidth = width
      wide = exact.map { Wide(inputs: $0.scalars, values: nil, weights: data.float64SampleWeights) }
    } else if width == outputRows * units {
      if loss.isCategorical || loss.isBinary {
        // Data read in Float64 is checked as read: 1.0000000001 is outside.
        if let exact = data.float64Targets, let bad = exact.scalars.firstIndex(where: { !(0...1).contains($0) }) {
          throw TrainingError.targetsDoNotFit(
            "\(role) sample \(bad / width): target \(exact.scalars[bad]) is outside 0...1, which \(loss.rawValue) needs"
          )
        }
        if let bad = targets.scalars.firstIndex(where: { !(0...1).contains($0) }) {
          throw TrainingError.targetsDoNotFit(
            "\(role) sample \(bad / width): target \(targets.scalars[bad]) is outside 0...1, which \(loss.rawValue) needs"
          )
        }
      }
      values = targets.scalars
      labels = nil
      targetWidth = width
      wide = exact.map {
        Wide(
          inputs: $0.scalars, values: data.float64Targets?.scalars ?? targets.scalars.map(Double.init),
          weights: data.float64SampleWeights)
      }
    } else {
      throw TrainingError.targetsDoNotFit(
        "the \(role) has \(width) target values per sample, the network outputs \(outputRows * units)"
          + (loss.isCategorical ? " (or give one class label per sample)" : ""))
    }
  }

  /// Appends the sample at `index` to `batch`: its Float64 values as read
  /// for data that has them (``wide``), its Float values otherwise.
  func append(_ index: Int, to batch: inout Batch) {
    if let labels { batch.labels.append(contentsOf: labels[index * targetWidth..<(index + 1) * targetWidth]) }
    if let wide {
      batch.isWide = true
      batch.wideInputs.append(contentsOf: wide.inputs[index * inputWidth..<(index + 1) * inputWidth])
      if let values = wide.values {
        batch.wideValues.append(contentsOf: values[index * targetWidth..<(index + 1) * targetWidth])
      }
      if let weights = wide.weights {
        batch.wideWeights.append(weights[index])
      } else if let weights {
        batch.wideWeights.append(Double(weights[index]))
      }
      return
    }
    batch.inputs.append(contentsOf: inputs[index * inputWidth..<(index + 1) * inputWidth])
    if labels == nil, let values {
      batch.values.append(contentsOf: values[index * targetWidth..<(index + 1) * targetWidth])
    }
    if let weights { batch.weights.append(weights[index]) }
  }
}

extension PreparedData: SessionData {
  var isStreamed: Bool { false }

  func gather(_ indices: ArraySlice<Int>, into batch: inout Batch) {
    batch.clear()
    for index in indices { append(index, to: &batch) }
  }

  func evaluate(with engine: any SessionEngine) throws -> BatchMetrics {
    try engine.evaluate(self)
  }
}

extension PreparedData.Batch {
  init() { self.init(inputs: [], values: [], labels: [], weights: []) }

  mutating func clear() {
    inputs.removeAll(keepingCapacity: true)
    values.removeAll(keepingCapacity: true)
    labels.removeAll(keepingCapacity: true)
    weights.removeAll(keepingCapacity: true)
    wideInputs.removeAll(keepingCapacity: true)
    wideValues.removeAll(keepingCapacity: true)
    wideWeights.removeAll(keepingCapacity: true)
    isWide = false
  }
}
