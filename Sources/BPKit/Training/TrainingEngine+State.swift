extension TrainingEngine {
  /// The network with the current weights, in the precision of the model the
  /// engine was made from (``dtype``): a float32 model trained in Float64
  /// (a gradient check) comes back rounded to Float32.
  public var model: Model {
    var model: Model
    // The tensors come from the validated layout, so the model is valid by construction.
    if dtype == .float64 {
      model = try! Model(network: network, float64Parameters: tensors(of: parameters.pointer, plan.layout.entries))
    } else {
      model = try! Model(network: network, parameters: tensors(of: parameters.pointer, plan.layout.entries))
    }
    model.names = names
    return model
  }

  /// The tensors of `entries` in a flat buffer, converted to `T`.
  private func tensors<T: BLASScalar>(
    of buffer: UnsafeMutablePointer<Scalar>, _ entries: some Sequence<ParameterLayout.Entry>
  ) -> [ParameterKey: Tensor<T>] {
    var tensors: [ParameterKey: Tensor<T>] = [:]
    for entry in entries {
      let values = UnsafeBufferPointer(start: buffer + entry.offset, count: entry.count)
      let scalars: [T]
      if T.self == Scalar.self {
        // The engine's own precision: copied bit for bit as bytes. Called
        // through the SessionEngine protocol this code is not specialized,
        // and converting each value generically cost a checkpoint of the
        // digits model about 0.2 ms (BENCHMARKS.md, checkpoint every epoch).
        scalars = [T](unsafeUninitializedCapacity: values.count) { copy, initialized in
          if let target = copy.baseAddress, let source = values.baseAddress {
            UnsafeMutableRawPointer(target).copyMemory(
              from: source, byteCount: values.count * MemoryLayout<Scalar>.stride)
          }
          initialized = values.count
        }
      } else {
        scalars = values.map { T($0) }
      }
      tensors[entry.spec.key] = Tensor(shape: entry.spec.shape, scalars: scalars)
    }
    return tensors
  }

  /// Replaces the weights (early stopping's restored best ones); the optimizer's state stays.
  ///
  /// - Throws: ``BPKitError`` naming the first weight that is missing or
  ///   misshapen, or when the engine trains a float64 model (its weights
  ///   come back with `setParameters(_:)` given a `Model`); nothing is replaced then.
  public func setParameters(_ tensors: [ParameterKey: Tensor<Float>]) throws(BPKitError) {
    guard dtype == .float32 else { throw BPKitError(ModelError.dtypeMismatch(model: dtype, given: .float32)) }
    try setParameters(tensors, as: Float.self)
  }

  /// Replaces the weights with a model's, in its precision; the optimizer's state stays.
  ///
  /// - Throws: ``BPKitError`` naming the first weight that is missing or
  ///   misshapen, or when the model's precision is not the engine's
  ///   ``dtype``; nothing is replaced then.
  public func setParameters(_ model: Model) throws(BPKitError) {
    guard model.dtype == dtype else { throw BPKitError(ModelError.dtypeMismatch(model: dtype, given: model.dtype)) }
    if let exact = model.float64Parameters {
      try setParameters(exact, as: Double.self)
    } else {
      try setParameters(model.parameters, as: Float.self)
    }
  }

  private func setParameters<T: BLASScalar>(_ tensors: [ParameterKey: Tensor<T>], as _: T.Type) throws(BPKitError) {
    for entry in plan.layout.entries {
      guard let tensor = tensors[entry.spec.key] else {
        throw BPKitError(ModelError.missingParameter(entry.spec.key))
      }
      guard tensor.shape == entry.spec.shape else {
        throw BPKitError(
          ModelError.parameterShapeMismatch(entry.spec.key, expected: entry.spec.shape, actual: tensor.shape))
      }
    }
    for entry in plan.layout.entries {
      for (k, value) in tensors[entry.spec.key]!.scalars.enumerated() {
        parameters.pointer[entry.offset + k] = Scalar(value)
      }
    }
  }

  /// The optimizer's configuration, step count and slots, as a checkpoint
  /// stores them, in the precision of the engine's model (``dtype``).
  public var optimizerState: OptimizerState {
    let entries = plan.layout.trainableEntries
    if dtype == .float64 {
      var stored: [String: [ParameterKey: Tensor<Double>]] = [:]
      for (name, buffer) in zip(rule.slotNames, slots) { stored[name] = tensors(of: buffer.pointer, entries) }
      return OptimizerState(configuration: optimizerConfiguration, iterations: iterations, float64Slots: stored)
    }
    var stored: [String: [ParameterKey: Tensor<Float>]] = [:]
    for (name, buffer) in zip(rule.slotNames, slots) { stored[name] = tensors(of: buffer.pointer, entries) }
    return OptimizerState(configuration: optimizerConfiguration, iterations: iterations, slots: stored)
  }
}
