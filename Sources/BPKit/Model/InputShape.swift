/// The shape of one sample entering a network.
public enum InputShape: Hashable, Sendable {
  /// A vector of `features` numbers, for dense networks.
  case vector(features: Int)
  /// A sequence of `steps` vectors of `features` numbers ([steps, features]),
  /// for recurrent networks; `steps` is `nil` when any length is accepted.
  case sequence(steps: Int?, features: Int)

  /// The number of numbers per sample (per time step, for sequences).
  public var features: Int {
    switch self {
    case .vector(let features), .sequence(_, let features): features
    }
  }

  /// Whether samples are sequences.
  public var isSequence: Bool {
    if case .sequence = self { return true }
    return false
  }
}

extension InputShape: Codable {
  private enum CodingKeys: String, CodingKey { case features, steps, sequence }

  /// Decodes the value from its JSON form in the network description (see <doc:CheckpointFormat>).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let features = try container.decode(Int.self, forKey: .features)
    if try container.decodeIfPresent(Bool.self, forKey: .sequence) == true {
      self = .sequence(steps: try container.decodeIfPresent(Int.self, forKey: .steps), features: features)
    } else {
      self = .vector(features: features)
    }
  }

  /// Encodes the value in the JSON form of the network description (see <doc:CheckpointFormat>).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(features, forKey: .features)
    if case .sequence(let steps, _) = self {
      try container.encode(true, forKey: .sequence)
      try container.encode(steps, forKey: .steps)
    }
  }
}
