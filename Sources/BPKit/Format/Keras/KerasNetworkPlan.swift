import Foundation

/// How a Keras Sequential model maps onto a bpkit network: the description,
/// and for each bpkit layer the Keras layer whose variables hold its weights.
///
/// Keras 3 writes the configuration in `keras/src/models/sequential.py`'s
/// `get_config`; Keras 2 files differ in details handled here (`batch_input_shape`).
struct KerasNetworkPlan {
  /// Where one bpkit layer's weights come from.
  struct Source {
    /// The Keras layer's name (its group under `model_weights/` in legacy files).
    var kerasName: String
    /// The Keras layer class.
    var className: String
    /// The layer's path in a `.keras` archive's `model.weights.h5`, such as
    /// `layers/dense_1` (variables in `vars/`) or `layers/simple_rnn/cell`.
    var archivePath: String
    /// The Keras variable names in the order Keras stores them, paired with
    /// the bpkit weight each becomes (`nil`: not used, like Normalization's count).
    var variables: [(keras: String, bpkit: String?)]
  }

  var network: NetworkDescription
  var sources: [Source]
  /// The precision of every layer's dtype policy: float64 when each layer's
  /// is `float64` (Keras' `keras.config.set_floatx("float64")` or
  /// `dtype="float64"`); the weights and optimizer slots are then read as
  /// Float64.
  var dtype: DType = .float32
  /// Settings of the file's layers that bpkit drops or changes: a frozen
  /// layer, a regularizer or constraint, a recurrent layer's dropout, a
  /// Dropout layer's seed, a dtype policy other than float32 and float64.
  var warnings: [String] = []

  /// Reads a model configuration (the `model_config` attribute, or `config.json`).
  static func make(config: [String: Any], file: String) throws -> KerasNetworkPlan {
    let className = config["class_name"] as? String ?? "?"
    guard className == "Sequential" else {
      throw KerasError.unsupportedModelClass(file: file, className: className)
    }
    guard let body = config["config"] as? [String: Any], let layerConfigs = body["layers"] as? [[String: Any]] else {
      throw KerasError.invalidConfiguration(file: file, detail: "no config.layers list")
    }
    var input: InputShape? = try (body["build_input_shape"]).flatMap { try inputShape($0, file: file) }
    var layers: [Layer] = []
    var sources: [Source] = []
    var unsupported: [String] = []
    var usedArchiveNames: [String: Int] = [:]
    var warnings: [String] = []
    var policies: [(layer: String, policy: String)] = []

    for entry in layerConfigs {
      let kerasClass = entry["class_name"] as? String ?? "?"
      let layerConfig = entry["config"] as? [String: Any] ?? [:]
      let name = layerConfig["name"] as? String ?? "?"
      func refuse(_ reason: String? = nil) {
        unsupported.append("'\(name)' (\(kerasClass)\(reason.map { ": \($0)" } ?? ""))")
      }
      if kerasClass == "InputLayer" {
        if let shape = layerConfig["batch_shape"] ?? layerConfig["batch_input_shape"] {
          input = try inputShape(shape, file: file)
        }
        continue
      }
      if input == nil, let shape = layerConfig["batch_input_shape"] { input = try inputShape(shape, file: file) }
      warnings += droppedSettings(of: name, className: kerasClass, layerConfig)
      policies.append((name, dtypePolicyName(layerConfig["dtype"]) ?? "float32"))
      // Keras names each layer's weights group after its class in snake case,
      // numbered per class in order (saving_lib._save_container_state).
      let snake = snakeCase(kerasClass)
      let archiveName: String
      if let used = usedArchiveNames[snake] {
        usedArchiveNames[snake] = used + 1
        archiveName = "\(snake)_\(used + 1)"
      } else {
        usedArchiveNames[snake] = 0
        archiveName = snake
      }
      let archivePath = "layers/\(archiveName)"
      // Keras' trainable=False: a frozen layer (format 1.4).
      let trainable = layerConfig["trainable"] as? Bool ?? true

      switch kerasClass {
      case "Dense":
        guard let units = layerConfig["units"] as? Int, units > 0 else {
          refuse("units is not a positive integer")
          continue
        }
        guard let activation = activation(layerConfig["activation"]) else {
          refuse("activation \(describe(layerConfig["activation"])) is not one bpkit has")
          continue
        }
        let useBias = layerConfig["use_bias"] as? Bool ?? true
        layers.append(
          Layer(name: name, kind: .dense(units: units, activation: activation, useBias: useBias), trainable: trainable))
        sources.append(
          Source(
            kerasName: name, className: kerasClass, archivePath: archivePath,
            variables: [("kernel", "kernel")] + (useBias ? [("bias", "bias")] : [])))
      case "SimpleRNN":
        guard let units = layerConfig["units"] as? Int, units > 0 else {
          refuse("units is not a positive integer")
          continue
        }
        guard let activation = activation(layerConfig["activation"]) else {
          refuse("activation \(describe(layerConfig["activation"])) is not one bpkit has")
          continue
        }
        let unsupportedFlags = ["go_backwards", "stateful", "return_state"].filter {
          layerConfig[$0] as? Bool == true
        }
        guard unsupportedFlags.isEmpty else {
          refuse("\(unsupportedFlags.joined(separator: ", ")) is not supported")
          continue
        }
        let useBias = layerConfig["use_bias"] as? Bool ?? true
        let returnSequences = layerConfig["return_sequences"] as? Bool ?? false
        layers.append(
          Layer(
            name: name,
            kind: .elman(units: units, activation: activation, useBias: useBias, returnSequences: returnSequences),
            trainable: trainable))
        sources.append(
          Source(
            kerasName: name, className: kerasClass, archivePath: archivePath + "/cell",
            variables: [("kernel", "kernel"), ("recurrent_kernel", "recurrent_kernel")]
              + (useBias ? [("bias", "bias")] : [])))
      case "LSTM", "GRU":
        switch gatedLayer(kerasClass, layerConfig) {
        case .success(let kind):
          layers.append(Layer(name: name, kind: kind, trainable: trainable))
          sources.append(
            Source(
              kerasName: name, className: kerasClass, archivePath: archivePath + "/cell",
              variables: [("kernel", "kernel"), ("recurrent_kernel", "recurrent_kernel")]
                + (kind.gatedSettings!.useBias ? [("bias", "bias")] : [])))
        case .failure(let reason):
          refuse(reason.text)
        }
      case "Normalization":
        let axis = layerConfig["axis"]
        guard axis == nil || (axis as? Int) == -1 || ((axis as? [Int]) == [-1]),
          layerConfig["invert"] as? Bool != true
        else {
          refuse("only axis -1 without invert is supported")
          continue
        }
        guard layerConfig["mean"] == nil || layerConfig["mean"] is NSNull else {
          refuse("mean and variance given in the configuration are not supported; adapt() the layer instead")
          continue
        }
        layers.append(Layer(name: name, kind: .standardize))
        sources.append(
          Source(
            kerasName: name, className: kerasClass, archivePath: archivePath,
            variables: [("mean", "mean"), ("variance", "std"), ("count", nil)]))
      case "Dropout":
        // Keras' Dropout with noise_shape None masks every value on its own, as bpkit's does.
        guard let rate = (layerConfig["rate"] as? NSNumber)?.doubleValue, rate >= 0, rate < 1 else {
          refuse("rate \(describe(layerConfig["rate"])) is not a number from 0 up to (not including) 1")
          continue
        }
        guard layerConfig["noise_shape"] == nil || layerConfig["noise_shape"] is NSNull else {
          refuse(
            "noise_shape \(describe(layerConfig["noise_shape"])) is not supported; bpkit drops each value on its own")
          continue
        }
        if let seed = layerConfig["seed"], !(seed is NSNull) {
          warnings.append(
            "layer '\(name)' (Dropout): seed \(describe(seed)) is dropped; bpkit draws its masks from the run's seed")
        }
        layers.append(Layer(name: name, kind: .dropout(rate: rate), trainable: trainable))
        sources.append(Source(kerasName: name, className: kerasClass, archivePath: archivePath, variables: []))
      case "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax":
        guard let folded = standaloneActivation(kerasClass, layerConfig) else {
          refuse("its settings have no bpkit activation")
          continue
        }
        // bpkit has no activation-only layer: fold it into a preceding dense
        // layer whose own activation is linear, which computes the same.
        guard let last = layers.last, case .dense(let units, .linear, let useBias) = last.kind,
          sources.last?.kerasName == last.name
        else {
          refuse("it must follow a Dense layer with linear activation, into which bpkit folds it")
          continue
        }
        layers[layers.count - 1].kind = .dense(units: units, activation: folded, useBias: useBias)
      default:
        refuse()
      }
      if let index = layers.indices.last, layers[index].name == name, regularizedClasses.contains(kerasClass) {
        let (regularizers, notes) = Self.regularizers(of: layers[index], className: kerasClass, layerConfig)
        layers[index].regularizers = regularizers
        warnings += notes
      }
    }
    guard unsupported.isEmpty else { throw KerasError.unsupportedLayers(file: file, layers: unsupported) }
    let dtype = try modelDType(policies, file: file)
    guard let input else {
      throw KerasError.invalidConfiguration(file: file, detail: "the input shape is not recorded (no InputLayer)")
    }
    let network = NetworkDescription(input: input, layers: layers)
    do {
      _ = try network.layerOutputShapes()
    } catch {
      throw KerasError.invalidConfiguration(file: file, detail: error.description)
    }
    return KerasNetworkPlan(network: network, sources: sources, dtype: dtype, warnings: warnings)
  }

  private struct Refusal: Error { var text: String }

  /// An LSTM or GRU layer from Keras 3's configuration (`keras/src/layers/rnn/lstm.py`, `gru.py`).
  private static func gatedLayer(_ className: String, _ config: [String: Any]) -> Result<LayerKind, Refusal> {
    guard let units = config["units"] as? Int, units > 0 else {
      return .failure(Refusal(text: "units is not a positive integer"))
    }
    var activations: [Activation] = []
    for (key, fallback) in [("activation", "tanh"), ("recurrent_activation", "sigmoid")] {
      guard let activation = activation(config[key] ?? fallback) else {
        return .failure(Refusal(text: "\(key) \(describe(config[key])) is not one bpkit has"))
      }
      activations.append(activation)
    }
    let unsupportedFlags = ["go_backwards", "stateful", "return_state"].filter { config[$0] as? Bool == true }
    guard unsupportedFlags.isEmpty else {
      return .failure(Refusal(text: "\(unsupportedFlags.joined(separator: ", ")) is not supported"))
    }
    let settings = GatedRecurrentSettings(
      units: units, activation: activations[0], recurrentActivation: activations[1],
      useBias: config["use_bias"] as? Bool ?? true, returnSequences: config["return_sequences"] as? Bool ?? false)
    if className == "LSTM" {
      return .success(.lstm(settings, unitForgetBias: config["unit_forget_bias"] as? Bool ?? true))
    }
    return .success(.gru(settings, resetAfter: config["reset_after"] as? Bool ?? true))
  }

  /// What bpkit drops from a layer's settings, as warnings: training
  /// without constraints, activity regularizers or recurrent dropout, in
  /// float32. The weight regularizers of the layers that have them are taken
  /// (``regularizers(of:className:_:)``).
  private static func droppedSettings(of name: String, className: String, _ config: [String: Any]) -> [String] {
    let layer = "layer '\(name)' (\(className))"
    var dropped: [String] = []
    let taken = regularizedClasses.contains(className) ? Set(regularizerSettings.map(\.0)) : []
    for key in config.keys.sorted()
    where (key.hasSuffix("_regularizer") && !taken.contains(key)) || key.hasSuffix("_constraint") {
      if let value = config[key], !(value is NSNull) {
        dropped.append("\(layer): \(key) \(describe(value)) is dropped; bpkit has none")
      }
    }
    for key in ["dropout", "recurrent_dropout"] {
      if let rate = (config[key] as? NSNumber)?.doubleValue, rate > 0 {
        dropped.append(
          "\(layer): \(key) \(rate) is dropped; bpkit has no dropout inside recurrent layers (a Dropout layer "
            + "before or after one is kept)")
      }
    }
    if let policy = dtypePolicyName(config["dtype"]), policy != "float32", policy != "float64" {
      dropped.append("\(layer): dtype policy \(policy) becomes float32, which bpkit computes in")
    }
    return dropped
  }

  /// float64 when every layer's dtype policy is `float64`, else float32. A
  /// model whose layers mix float64 with another policy is refused by name:
  /// bpkit computes a whole model in one precision, and neither widening the
  /// others nor rounding the float64 layers would compute what Keras does.
  private static func modelDType(_ policies: [(layer: String, policy: String)], file: String) throws -> DType {
    let wide = policies.filter { $0.policy == "float64" }
    if wide.isEmpty { return .float32 }
    if wide.count == policies.count { return .float64 }
    let others = policies.filter { $0.policy != "float64" }
    func list(_ layers: [(layer: String, policy: String)]) -> String {
      layers.map { "'\($0.layer)' (\($0.policy))" }.joined(separator: ", ")
    }
    throw KerasError.invalidConfiguration(
      file: file,
      detail: "the layers mix dtype policies: \(list(wide)) against \(list(others)); bpkit computes a whole model "
        + "in one precision and imports it only when every layer has the same policy: set one in Keras "
        + "(keras.config.set_floatx(\"float64\") before building the model, or dtype=\"float64\" on every layer) "
        + "and save it again")
  }

  /// The name of a layer's dtype policy: a string (Keras 2, early Keras 3)
  /// or `{"class_name": "DTypePolicy", "config": {"name": ...}}`.
  private static func dtypePolicyName(_ value: Any?) -> String? {
    if let name = value as? String { return name }
    guard let object = value as? [String: Any] else { return nil }
    return (object["config"] as? [String: Any])?["name"] as? String
  }

  /// An input shape from a batch shape: `[null, features]` or `[null, steps, features]`.
  private static func inputShape(_ value: Any, file: String) throws -> InputShape {
    guard let dimensions = value as? [Any], dimensions.count == 2 || dimensions.count == 3,
      let features = dimensions.last as? Int, features > 0
    else {
      throw KerasError.invalidConfiguration(
        file: file, detail: "input shape \(describe(value)) is neither [batch, features] nor [batch, steps, features]")
    }
    if dimensions.count == 2 { return .vector(features: features) }
    return .sequence(steps: dimensions[1] as? Int, features: features)
  }

  /// A Keras activation, given as a name or a serialized function.
  static func activation(_ value: Any?) -> Activation? {
    var name = value as? String
    if let object = value as? [String: Any] { name = object["config"] as? String ?? object["class_name"] as? String }
    switch name ?? "linear" {
    case "linear": return .linear
    case "sigmoid": return .sigmoid
    case "tanh": return .tanh
    case "relu": return .relu
    case "softmax": return .softmax
    // keras.activations.leaky_relu: negative_slope=0.2; keras.activations.elu: alpha=1.
    case "leaky_relu": return .leakyReLU(alpha: 0.2)
    case "elu": return .elu(alpha: 1)
    case "hard_sigmoid": return .hardSigmoid
    // keras.activations.gelu's default is the exact form (approximate=False).
    case "gelu": return .gelu
    case "silu", "swish": return .silu
    case "softplus": return .softplus
    case "softsign": return .softsign
    case "selu": return .selu
    case "hard_silu", "hard_swish": return .hardSilu
    case "relu6": return .relu6
    case "exponential": return .exponential
    case "mish": return .mish
    case "log_softmax": return .logSoftmax
    default: return nil
    }
  }

  /// The activation of an activation-only layer, or `nil` for settings bpkit lacks.
  private static func standaloneActivation(_ className: String, _ config: [String: Any]) -> Activation? {
    func number(_ key: String) -> Double? { (config[key] as? NSNumber)?.doubleValue }
    switch className {
    case "Activation":
      return activation(config["activation"])
    case "ReLU":
      guard number("threshold") ?? 0 == 0 else { return nil }
      let slope = number("negative_slope") ?? 0
      if config["max_value"] == nil || config["max_value"] is NSNull {
        return slope == 0 ? .relu : .leakyReLU(alpha: slope)
      }
      // ReLU(max_value=6) is relu6; other caps are not an activation bpkit has.
      return number("max_value") == 6 && slope == 0 ? .relu6 : nil
    case "LeakyReLU":
      // Keras 3 calls the slope negative_slope (default 0.3); Keras 2 called it alpha.
      return .leakyReLU(alpha: number("negative_slope") ?? number("alpha") ?? 0.3)
    case "ELU":
      return .elu(alpha: number("alpha") ?? 1)
    case "Softmax":
      let axis = config["axis"]
      return axis == nil || (axis as? Int) == -1 || (axis as? [Int]) == [-1] ? .softmax : nil
    default:
      return nil
    }
  }

  /// Keras' `naming.to_snake_case`: `SimpleRNN` → `simple_rnn`, `LeakyReLU` → `leaky_re_lu`.
  ///
  /// Keras substitutes `(.)([A-Z][a-z]+)` with `\1_\2`, then `([a-z])([A-Z])`
  /// with `\1_\2`. Each is one scan here over the Unicode scalars, matching
  /// as a regular expression engine does (left to right, without overlap):
  /// compiling the two expressions with `NSRegularExpression` loaded ICU and
  /// was a fifth of the processor time of opening a `.keras` model.
  static func snakeCase(_ name: String) -> String {
    let scalars = Array(name.filter { $0.isLetter || $0.isNumber || $0 == "_" }.unicodeScalars)
    func isUpper(_ scalar: Unicode.Scalar) -> Bool { ("A"..."Z").contains(scalar) }
    func isLower(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) }
    // (.)([A-Z][a-z]+) → \1_\2
    var words: [Unicode.Scalar] = []
    var index = 0
    while index < scalars.count {
      guard index + 2 < scalars.count, isUpper(scalars[index + 1]), isLower(scalars[index + 2]) else {
        words.append(scalars[index])
        index += 1
        continue
      }
      var end = index + 3
      while end < scalars.count && isLower(scalars[end]) { end += 1 }
      words += [scalars[index], "_"] + scalars[(index + 1)..<end]
      index = end
    }
    // ([a-z])([A-Z]) → \1_\2
    var text = String.UnicodeScalarView()
    index = 0
    while index < words.count {
      text.append(words[index])
      if index + 1 < words.count && isLower(words[index]) && isUpper(words[index + 1]) {
        text.append("_")
        text.append(words[index + 1])
        index += 1
      }
      index += 1
    }
    return String(text).lowercased()
  }

  static func describe(_ value: Any?) -> String {
    guard let value, !(value is NSNull) else { return "null" }
    if let text = value as? String { return "'\(text)'" }
    if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
      return String(decoding: data, as: UTF8.self)
    }
    return "\(value)"
  }

  /// Builds the model from the Keras variables of each source layer, found by
  /// `variable(source, index, name)`, which returns `nil` when absent.
  func model(file: String, variable: (Source, Int, String) throws -> KerasVariable?) throws -> Model {
    switch dtype {
    case .float32:
      return try Model(network: network, parameters: try tensors(file: file, variable: variable) { try $0.read() })
    case .float64:
      return try Model(
        network: network,
        float64Parameters: try tensors(file: file, variable: variable) { try $0.readFloat64() })
    }
  }

  private func tensors<S: BLASScalar>(
    file: String, variable: (Source, Int, String) throws -> KerasVariable?,
    read: (KerasVariable) throws -> Tensor<S>
  ) throws -> [ParameterKey: Tensor<S>] {
    var parameters: [ParameterKey: Tensor<S>] = [:]
    let specs = try network.parameterSpecs()
    for (layer, source) in zip(network.layers, sources) {
      for (index, pair) in source.variables.enumerated() {
        guard let bpkitName = pair.bpkit else { continue }
        guard let stored = try variable(source, index, pair.keras) else {
          throw KerasError.invalidWeights(file: file, layer: source.kerasName, detail: "no \(pair.keras) weights")
        }
        let key = ParameterKey(layer: layer.name, name: bpkitName)
        let expected = specs.first { $0.key == key }!.shape
        // The shape is checked before a buffer is allocated for the data.
        guard stored.shape == expected else {
          throw KerasError.invalidWeights(
            file: file, layer: source.kerasName, detail: "\(pair.keras) has shape \(stored.shape), expected \(expected)"
          )
        }
        var tensor = try read(stored)
        if pair.keras == "variance" {
          guard tensor.scalars.allSatisfy({ $0 >= 0 }) else {
            throw KerasError.invalidWeights(
              file: file, layer: source.kerasName, detail: "variance holds a negative value")
          }
          // keras.layers.Normalization divides by max(sqrt(variance), epsilon), epsilon = 1e-7 in the layer's dtype.
          let epsilon = S.self == Float.self ? S(Float(1e-7)) : S(Double(1e-7))
          tensor.scalars = tensor.scalars.map { Swift.max($0.squareRoot(), epsilon) }
        }
        parameters[key] = tensor
      }
    }
    return parameters
  }
}
