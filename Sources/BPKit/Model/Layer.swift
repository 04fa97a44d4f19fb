/// One layer of a network: a unique name and what the layer does.
///
/// The name is the key of the layer's weights in files (`/weights/<name>/kernel`).
public struct Layer: Hashable, Sendable {
  /// The layer's name, unique within its network.
  public var name: String
  /// What the layer computes.
  public var kind: LayerKind

  /// Creates a layer.
  public init(name: String, kind: LayerKind) {
    self.name = name
    self.kind = kind
  }
}

/// What a layer computes.
///
/// Weight layouts follow Keras, so that imported models need no transposes:
/// `kernel` is [inputs, units], `recurrent_kernel` [units, units], `bias` [units].
public enum LayerKind: Hashable, Sendable {
  /// y = act(x·W + b). Applied to each time step when its input is a sequence.
  case dense(units: Int, activation: Activation, useBias: Bool)
  /// An Elman (simple recurrent) layer: h_t = act(x_t·W + h_{t−1}·U + b),
  /// h_0 = 0. Returns every h_t ([steps, units]) when `returnSequences`,
  /// else the last one ([units]).
  case elman(units: Int, activation: Activation, useBias: Bool, returnSequences: Bool)
  /// y = (x − mean) / std per feature, with `mean` and `std` stored as the
  /// layer's non-trainable weights, so inference applies the training scaling.
  case standardize

  /// The kind's name in files: `dense`, `elman`, `standardize`.
  public var typeName: String {
    switch self {
    case .dense: "dense"
    case .elman: "elman"
    case .standardize: "standardize"
    }
  }

  /// The layer's activation, or `nil` for layers without one.
  public var activation: Activation? {
    switch self {
    case .dense(_, let activation, _), .elman(_, let activation, _, _): activation
    case .standardize: nil
    }
  }
}

extension Layer: Codable {
  private enum CodingKeys: String, CodingKey {
    case name, type, units, activation
    case useBias = "use_bias"
    case returnSequences = "return_sequences"
  }

  /// Decodes the value from its JSON form in the network description (see <doc:CheckpointFormat>).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    name = try container.decode(String.self, forKey: .name)
    let type = try container.decode(String.self, forKey: .type)
    switch type {
    case "dense":
      kind = .dense(
        units: try container.decode(Int.self, forKey: .units),
        activation: try container.decodeIfPresent(Activation.self, forKey: .activation) ?? .linear,
        useBias: try container.decodeIfPresent(Bool.self, forKey: .useBias) ?? true)
    case "elman":
      kind = .elman(
        units: try container.decode(Int.self, forKey: .units),
        activation: try container.decodeIfPresent(Activation.self, forKey: .activation) ?? .tanh,
        useBias: try container.decodeIfPresent(Bool.self, forKey: .useBias) ?? true,
        returnSequences: try container.decodeIfPresent(Bool.self, forKey: .returnSequences) ?? false)
    case "standardize":
      kind = .standardize
    default:
      throw DecodingError.dataCorruptedError(
        forKey: .type, in: container,
        debugDescription: "unknown layer type '\(type)' in layer '\(name)'; expected dense, elman or standardize")
    }
  }

  /// Encodes the value in the JSON form of the network description (see <doc:CheckpointFormat>).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(name, forKey: .name)
    try container.encode(kind.typeName, forKey: .type)
    switch kind {
    case .dense(let units, let activation, let useBias):
      try container.encode(units, forKey: .units)
      try container.encode(activation, forKey: .activation)
      try container.encode(useBias, forKey: .useBias)
    case .elman(let units, let activation, let useBias, let returnSequences):
      try container.encode(units, forKey: .units)
      try container.encode(activation, forKey: .activation)
      try container.encode(useBias, forKey: .useBias)
      try container.encode(returnSequences, forKey: .returnSequences)
    case .standardize:
      break
    }
  }
}
