/// The state of bpkit's random number generator (xoshiro256**): four words.
public struct RandomState: Codable, Hashable, Sendable {
  /// The generator's four state words.
  public var words: [UInt64]

  /// Creates a state from its words.
  public init(words: [UInt64]) {
    self.words = words
  }
}
