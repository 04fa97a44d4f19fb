import Foundation

/// Keras optimizers and losses in bpkit's terms.
///
/// Keras 3 orders an optimizer's variables as `iteration`, `learning_rate`,
/// then the slots its `build` creates (keras/src/optimizers/*.py): SGD one
/// `momentum` per trainable variable; Adam, AdamW and Nadam `momentum` and
/// `velocity` interleaved per variable (`add_optimizer_variables` with two
/// names), then with amsgrad every `velocity_hat`, and for Nadam the scalar
/// `u_product`; Adagrad one `accumulator`; RMSprop every `velocity`, then
/// every `momentum` when momentum > 0, then every `average_gradient` when centred.
enum KerasOptimizer {
  /// Why an optimizer's state was left out, for ``KerasModel/warnings``.
  struct Skipped: Error {
    var reason: String
  }

  /// The bpkit configuration of a serialized Keras optimizer (`{"class_name": "Adam", "config": {...}}`),
  /// with Keras 3's defaults for what the configuration leaves out.
  static func configuration(_ value: Any?) throws(Skipped) -> OptimizerConfiguration {
    guard let object = value as? [String: Any], let className = object["class_name"] as? String else {
      throw Skipped(reason: "the file does not record the optimizer's configuration")
    }
    let config = object["config"] as? [String: Any] ?? [:]
    func number(_ key: String) -> Double? { (config[key] as? NSNumber)?.doubleValue }
    if number("loss_scale_factor") != nil {
      throw Skipped(reason: "Keras option loss_scale_factor has no bpkit counterpart")
    }
    if config["use_ema"] as? Bool == true { throw Skipped(reason: "Keras option use_ema has no bpkit counterpart") }
    if let steps = number("gradient_accumulation_steps"), steps > 1 {
      throw Skipped(reason: "Keras option gradient_accumulation_steps has no bpkit counterpart")
    }
    let schedule = try self.schedule(config["learning_rate"])
    guard let learningRate = schedule?.initialLearningRate ?? number("learning_rate") else {
      throw Skipped(reason: "the file gives no learning rate for the optimizer")
    }
    var configuration: OptimizerConfiguration
    switch className {
    case "SGD":
      let momentum = number("momentum") ?? 0
      let kind: OptimizerKind = momentum == 0 ? .sgd : (config["nesterov"] as? Bool == true ? .nesterov : .momentum)
      configuration = OptimizerConfiguration(kind: kind, learningRate: learningRate, momentum: momentum)
    case "Adam", "AdamW", "Nadam":
      let kind: OptimizerKind = className == "Adam" ? .adam : className == "AdamW" ? .adamw : .nadam
      configuration = OptimizerConfiguration(
        kind: kind, learningRate: learningRate, beta1: number("beta_1") ?? 0.9, beta2: number("beta_2") ?? 0.999,
        epsilon: number("epsilon") ?? 1e-7, amsgrad: kind != .nadam && config["amsgrad"] as? Bool == true)
    case "Adagrad":
      configuration = OptimizerConfiguration(
        kind: .adagrad, learningRate: learningRate, epsilon: number("epsilon") ?? 1e-7,
        initialAccumulatorValue: number("initial_accumulator_value") ?? 0.1)
    case "RMSprop":
      configuration = OptimizerConfiguration(
        kind: .rmsprop, learningRate: learningRate, momentum: number("momentum") ?? 0,
        epsilon: number("epsilon") ?? 1e-7, rho: number("rho") ?? 0.9, centered: config["centered"] as? Bool == true)
    default:
      throw Skipped(reason: "bpkit has no \(className) optimizer")
    }
    configuration.schedule = schedule
    // Keras applies weight_decay when it is a number (AdamW's default 0.004),
    // and each clipping option only when it is above 0 (`_clip_gradients`).
    configuration.weightDecay = number("weight_decay") ?? (className == "AdamW" ? 0.004 : 0)
    configuration.clipNorm = max(number("clipnorm") ?? 0, 0)
    configuration.globalClipNorm = configuration.clipNorm > 0 ? 0 : max(number("global_clipnorm") ?? 0, 0)
    configuration.clipValue =
      configuration.clipNorm + configuration.globalClipNorm > 0 ? 0 : max(number("clipvalue") ?? 0, 0)
    do {
      try OptimizerRule(configuration: configuration).validate()
    } catch {
      throw Skipped(reason: "the \(className) configuration is not valid: \(error)")
    }
    return configuration
  }

  /// A serialized Keras learning-rate schedule (`{"class_name": "ExponentialDecay",
  /// "config": {...}}`) in bpkit's terms; `nil` for a number.
  static func schedule(_ value: Any?) throws(Skipped) -> LearningRateSchedule? {
    guard let object = value as? [String: Any] else { return nil }
    guard let className = object["class_name"] as? String, let config = object["config"] as? [String: Any] else {
      throw Skipped(reason: "the learning rate is an object bpkit does not read as a schedule")
    }
    var settings: [String: LearningRateSchedule.Setting] = [:]
    for (key, value) in config where key != "name" {
      if key == "staircase" || key == "cycle", let flag = value as? Bool {
        settings[key] = .flag(flag)
      } else if let number = value as? NSNumber {
        settings[key] = .number(number.doubleValue)
      } else if let list = value as? [NSNumber] {
        settings[key] = .numbers(list.map(\.doubleValue))
      } else if !(value is NSNull) {
        throw Skipped(
          reason: "the \(className) learning-rate schedule's \(key) is not a number, flag or list of numbers")
      }
    }
    do {
      return try LearningRateSchedule.make(kerasClassName: className, settings: settings)
    } catch {
      throw Skipped(reason: "the learning rate follows a schedule bpkit cannot continue: \(error.description)")
    }
  }

  /// The serialized Keras schedule (`keras.optimizers.schedules`).
  static func serialized(_ schedule: LearningRateSchedule) -> [String: Any] {
    var config: [String: Any] = [
      "name": schedule.kerasClassName == "PiecewiseConstantDecay" ? "PiecewiseConstant" : schedule.kerasClassName
    ]
    for (name, value) in schedule.kerasSettings {
      switch value {
      case nil: config[name] = NSNull()
      case .number(let number):
        // Keras' step counts are whole numbers; a whole number is written as one.
        if ["decay_steps", "warmup_steps"].contains(name), number == number.rounded(), abs(number) < 1e15 {
          config[name] = Int(number)
        } else {
          config[name] = number
        }
      case .flag(let flag): config[name] = flag
      case .numbers(let numbers):
        config[name] =
          name == "boundaries" && numbers.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e15 })
          ? numbers.map { Int($0) } as [Any] : numbers as [Any]
      }
    }
    return [
      "module": "keras.optimizers.schedules", "class_name": schedule.kerasClassName, "config": config,
      "registered_name": NSNull(),
    ]
  }

  /// The optimizer's scalar variables before its slots: `iteration`, and
  /// `learning_rate` unless a schedule gives the rate (Keras tracks no variable then).
  static func leadingVariables(_ configuration: OptimizerConfiguration) -> [String] {
    configuration.schedule == nil ? ["iteration", "learning_rate"] : ["iteration"]
  }

  /// The slot names in Keras' order: groups created one after the other by
  /// `add_optimizer_variables`, the names of a group interleaved per
  /// variable; then the scalar variables that follow the slots (Nadam's `u_product`).
  static func slotLayout(_ configuration: OptimizerConfiguration) -> (groups: [[String]], trailingScalars: [String]) {
    switch configuration.kind {
    case .sgd: ([], [])
    case .momentum, .nesterov: (configuration.momentum != 0 ? [["momentum"]] : [], [])
    case .adam, .adamw: ([["momentum", "velocity"]] + (configuration.amsgrad ? [["velocity_hat"]] : []), [])
    case .nadam: ([["momentum", "velocity"]], ["u_product"])
    case .adagrad: ([["accumulator"]], [])
    case .rmsprop:
      (
        [["velocity"]] + (configuration.momentum > 0 ? [["momentum"]] : [])
          + (configuration.centered ? [["average_gradient"]] : []), []
      )
    case .rprop: ([["previous_gradient"], ["step_size"]], [])
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
  /// variable's shape is checked before its data is read. Trailing scalars
  /// (Nadam's `u_product`) are recomputed by bpkit from the step count, and
  /// only their presence is checked.
  static func state(
    _ configuration: OptimizerConfiguration, iterations: Int64, slotVariables: [KerasVariable], model: Model
  ) throws(Skipped) -> OptimizerState {
    let trainable = model.orderedParameters.filter(\.spec.trainable).map(\.spec)
    let layout = slotLayout(configuration)
    // A model compiled but never trained holds the iteration and learning
    // rate but no slots yet: its optimizer starts with fresh slots, as Keras' would.
    if slotVariables.isEmpty && iterations == 0 { return OptimizerState(configuration: configuration) }
    let perVariable = layout.groups.reduce(0) { $0 + $1.count }
    let expected = trainable.count * perVariable + layout.trailingScalars.count
    guard slotVariables.count == expected else {
      throw Skipped(
        reason: "the file holds \(slotVariables.count) optimizer slot variables; \(configuration.kind.rawValue) "
          + "needs \(expected)")
    }
    var named: [(slot: String, spec: ParameterSpec, variable: KerasVariable)] = []
    var position = 0
    for group in layout.groups {
      for spec in trainable {
        for slot in group {
          named.append((slot, spec, slotVariables[position]))
          position += 1
        }
      }
    }
    return try state(configuration, iterations: iterations, named: named, dtype: model.dtype)
  }

  /// The optimizer state from slot variables already matched to their slot
  /// and weight, read in the model's precision `dtype`.
  static func state(
    _ configuration: OptimizerConfiguration, iterations: Int64,
    named: [(slot: String, spec: ParameterSpec, variable: KerasVariable)], dtype: DType
  ) throws(Skipped) -> OptimizerState {
    switch dtype {
    case .float32:
      let slots = try slots(configuration, named: named) { try $0.read() }
      return OptimizerState(configuration: configuration, iterations: iterations, slots: slots)
    case .float64:
      let slots = try slots(configuration, named: named) { try $0.readFloat64() }
      return OptimizerState(configuration: configuration, iterations: iterations, float64Slots: slots)
    }
  }

  private static func slots<S: BLASScalar>(
    _ configuration: OptimizerConfiguration, named: [(slot: String, spec: ParameterSpec, variable: KerasVariable)],
    read: (KerasVariable) throws -> Tensor<S>
  ) throws(Skipped) -> [String: [ParameterKey: Tensor<S>]] {
    var slots: [String: [ParameterKey: Tensor<S>]] = [:]
    for (slot, spec, variable) in named {
      guard variable.shape == spec.shape else {
        throw Skipped(reason: "optimizer slot \(slot) for \(spec.key) has shape \(variable.shape), not \(spec.shape)")
      }
      let tensor: Tensor<S>
      do {
        tensor = try read(variable)
      } catch {
        throw Skipped(reason: "optimizer slot \(slot) for \(spec.key) cannot be read: \(error)")
      }
      // Keras divides by the square root of `velocity`, `velocity_hat` and `accumulator`.
      if ["velocity", "velocity_hat", "accumulator"].contains(slot)
        || (configuration.kind == .rprop && slot == "step_size"),
        let index = tensor.scalars.firstIndex(where: { $0 < 0 })
      {
        throw Skipped(
          reason: "optimizer slot \(slot) for \(spec.key) holds \(tensor.scalars[index]); it cannot be negative")
      }
      slots[slot, default: [:]][spec.key] = tensor
    }
    return slots
  }

  /// The serialized Keras optimizer for a bpkit configuration, or `nil` when Keras lacks it.
  static func serialized(_ configuration: OptimizerConfiguration) -> [String: Any]? {
    func setting(_ value: Double) -> Any { value != 0 ? value : NSNull() }
    let common: [String: Any] = [
      "learning_rate": configuration.schedule.map { serialized($0) as Any } ?? configuration.learningRate,
      "weight_decay": configuration.kind == .adamw ? configuration.weightDecay : setting(configuration.weightDecay),
      "clipnorm": setting(configuration.clipNorm), "global_clipnorm": setting(configuration.globalClipNorm),
      "clipvalue": setting(configuration.clipValue), "use_ema": false, "ema_momentum": 0.99,
      "ema_overwrite_frequency": NSNull(), "loss_scale_factor": NSNull(), "gradient_accumulation_steps": NSNull(),
    ]
    let moments: [String: Any] = [
      "beta_1": configuration.beta1, "beta_2": configuration.beta2, "epsilon": configuration.epsilon,
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
      (className, name, specific) = ("Adam", "adam", moments.merging(["amsgrad": configuration.amsgrad]) { $1 })
    case .adamw:
      (className, name, specific) = ("AdamW", "adamw", moments.merging(["amsgrad": configuration.amsgrad]) { $1 })
    case .nadam: (className, name, specific) = ("Nadam", "nadam", moments)
    case .adagrad:
      (className, name, specific) = (
        "Adagrad", "adagrad",
        ["initial_accumulator_value": configuration.initialAccumulatorValue, "epsilon": configuration.epsilon]
      )
    case .rmsprop:
      (className, name, specific) = (
        "RMSprop", "rmsprop",
        [
          "rho": configuration.rho, "momentum": configuration.momentum, "epsilon": configuration.epsilon,
          "centered": configuration.centered,
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
  ///
  /// A loss object's `from_logits` chooses the logits form of the
  /// cross-entropies; an object that sets what bpkit's loss lacks
  /// (`label_smoothing` other than 0, `ignore_class`, an `axis` other than
  /// the last) is no bpkit loss, and gives `nil`.
  static func loss(_ value: Any?) -> Loss? {
    var name = value as? String
    let object = value as? [String: Any]
    if let object { name = object["class_name"] as? String }
    let config = object?["config"] as? [String: Any] ?? [:]
    let fromLogits = (config["from_logits"] as? NSNumber)?.boolValue ?? false
    func number(_ key: String) -> Double? { (config[key] as? NSNumber)?.doubleValue }
    let plainCrossEntropy =
      (number("label_smoothing") ?? 0) == 0 && (config["ignore_class"] == nil || config["ignore_class"] is NSNull)
      && (config["axis"] == nil || number("axis") == -1)
    switch name {
    case "mse", "mean_squared_error", "MeanSquaredError": return .meanSquaredError
    case "categorical_crossentropy", "CategoricalCrossentropy":
      guard plainCrossEntropy else { return nil }
      return fromLogits ? .categoricalCrossEntropyFromLogits : .categoricalCrossEntropy
    case "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy":
      guard plainCrossEntropy else { return nil }
      return fromLogits ? .sparseCategoricalCrossEntropyFromLogits : .sparseCategoricalCrossEntropy
    case "binary_crossentropy", "BinaryCrossentropy":
      guard plainCrossEntropy else { return nil }
      return fromLogits ? .binaryCrossEntropyFromLogits : .binaryCrossEntropy
    case "mae", "mean_absolute_error", "MeanAbsoluteError": return .meanAbsoluteError
    case "huber", "huber_loss", "Huber":
      // bpkit's Huber has Keras' default δ = 1; another δ is not the same loss.
      let delta = config["delta"]
      guard delta == nil || (delta as? NSNumber)?.doubleValue == Loss.huberDelta else { return nil }
      return .huber
    default: return nil
    }
  }

  /// A serialized Keras loss as a name for messages: the string, or a class
  /// name (with Huber's δ, which bpkit has only at 1).
  static func lossName(_ value: Any) -> String {
    if let name = value as? String { return name }
    if let object = value as? [String: Any], object["class_name"] as? String == "Huber",
      let delta = (object["config"] as? [String: Any])?["delta"]
    {
      return "Huber with delta \(delta) (bpkit's huber has delta 1)"
    }
    if let object = value as? [String: Any], let name = object["class_name"] as? String {
      let config = object["config"] as? [String: Any] ?? [:]
      // The cross-entropy settings bpkit has only at Keras' defaults, where they are not.
      let defaults: [(String, Double?)] = [("label_smoothing", 0), ("ignore_class", nil), ("axis", -1)]
      let set = defaults.compactMap { key, value -> String? in
        guard let setting = config[key], !(setting is NSNull) else { return nil }
        if let value, (setting as? NSNumber)?.doubleValue == value { return nil }
        return "\(key)=\(setting)"
      }
      return set.isEmpty
        ? name : "\(name) with \(set.joined(separator: ", ")) (bpkit's has label_smoothing 0, no ignore_class, axis -1)"
    }
    return "\(value)"
  }

  /// Keras' name for a bpkit loss. Keras 3.15's legacy HDF5 loader fails
  /// on "mse" (it resolves to keras.metrics.mse), so legacy files spell it out.
  static func kerasName(_ loss: Loss, legacy: Bool) -> String {
    switch loss {
    case .meanSquaredError: legacy ? "mean_squared_error" : "mse"
    case .categoricalCrossEntropy, .categoricalCrossEntropyFromLogits: "categorical_crossentropy"
    case .binaryCrossEntropy, .binaryCrossEntropyFromLogits: "binary_crossentropy"
    case .sparseCategoricalCrossEntropy, .sparseCategoricalCrossEntropyFromLogits: "sparse_categorical_crossentropy"
    case .meanAbsoluteError: legacy ? "mean_absolute_error" : "mae"
    case .huber: "huber"
    }
  }

  /// A bpkit loss as a Keras file's compile configuration holds it: Keras'
  /// name, or for the `from_logits` forms a serialized loss object (Keras
  /// 3's `serialize_keras_object` form, with `module`; its legacy HDF5
  /// loader reads the same object).
  static func kerasLoss(_ loss: Loss, legacy: Bool) -> Any {
    guard loss.fromLogits else { return kerasName(loss, legacy: legacy) }
    let className: String
    var config: [String: Any] = [
      "name": kerasName(loss, legacy: legacy), "reduction": "sum_over_batch_size", "from_logits": true,
      "dtype": NSNull(),
    ]
    switch loss {
    case .categoricalCrossEntropyFromLogits:
      className = "CategoricalCrossentropy"
      config.merge(["label_smoothing": 0.0, "axis": -1]) { $1 }
    case .sparseCategoricalCrossEntropyFromLogits:
      className = "SparseCategoricalCrossentropy"
      config.merge(["ignore_class": NSNull()]) { $1 }
    default:
      className = "BinaryCrossentropy"
      config.merge(["label_smoothing": 0.0, "axis": -1]) { $1 }
    }
    return ["module": "keras.losses", "class_name": className, "config": config, "registered_name": NSNull()]
  }
}
