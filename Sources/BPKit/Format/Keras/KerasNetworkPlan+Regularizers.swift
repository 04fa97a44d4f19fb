import Foundation

extension KerasNetworkPlan {
  /// The regularizer settings bpkit takes from the layers that have them,
  /// by Keras' names, with the weight each applies to.
  static let regularizerSettings = [
    ("kernel_regularizer", "kernel"), ("recurrent_regularizer", "recurrent_kernel"), ("bias_regularizer", "bias"),
  ]

  /// The classes whose `kernel_regularizer`, `recurrent_regularizer` and
  /// `bias_regularizer` bpkit takes (Dense has no recurrent one).
  static let regularizedClasses: Set<String> = ["Dense", "SimpleRNN", "LSTM", "GRU"]

  /// A layer's L1, L2 and L1L2 regularizers from its Keras configuration,
  /// and a warning for each one bpkit cannot take (another class, such as
  /// `OrthogonalRegularizer`, or a factor below 0). A regularizer of a bias
  /// the layer does not use applies to nothing, in Keras as in bpkit.
  static func regularizers(of layer: Layer, className: String, _ config: [String: Any]) -> (
    LayerRegularizers, warnings: [String]
  ) {
    var result = LayerRegularizers.none
    var warnings: [String] = []
    let specs = (try? NetworkDescription(input: .sequence(steps: nil, features: 1), layers: [layer]).parameterSpecs())
    let weights = Set((specs ?? []).map(\.key.name))
    for (setting, weight) in regularizerSettings {
      guard let value = config[setting], !(value is NSNull), weights.contains(weight) else { continue }
      guard let regularizer = regularizer(value) else {
        warnings.append(
          "layer '\(layer.name)' (\(className)): \(setting) \(describe(value)) is dropped; bpkit has L1, L2 and "
            + "L1L2 with factors of at least 0")
        continue
      }
      switch weight {
      case "kernel": result.kernel = regularizer
      case "recurrent_kernel": result.recurrentKernel = regularizer
      default: result.bias = regularizer
      }
    }
    return (result, warnings)
  }

  /// Keras 3's serialized `L1`, `L2` or `L1L2` (`{"class_name": "L2",
  /// "config": {"l2": 0.01}, "module": "keras.regularizers"}`; tf.keras 2
  /// writes no module), or the names `l1` and `l2` with Keras' default factor
  /// 0.01; `nil` for anything else.
  static func regularizer(_ value: Any) -> Regularizer? {
    if let name = value as? String {
      switch name {
      case "l1", "L1": return Regularizer(l1: 0.01)
      case "l2", "L2": return Regularizer(l2: 0.01)
      default: return nil
      }
    }
    guard let object = value as? [String: Any], let className = object["class_name"] as? String else { return nil }
    if let module = object["module"] as? String, module != "keras.regularizers" { return nil }
    let config = object["config"] as? [String: Any] ?? [:]
    func factor(_ key: String, default fallback: Double) -> Double? {
      guard let raw = config[key], !(raw is NSNull) else { return fallback }
      return (raw as? NSNumber)?.doubleValue
    }
    let regularizer: Regularizer
    switch className {
    case "L1", "l1":
      guard let l1 = factor("l1", default: 0.01) else { return nil }
      regularizer = Regularizer(l1: l1)
    case "L2", "l2":
      guard let l2 = factor("l2", default: 0.01) else { return nil }
      regularizer = Regularizer(l2: l2)
    case "L1L2", "l1_l2":
      guard let l1 = factor("l1", default: 0), let l2 = factor("l2", default: 0) else { return nil }
      regularizer = Regularizer(l1: l1, l2: l2)
    default:
      return nil
    }
    return regularizer.isValid ? regularizer : nil
  }

  /// A regularizer as Keras 3 serializes it, so that `keras.models.load_model` rebuilds it.
  static func serialized(_ regularizer: Regularizer) -> [String: Any] {
    let config: [String: Any]
    switch regularizer.kerasClassName {
    case "L1": config = ["l1": regularizer.l1]
    case "L2": config = ["l2": regularizer.l2]
    default: config = ["l1": regularizer.l1, "l2": regularizer.l2]
    }
    return [
      "module": "keras.regularizers", "class_name": regularizer.kerasClassName, "config": config,
      "registered_name": NSNull(),
    ]
  }
}
