/// bpkit's activations as ONNX operators.
enum ONNXActivation {
  /// The element-wise activation operators the importer maps onto activations.
  static let importedOperators = [
    "Relu", "Tanh", "Sigmoid", "Softmax", "LeakyRelu", "Elu", "HardSigmoid", "Identity", "Gelu", "Softplus",
    "Softsign", "Selu", "HardSwish", "Exp", "Mish", "LogSoftmax",
  ]

  /// The first opset with an operator computing `activation` after a dense
  /// layer, or `nil` when ONNX has no single operator for it (silu, relu6).
  static func minimumOpset(_ activation: Activation) -> Int? {
    switch activation {
    case .silu, .relu6: nil
    case .gelu, .geluTanh: 20
    case .mish: 18
    case .hardSilu: 14
    default: ONNXFormat.opsets.lowerBound
    }
  }

  /// The operator and its attributes computing `activation` after a dense
  /// layer in `opset`, or `nil` for `linear`, which needs none.
  ///
  /// - Throws: ``ONNXError/cannotExport(detail:)`` when ONNX has no operator
  ///   for it, or only from a later opset.
  static func node(
    for activation: Activation, layer: String, opset: Int
  ) throws(ONNXError) -> (opType: String, attributes: [Onnx_AttributeProto])? {
    guard let minimum = minimumOpset(activation) else {
      throw ONNXError.cannotExport(
        detail: "layer '\(layer)' uses \(activation.name), for which ONNX opsets up to "
          + "\(ONNXFormat.opsets.upperBound) have no operator; export it to Keras (--to keras) instead")
    }
    guard opset >= minimum else {
      throw ONNXError.cannotExport(
        detail: "layer '\(layer)' uses \(activation.name), whose ONNX operator needs opset \(minimum); "
          + "write with --opset \(minimum) or later")
    }
    return switch activation {
    case .linear: nil
    case .sigmoid: ("Sigmoid", [])
    case .tanh: ("Tanh", [])
    case .relu: ("Relu", [])
    case .leakyReLU(let alpha): ("LeakyRelu", [.float("alpha", Float(alpha))])
    case .elu(let alpha): ("Elu", [.float("alpha", Float(alpha))])
    // Softmax over the last axis, as bpkit computes it, for vectors and sequences alike.
    case .softmax: ("Softmax", [.int("axis", -1)])
    // Keras 3's hard_sigmoid: max(0, min(1, x/6 + 1/2)).
    case .hardSigmoid: ("HardSigmoid", [.float("alpha", 1 / 6), .float("beta", 0.5)])
    case .gelu: ("Gelu", [.string("approximate", "none")])
    case .geluTanh: ("Gelu", [.string("approximate", "tanh")])
    case .softplus: ("Softplus", [])
    case .softsign: ("Softsign", [])
    case .selu: ("Selu", [.float("alpha", Float(Activation.seluAlpha)), .float("gamma", Float(Activation.seluScale))])
    // HardSwish is x·max(0, min(1, x/6 + 1/2)), Keras 3's hard_silu.
    case .hardSilu: ("HardSwish", [])
    case .exponential: ("Exp", [])
    case .mish: ("Mish", [])
    case .logSoftmax: ("LogSoftmax", [.int("axis", -1)])
    case .silu, .relu6: nil
    }
  }

  /// The activation an element-wise operator computes, or `nil` when the
  /// operator is not an activation.
  static func activation(opType: String, attributes: [String: Onnx_AttributeProto]) -> Activation? {
    switch opType {
    case "Relu": .relu
    case "Tanh": .tanh
    case "Sigmoid": .sigmoid
    case "Softmax": .softmax
    // ONNX's defaults: LeakyRelu alpha 0.01, Elu alpha 1.
    case "LeakyRelu": .leakyReLU(alpha: decimal(attributes["alpha"]?.f ?? 0.01))
    case "Elu": .elu(alpha: decimal(attributes["alpha"]?.f ?? 1))
    case "HardSigmoid": hardSigmoid(alpha: attributes["alpha"]?.f, beta: attributes["beta"]?.f)
    case "Gelu":
      switch attributes["approximate"].map({ String(decoding: $0.s, as: UTF8.self) }) ?? "none" {
      case "none": .gelu
      case "tanh": .geluTanh
      default: nil
      }
    case "Softplus": .softplus
    case "Softsign": .softsign
    // ONNX's defaults are SELU's constants in Float32; others are not SELU.
    case "Selu":
      (attributes["alpha"]?.f ?? Float(Activation.seluAlpha)) == Float(Activation.seluAlpha)
        && (attributes["gamma"]?.f ?? Float(Activation.seluScale)) == Float(Activation.seluScale) ? .selu : nil
    case "HardSwish": .hardSilu
    case "Exp": .exponential
    case "Mish": .mish
    case "LogSoftmax": .logSoftmax
    default: nil
    }
  }

  /// Why an operator's attributes give no activation bpkit has, for a refusal.
  static func refusal(opType: String) -> String {
    switch opType {
    case "Selu": "its alpha and gamma are not SELU's (1.6732632, 1.050701), the only SELU bpkit has"
    case "Gelu": "its approximate is neither none nor tanh"
    default:
      "its alpha and beta are not those of Keras 3's hard_sigmoid (1/6 and 0.5), the only hard sigmoid bpkit has"
    }
  }

  /// The name of `activation` in the ONNX `RNN` operator's `activations`
  /// list, with its `activation_alpha` and `activation_beta`; `nil` when the
  /// operator has none (softmax, gelu and the other Keras 3 additions but
  /// softsign and softplus).
  static func recurrent(_ activation: Activation) -> (name: String, alpha: Float?, beta: Float?)? {
    switch activation {
    case .tanh: ("Tanh", nil, nil)
    case .relu: ("Relu", nil, nil)
    case .sigmoid: ("Sigmoid", nil, nil)
    // Affine(x) = alpha·x + beta.
    case .linear: ("Affine", 1, 0)
    case .leakyReLU(let alpha): ("LeakyRelu", Float(alpha), nil)
    case .elu(let alpha): ("Elu", Float(alpha), nil)
    case .hardSigmoid: ("HardSigmoid", 1 / 6, 0.5)
    case .softsign: ("Softsign", nil, nil)
    case .softplus: ("Softplus", nil, nil)
    case .softmax, .gelu, .geluTanh, .silu, .selu, .hardSilu, .relu6, .exponential, .mish, .logSoftmax: nil
    }
  }

  /// The activation an `RNN` node's `activations` entry names, with the
  /// operator's defaults (LeakyRelu 0.01, Elu 1); `nil` for those bpkit lacks.
  static func recurrentActivation(name: String, alpha: Float?, beta: Float?) -> Activation? {
    switch name.lowercased() {
    case "tanh": .tanh
    case "relu": .relu
    case "sigmoid": .sigmoid
    case "affine": (alpha ?? 1) == 1 && (beta ?? 0) == 0 ? .linear : nil
    case "leakyrelu": .leakyReLU(alpha: decimal(alpha ?? 0.01))
    case "elu": .elu(alpha: decimal(alpha ?? 1))
    case "hardsigmoid": hardSigmoid(alpha: alpha, beta: beta)
    case "softsign": .softsign
    case "softplus": .softplus
    default: nil
    }
  }

  /// Keras 3's hard_sigmoid is ONNX's HardSigmoid with alpha 1/6 and beta 0.5;
  /// ONNX's defaults (0.2, 0.5, Keras 2's form) and other values are not an activation bpkit has.
  private static func hardSigmoid(alpha: Float?, beta: Float?) -> Activation? {
    alpha == 1 / 6 && (beta ?? 0.5) == 0.5 ? .hardSigmoid : nil
  }

  /// The Double whose shortest decimal is that of `value`: ONNX keeps
  /// attributes in Float32, bpkit keeps alpha in Double, and 0.2 written as
  /// Float32 should read back as 0.2, not 0.20000000298.
  static func decimal(_ value: Float) -> Double {
    Double(String(value)) ?? Double(value)
  }
}
