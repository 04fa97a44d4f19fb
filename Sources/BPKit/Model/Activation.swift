/// An activation function applied element-wise (softmax: along the last axis).
///
/// In JSON an activation without parameters is a string (`"relu"`); one with
/// parameters is an object (`{"name": "leaky_relu", "alpha": 0.3}`).
public enum Activation: Hashable, Sendable {
  /// f(x) = x
  case linear
  /// f(x) = 1 / (1 + e^-x)
  case sigmoid
  /// f(x) = tanh x
  case tanh
  /// f(x) = max(0, x)
  case relu
  /// f(x) = x for x > 0, alpha·x otherwise (Keras' default alpha is 0.2 in
  /// `keras.activations.leaky_relu`, 0.3 in the old `LeakyReLU` layer).
  case leakyReLU(alpha: Double)
  /// f(x) = x for x > 0, alpha·(e^x − 1) otherwise.
  case elu(alpha: Double)
  /// f(x)_i = e^x_i / Σ_j e^x_j over the last axis.
  case softmax
  /// f(x) = max(0, min(1, x/6 + 1/2)), Keras 3's `hard_sigmoid` (`relu6(x + 3) / 6`),
  /// a recurrent activation Keras offers for LSTM and GRU gates.
  case hardSigmoid
  /// f(x) = x·Φ(x) = x/2·(1 + erf(x/√2)), Keras' `gelu` (format 1.4).
  case gelu
  /// f(x) = x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³))), the tanh approximation of
  /// GELU (Keras' `gelu(x, approximate=True)`, PyTorch's `approximate="tanh"`) (format 1.4).
  case geluTanh
  /// f(x) = x·σ(x), Keras' `silu` (also named `swish`) (format 1.4).
  case silu
  /// f(x) = log(1 + e^x) (format 1.4).
  case softplus
  /// f(x) = x / (1 + |x|) (format 1.4).
  case softsign
  /// f(x) = λ·x for x > 0, λ·α·(e^x − 1) otherwise, with Keras' λ ≈ 1.0507 and
  /// α ≈ 1.6733 (Klambauer et al., 2017) (format 1.4).
  case selu
  /// f(x) = x·max(0, min(1, x/6 + 1/2)), Keras' `hard_silu` (also named
  /// `hard_swish`) (format 1.4).
  case hardSilu
  /// f(x) = min(max(0, x), 6) (format 1.4).
  case relu6
  /// f(x) = e^x (format 1.4).
  case exponential
  /// f(x) = x·tanh(log(1 + e^x)) (Misra, 2019) (format 1.4).
  case mish
  /// f(x)_i = x_i − log Σ_j e^x_j over the last axis (format 1.4).
  case logSoftmax

  /// Every activation, with default parameters, for tests that cover them all.
  public static let allDefaults: [Activation] = [
    .linear, .sigmoid, .tanh, .relu, .leakyReLU(alpha: 0.2), .elu(alpha: 1), .softmax, .hardSigmoid, .gelu,
    .geluTanh, .silu, .softplus, .softsign, .selu, .hardSilu, .relu6, .exponential, .mish, .logSoftmax,
  ]

  /// The name used in files, `--layers` and Keras: `linear`, `sigmoid`,
  /// `tanh`, `relu`, `leaky_relu`, `elu`, `softmax`, `hard_sigmoid`, `gelu`,
  /// `gelu_tanh`, `silu`, `softplus`, `softsign`, `selu`, `hard_silu`,
  /// `relu6`, `exponential`, `mish`, `log_softmax`.
  public var name: String {
    switch self {
    case .linear: "linear"
    case .sigmoid: "sigmoid"
    case .tanh: "tanh"
    case .relu: "relu"
    case .leakyReLU: "leaky_relu"
    case .elu: "elu"
    case .softmax: "softmax"
    case .hardSigmoid: "hard_sigmoid"
    case .gelu: "gelu"
    case .geluTanh: "gelu_tanh"
    case .silu: "silu"
    case .softplus: "softplus"
    case .softsign: "softsign"
    case .selu: "selu"
    case .hardSilu: "hard_silu"
    case .relu6: "relu6"
    case .exponential: "exponential"
    case .mish: "mish"
    case .logSoftmax: "log_softmax"
    }
  }

  /// The parameter of `leaky_relu` and `elu`, or `nil`.
  public var alpha: Double? {
    switch self {
    case .leakyReLU(let alpha), .elu(let alpha): alpha
    default: nil
    }
  }

  /// Creates an activation from its name and optional parameter. Keras'
  /// other names `swish` and `hard_swish` give `silu` and `hard_silu`.
  ///
  /// - Returns: `nil` when the name is unknown.
  public init?(name: String, alpha: Double? = nil) {
    switch name {
    case "linear": self = .linear
    case "sigmoid": self = .sigmoid
    case "tanh": self = .tanh
    case "relu": self = .relu
    case "leaky_relu": self = .leakyReLU(alpha: alpha ?? 0.2)
    case "elu": self = .elu(alpha: alpha ?? 1)
    case "softmax": self = .softmax
    case "hard_sigmoid": self = .hardSigmoid
    case "gelu": self = .gelu
    case "gelu_tanh": self = .geluTanh
    case "silu", "swish": self = .silu
    case "softplus": self = .softplus
    case "softsign": self = .softsign
    case "selu": self = .selu
    case "hard_silu", "hard_swish": self = .hardSilu
    case "relu6": self = .relu6
    case "exponential": self = .exponential
    case "mish": self = .mish
    case "log_softmax": self = .logSoftmax
    default: return nil
    }
  }

  /// The names `init(name:alpha:)` accepts (Keras' aliases `swish` and `hard_swish` aside).
  public static let names = allDefaults.map(\.name)

  /// Whether the activation works along the last axis (softmax, log_softmax)
  /// rather than element by element.
  var isRowWise: Bool { self == .softmax || self == .logSoftmax }
}

extension Activation: Codable {
  private enum CodingKeys: String, CodingKey { case name, alpha }

  /// Decodes the value from its JSON form in the network description (see <doc:CheckpointFormat>).
  public init(from decoder: any Decoder) throws {
    let name: String
    var alpha: Double?
    if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
      name = text
    } else {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      name = try container.decode(String.self, forKey: .name)
      alpha = try container.decodeIfPresent(Double.self, forKey: .alpha)
      // An alpha on an activation without one is a mistake to report, not to drop.
      if alpha != nil, name != "leaky_relu", name != "elu" {
        throw DecodingError.dataCorruptedError(
          forKey: .alpha, in: container, debugDescription: "only leaky_relu and elu take alpha, not \(name)")
      }
    }
    guard let activation = Activation(name: name, alpha: alpha) else {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: decoder.codingPath,
          debugDescription: "unknown activation '\(name)'; expected one of \(Activation.names.joined(separator: ", "))"
        ))
    }
    self = activation
  }

  /// Encodes the value in the JSON form of the network description (see <doc:CheckpointFormat>).
  public func encode(to encoder: any Encoder) throws {
    if let alpha {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(name, forKey: .name)
      try container.encode(alpha, forKey: .alpha)
    } else {
      var container = encoder.singleValueContainer()
      try container.encode(name)
    }
  }
}
