import Foundation

/// A bpkit model laid out as a Keras 3 Sequential model: layer configurations
/// and variables in the order Keras creates them.
struct KerasExportPlan {
  /// A variable's value: float32 or float64 weights, or Normalization's int64 sample count.
  enum Value {
    case float(Tensor<Float>)
    /// A float64 model's weight or optimizer slot, under Keras' float64 dtype policy.
    case double(Tensor<Double>)
    case int64(Int64)
  }

  struct KerasLayer {
    var className: String
    var config: [String: Any]
    /// The path of the layer's variables in `model.weights.h5`, such as `layers/dense_1`.
    var archivePath: String
    /// The variables with Keras' names, in Keras' order.
    var variables: [(name: String, value: Value)]
  }

  var layers: [KerasLayer]
  var inputBatchShape: [Any]
  /// The trainable weights in Keras' order, as bpkit keys.
  var trainable: [ParameterKey]
  /// Keras' name of the model's precision: every layer's dtype policy and
  /// the input's dtype (`float64` for a float64 model, as
  /// `keras.config.set_floatx("float64")` makes them).
  let dtypeName: String

  /// Keras 3's serialized `DTypePolicy` of every layer.
  var dtypePolicy: [String: Any] {
    [
      "module": "keras", "class_name": "DTypePolicy", "config": ["name": dtypeName], "registered_name": NSNull(),
    ]
  }

  init(_ model: Model) throws {
    let network = model.network
    let exact = model.float64Parameters
    let dtypeName = exact == nil ? "float32" : "float64"
    self.dtypeName = dtypeName
    let dtypePolicy: [String: Any] = [
      "module": "keras", "class_name": "DTypePolicy", "config": ["name": dtypeName], "registered_name": NSNull(),
    ]
    switch network.input {
    case .vector(let features): inputBatchShape = [NSNull(), features]
    case .sequence(let steps, let features):
      inputBatchShape = [NSNull(), steps.map { $0 as Any } ?? NSNull(), features]
    }
    var names = Set(network.layers.map(\.name))
    var used: [String: Int] = [:]
    func archivePath(_ className: String) -> String {
      let snake = KerasNetworkPlan.snakeCase(className)
      let count = used[snake].map { $0 + 1 } ?? 0
      used[snake] = count
      return "layers/" + (count == 0 ? snake : "\(snake)_\(count)")
    }
    func uniqueName(_ base: String) -> String {
      var name = base
      var index = 1
      while names.contains(name) {
        name = "\(base)_\(index)"
        index += 1
      }
      names.insert(name)
      return name
    }
    func weight(_ layer: Layer, _ name: String) -> Value {
      let key = ParameterKey(layer: layer.name, name: name)
      return exact.map { .double($0[key]!) } ?? .float(model.parameters[key]!)
    }
    func base(_ name: String, trainable: Bool = true) -> [String: Any] {
      ["name": name, "trainable": trainable, "dtype": dtypePolicy]
    }
    /// A weight layer's common settings, its regularizers (Keras 3's serialized L1, L2, L1L2) included.
    func base(of layer: Layer) -> [String: Any] {
      var config = base(layer.name, trainable: layer.trainable)
      for entry in layer.regularizers.entries {
        config[entry.setting] = KerasNetworkPlan.serialized(entry.regularizer)
      }
      return config
    }

    var layers: [KerasLayer] = []
    trainable = model.orderedParameters.filter(\.spec.trainable).map(\.spec.key)
    for layer in network.layers {
      switch layer.kind {
      case .dense(let units, let activation, let useBias):
        // Keras' activation names carry fixed parameters (leaky_relu 0.2,
        // elu 1); other values become an activation layer after a linear Dense.
        let inline = Self.kerasActivation(activation)
        var config = base(of: layer)
        config.merge(["units": units, "activation": inline ?? "linear", "use_bias": useBias]) { $1 }
        layers.append(
          KerasLayer(
            className: "Dense", config: config, archivePath: archivePath("Dense"),
            variables: [("kernel", weight(layer, "kernel"))] + (useBias ? [("bias", weight(layer, "bias"))] : [])))
        if inline == nil {
          let className: String
          let parameters: [String: Any]
          switch activation {
          case .leakyReLU(let alpha): (className, parameters) = ("LeakyReLU", ["negative_slope": alpha])
          case .elu(let alpha): (className, parameters) = ("ELU", ["alpha": alpha])
          default: throw KerasError.cannotExport(detail: "layer '\(layer.name)' uses \(Self.noKerasName(activation))")
          }
          var config = base(uniqueName("\(layer.name)_activation"))
          config.merge(parameters) { $1 }
          layers.append(
            KerasLayer(className: className, config: config, archivePath: archivePath(className), variables: []))
        }
      case .elman(let units, let activation, let useBias, let returnSequences):
        guard let name = Self.kerasActivation(activation) else {
          throw KerasError.cannotExport(
            detail: "layer '\(layer.name)' uses \(Self.noKerasName(activation)) inside its recurrence, where Keras' "
              + "SimpleRNN takes only an activation's name")
        }
        var config = base(of: layer)
        config.merge([
          "units": units, "activation": name, "use_bias": useBias, "return_sequences": returnSequences,
          "return_state": false, "go_backwards": false, "stateful": false, "unroll": false, "dropout": 0.0,
          "recurrent_dropout": 0.0,
        ]) { $1 }
        layers.append(
          KerasLayer(
            className: "SimpleRNN", config: config, archivePath: archivePath("SimpleRNN") + "/cell",
            variables: [("kernel", weight(layer, "kernel")), ("recurrent_kernel", weight(layer, "recurrent_kernel"))]
              + (useBias ? [("bias", weight(layer, "bias"))] : [])))
      case .lstm(let settings, _), .gru(let settings, _):
        let className = layer.kind.typeName.uppercased()
        var names: [String] = []
        for activation in [settings.activation, settings.recurrentActivation] {
          guard let name = Self.kerasActivation(activation) else {
            throw KerasError.cannotExport(
              detail: "layer '\(layer.name)' uses \(Self.noKerasName(activation)) inside its recurrence, where "
                + "Keras' \(className) takes only an activation's name")
          }
          names.append(name)
        }
        var config = base(of: layer)
        config.merge([
          "units": settings.units, "activation": names[0], "recurrent_activation": names[1],
          "use_bias": settings.useBias, "return_sequences": settings.returnSequences, "return_state": false,
          "go_backwards": false, "stateful": false, "unroll": false, "dropout": 0.0, "recurrent_dropout": 0.0,
        ]) { $1 }
        switch layer.kind {
        case .lstm(_, let unitForgetBias): config["unit_forget_bias"] = unitForgetBias
        case .gru(_, let resetAfter): config["reset_after"] = resetAfter
        default: break
        }
        layers.append(
          KerasLayer(
            className: className, config: config, archivePath: archivePath(className) + "/cell",
            variables: [("kernel", weight(layer, "kernel")), ("recurrent_kernel", weight(layer, "recurrent_kernel"))]
              + (settings.useBias ? [("bias", weight(layer, "bias"))] : [])))
      case .standardize:
        // keras.layers.Normalization computes (x − mean) / max(sqrt(variance), 1e-7).
        let std = model.widenedParameters[ParameterKey(layer: layer.name, name: "std")]!
        guard std.scalars.allSatisfy({ $0 >= Double(Float(1e-7)) }) else {
          throw KerasError.cannotExport(
            detail: "standardize layer '\(layer.name)' has a std below 1e-7, which keras.layers.Normalization "
              + "cannot express")
        }
        var config = base(layer.name, trainable: layer.trainable)
        config.merge(["axis": [-1], "invert": false, "mean": NSNull(), "variance": NSNull()]) { $1 }
        // Squared in the model's precision, as a float32 model's always was.
        let variance: Value =
          exact == nil
          ? .float(Tensor(shape: std.shape, scalars: std.scalars.map { Float($0) * Float($0) }))
          : .double(Tensor(shape: std.shape, scalars: std.scalars.map { $0 * $0 }))
        layers.append(
          KerasLayer(
            className: "Normalization", config: config, archivePath: archivePath("Normalization"),
            variables: [("mean", weight(layer, "mean")), ("variance", variance), ("count", .int64(0))]))
      case .dropout(let rate):
        // keras.layers.Dropout: its masks come from Keras' own generator (`seed` None).
        var config = base(layer.name, trainable: layer.trainable)
        config.merge(["rate": rate, "seed": NSNull(), "noise_shape": NSNull()]) { $1 }
        layers.append(
          KerasLayer(className: "Dropout", config: config, archivePath: archivePath("Dropout"), variables: []))
      }
    }
    self.layers = layers
  }

  /// Keras' name for an activation whose parameters Keras fixes, or `nil`.
  static func kerasActivation(_ activation: Activation) -> String? {
    switch activation {
    case .leakyReLU(let alpha): alpha == 0.2 ? "leaky_relu" : nil
    case .elu(let alpha): alpha == 1 ? "elu" : nil
    // keras.activations.gelu's approximate=True has no name a saved model can hold.
    case .geluTanh: nil
    default: activation.name
    }
  }

  /// Why `activation` has no Keras name, for a refusal.
  private static func noKerasName(_ activation: Activation) -> String {
    switch activation {
    case .geluTanh:
      "gelu_tanh, which Keras computes (gelu with approximate=True) but cannot name in a saved model; "
        + "use gelu (the exact form) to export"
    default:
      "\(activation.name)\(activation.alpha.map { " with alpha \($0)" } ?? ""), which Keras names only with "
        + "fixed parameters (leaky_relu with alpha 0.2, elu with alpha 1)"
    }
  }

  /// The Sequential model's configuration; with `modules` as `.keras` archives
  /// write it (each object with its module), else as legacy HDF5 files do.
  func modelConfig(modules: Bool) -> [String: Any] {
    func wrap(_ className: String, _ config: [String: Any], module: String) -> [String: Any] {
      modules
        ? ["module": module, "class_name": className, "config": config, "registered_name": NSNull()]
        : ["class_name": className, "config": config]
    }
    let input = wrap(
      "InputLayer",
      [
        "batch_shape": inputBatchShape, "dtype": dtypeName, "sparse": false, "ragged": false, "name": "input_layer",
        "optional": false,
      ], module: "keras.layers")
    var config = wrap(
      "Sequential",
      [
        "name": "sequential", "trainable": true, "dtype": dtypePolicy,
        "layers": [input] + layers.map { wrap($0.className, $0.config, module: "keras.layers") },
        "build_input_shape": inputBatchShape,
      ], module: "keras")
    if modules { config["build_config"] = ["input_shape": inputBatchShape] }
    return config
  }

  /// Keras' optimizer variables after `iteration` and `learning_rate`, in
  /// Keras' order; slots bpkit has not filled yet hold their initial values,
  /// as in Keras, and Nadam's `u_product` is computed from the step count.
  ///
  /// A float64 state's slots are written in float64, as Keras keeps the
  /// slots of float64 variables.
  func optimizerSlots(_ state: OptimizerState, model: Model) -> [(name: String, value: Value)] {
    let layout = KerasOptimizer.slotLayout(state.configuration)
    let rule = OptimizerRule(configuration: state.configuration)
    let float64 = state.float64Slots != nil
    func tensor(_ slot: String, _ key: ParameterKey) -> (String, Value) {
      let shape = model.parameters[key]!.shape
      let name = "\(key.layer)_\(key.name)_\(slot)"
      let initial = rule.initialValue(ofSlot: slot)
      if float64 {
        let fresh = Tensor<Double>(shape: shape, scalars: Array(repeating: initial, count: shape.reduce(1, *)))
        return (name, .double(state.float64Slots?[slot]?[key] ?? fresh))
      }
      let fresh = Tensor<Float>(shape: shape, scalars: Array(repeating: Float(initial), count: shape.reduce(1, *)))
      return (name, .float(state.slots[slot]?[key] ?? fresh))
    }
    var variables = layout.groups.flatMap { group in trainable.flatMap { key in group.map { tensor($0, key) } } }
    for name in layout.trailingScalars {
      if float64 {
        var product = NadamMomentumProduct<Double>(beta1: state.configuration.beta1)
        variables.append((name, .double(Tensor(shape: [], scalars: [product.product(through: state.iterations)]))))
      } else {
        var product = NadamMomentumProduct<Float>(beta1: state.configuration.beta1)
        variables.append((name, .float(Tensor(shape: [], scalars: [product.product(through: state.iterations)]))))
      }
    }
    return variables
  }
}
