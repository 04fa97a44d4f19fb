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

  /// Every activation, with default parameters, for tests that cover them all.
  public static let allDefaults: [Activation] = [
    .linear, .sigmoid, .tanh, .relu, .leakyReLU(alpha: 0.2), .elu(alpha: 1), .softmax, .hardSigmoid,
  ]

  /// The name used in files, `--layers` and Keras: `linear`, `sigmoid`,
  /// `tanh`, `relu`, `leaky_relu`, `elu`, `softmax`, `hard_sigmoid`.
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
    }
  }

  /// The parameter of `leaky_relu` and `elu`, or `nil`.
  public var alpha: Double? {
    switch self {
    case .leakyReLU(let alpha), .elu(let alpha): alpha
    default: nil
    }
  }

  /// Creates an activation from its name and optional parameter.
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
    default: return nil
    }
  }

  /// The names `init(name:alpha:)` accepts.
  public static let names = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softmax", "hard_sigmoid"]
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
