import Foundation

/// Keras optimizers and losses in bpkit's terms.
///
/// Keras 3 orders an optimizer's variables as `iteration`, `learning_rate`,
/// then the slots its `build` creates (keras/src/optimizers/*.py): SGD one
/// `momentum` per trainable variable; Adam `momentum` and `velocity`
/// interleaved per variable (`add_optimizer_variables` with two names);
/// RMSprop every `velocity`, then every `momentum` when momentum > 0.
enum KerasOptimizer {
  /// Why an optimizer's state was left out, for ``KerasModel/warnings``.
  struct Skipped: Error {
    var reason: String
  }

  /// The bpkit configuration of a serialized Keras optimizer (`{"class_name": "Adam", "config": {...}}`).
  static func configuration(_ value: Any?) throws(Skipped) -> OptimizerConfiguration {
    guard let object = value as? [String: Any], let className = object["class_name"] as? String else {
      throw Skipped(reason: "the file does not record the optimizer's configuration")
    }
    let config = object["config"] as? [String: Any] ?? [:]
    func number(_ key: String) -> Double? { (config[key] as? NSNumber)?.doubleValue }
    for option in ["weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "loss_scale_factor"]
    where number(option) != nil {
      throw Skipped(reason: "Keras option \(option) has no bpkit counterpart")
    }
    if config["use_ema"] as? Bool == true { throw Skipped(reason: "Keras option use_ema has no bpkit counterpart") }
    if let steps = number("gradient_accumulation_steps"), steps > 1 {
      throw Skipped(reason: "Keras option gradient_accumulation_steps has no bpkit counterpart")
    }
    guard let learningRate = number("learning_rate") else {
      throw Skipped(reason: "the learning rate is a schedule, which bpkit does not have")
    }
    switch className {
    case "SGD":
      let momentum = number("momentum") ?? 0
      let kind: OptimizerKind = momentum == 0 ? .sgd : (config["nesterov"] as? Bool == true ? .nesterov : .momentum)
      return OptimizerConfiguration(kind: kind, learningRate: learningRate, momentum: momentum)
    case "Adam":
      if config["amsgrad"] as? Bool == true { throw Skipped(reason: "Adam with amsgrad is not in bpkit") }
      return OptimizerConfiguration(
        kind: .adam, learningRate: learningRate, beta1: number("beta_1") ?? 0.9, beta2: number("beta_2") ?? 0.999,
        epsilon: number("epsilon") ?? 1e-7)
    case "RMSprop":
      if config["centered"] as? Bool == true { throw Skipped(reason: "centered RMSprop is not in bpkit") }
      return OptimizerConfiguration(
        kind: .rmsprop, learningRate: learningRate, momentum: number("momentum") ?? 0,
        epsilon: number("epsilon") ?? 1e-7, rho: number("rho") ?? 0.9)
    default:
      throw Skipped(reason: "bpkit has no \(className) optimizer")
    }
  }

  /// The slot names, in Keras' order, and whether they interleave per variable.
  static func slotLayout(_ configuration: OptimizerConfiguration) -> (names: [String], interleaved: Bool) {
    switch configuration.kind {
    case .sgd: ([], false)
    case .momentum, .nesterov: (configuration.momentum != 0 ? ["momentum"] : [], false)
    case .adam: (["momentum", "velocity"], true)
    case .rmsprop: (configuration.momentum > 0 ? ["velocity", "momentum"] : ["velocity"], false)
    case .rprop: (["previous_gradient", "step_size"], false)
    }
  }

  /// The step count stored in Keras' `iteration` variable: one whole number, 0 or more.
  static func iterations(_ variable: KerasVariable) throws -> Int64 {
    guard variable.shape.reduce(1, *) == 1, variable.shape.count <= 1 else {
      throw Skipped(reason: "the iteration variable has shape \(variable.shape), not one number")
    }
    // int64 from TensorFlow, int32 from JAX.
    let value =
      variable.dataset.elementType == .int32
      ? Int64(try variable.dataset.read(as: Int32.self)[0]) : try variable.dataset.read(as: Int64.self)[0]
    guard value >= 0 else { throw Skipped(reason: "the iteration count is \(value); it must be 0 or more") }
    return value
  }

  /// The optimizer state from Keras' slot variables, in Keras' order; each
  /// variable's shape is checked before its data is read.
  static func state(
    _ configuration: OptimizerConfiguration, iterations: Int64, slotVariables: [KerasVariable], model: Model
  ) throws(Skipped) -> OptimizerState {
    let trainable = model.orderedParameters.filter(\.spec.trainable).map(\.spec)
    let layout = slotLayout(configuration)
    // A model compiled but never trained holds the iteration and learning
    // rate but no slots yet: its optimizer starts with fresh slots, as Keras' would.
    if slotVariables.isEmpty && iterations == 0 { return OptimizerState(configuration: configuration) }
    guard slotVariables.count == trainable.count * layout.names.count else {
      throw Skipped(
        reason: "the file holds \(slotVariables.count) optimizer slot variables; \(configuration.kind.rawValue) "
          + "needs \(trainable.count * layout.names.count)")
    }
    var slots: [String: [ParameterKey: Tensor<Float>]] = [:]
    for (slotIndex, slot) in layout.names.enumerated() {
      var tensors: [ParameterKey: Tensor<Float>] = [:]
      for (variableIndex, spec) in trainable.enumerated() {
        let position =
          layout.interleaved
          ? variableIndex * layout.names.count + slotIndex : slotIndex * trainable.count + variableIndex
        let variable = slotVariables[position]
        guard variable.shape == spec.shape else {
          throw Skipped(reason: "optimizer slot \(slot) for \(spec.key) has shape \(variable.shape), not \(spec.shape)")
        }
        let tensor: Tensor<Float>
        do {
          tensor = try variable.read()
        } catch {
          throw Skipped(reason: "optimizer slot \(slot) for \(spec.key) cannot be read: \(error)")
        }
        // Keras' Adam and RMSprop divide by the square root of `velocity`.
        if slot == "velocity" || (configuration.kind == .rprop && slot == "step_size"),
          let index = tensor.scalars.firstIndex(where: { $0 < 0 })
        {
          throw Skipped(
            reason: "optimizer slot \(slot) for \(spec.key) holds \(tensor.scalars[index]); it cannot be negative")
        }
        tensors[spec.key] = tensor
      }
      slots[slot] = tensors
    }
    return OptimizerState(configuration: configuration, iterations: iterations, slots: slots)
  }

  /// The serialized Keras optimizer for a bpkit configuration, or `nil` when Keras lacks it.
  static func serialized(_ configuration: OptimizerConfiguration) -> [String: Any]? {
    let common: [String: Any] = [
      "learning_rate": configuration.learningRate, "weight_decay": NSNull(), "clipnorm": NSNull(),
      "global_clipnorm": NSNull(), "clipvalue": NSNull(), "use_ema": false, "ema_momentum": 0.99,
      "ema_overwrite_frequency": NSNull(), "loss_scale_factor": NSNull(), "gradient_accumulation_steps": NSNull(),
    ]
    let (className, name, specific): (String, String, [String: Any])
    switch configuration.kind {
    case .sgd, .momentum, .nesterov:
      (className, name, specific) = (
        "SGD", "sgd",
        [
          "momentum": configuration.kind == .sgd ? 0.0 : configuration.momentum,
          "nesterov": configuration.kind == .nesterov,
        ]
      )
    case .adam:
      (className, name, specific) = (
        "Adam", "adam",
        [
          "beta_1": configuration.beta1, "beta_2": configuration.beta2, "epsilon": configuration.epsilon,
          "amsgrad": false,
        ]
      )
    case .rmsprop:
      (className, name, specific) = (
        "RMSprop", "rmsprop",
        [
          "rho": configuration.rho, "momentum": configuration.momentum, "epsilon": configuration.epsilon,
          "centered": false,
        ]
      )
    case .rprop:
      return nil
    }
    return [
      "module": "keras.optimizers", "class_name": className,
      "config": common.merging(specific) { $1 }.merging(["name": name]) { $1 }, "registered_name": NSNull(),
    ]
  }

  /// A Keras loss (a name, or a serialized loss object) in bpkit's terms.
  static func loss(_ value: Any?) -> Loss? {
    var name = value as? String
    if let object = value as? [String: Any] { name = object["class_name"] as? String }
    switch name {
    case "mse", "mean_squared_error", "MeanSquaredError": return .meanSquaredError
    case "categorical_crossentropy", "CategoricalCrossentropy": return .categoricalCrossEntropy
    case "binary_crossentropy", "BinaryCrossentropy": return .binaryCrossEntropy
    default: return nil
    }
  }

  /// A serialized Keras loss as a name for messages: the string, or a class name.
  static func lossName(_ value: Any) -> String {
    if let name = value as? String { return name }
    if let object = value as? [String: Any], let name = object["class_name"] as? String { return name }
    return "\(value)"
  }

  /// Keras' name for a bpkit loss. Keras 3.15's legacy HDF5 loader fails
  /// on "mse" (it resolves to keras.metrics.mse), so legacy files spell it out.
  static func kerasName(_ loss: Loss, legacy: Bool) -> String {
    switch loss {
    case .meanSquaredError: legacy ? "mean_squared_error" : "mse"
    case .categoricalCrossEntropy: "categorical_crossentropy"
    case .binaryCrossEntropy: "binary_crossentropy"
    }
  }
}
