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
