extension TrainingEngine {
  /// The network with the current weights, rounded to Float32 when the engine computes in Float64.
  public var model: Model {
    var tensors: [ParameterKey: Tensor<Float>] = [:]
    for entry in plan.layout.entries {
      let values = UnsafeBufferPointer(start: parameters.pointer + entry.offset, count: entry.count)
      tensors[entry.spec.key] = Tensor(shape: entry.spec.shape, scalars: values.map { Float($0) })
    }
    // The tensors come from the validated layout, so the model is valid by construction.
    var model = try! Model(network: network, parameters: tensors)
    model.names = names
    return model
  }

  /// Replaces the weights (early stopping's restored best ones); the optimizer's state stays.
  ///
  /// - Throws: ``BPKitError`` naming the first weight that is missing or misshapen; nothing is replaced then.
  public func setParameters(_ tensors: [ParameterKey: Tensor<Float>]) throws(BPKitError) {
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

  /// The optimizer's configuration, step count and slots, as a checkpoint stores them.
  public var optimizerState: OptimizerState {
    var stored: [String: [ParameterKey: Tensor<Float>]] = [:]
    for (name, buffer) in zip(rule.slotNames, slots) {
      var tensors: [ParameterKey: Tensor<Float>] = [:]
      for entry in plan.layout.trainableEntries {
        let values = UnsafeBufferPointer(start: buffer.pointer + entry.offset, count: entry.count)
        tensors[entry.spec.key] = Tensor(shape: entry.spec.shape, scalars: values.map { Float($0) })
      }
      stored[name] = tensors
    }
    return OptimizerState(configuration: optimizerConfiguration, iterations: iterations, slots: stored)
  }
}
