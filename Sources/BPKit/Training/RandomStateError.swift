/// A saved random state that cannot be restored.
package enum RandomStateError: Error, Hashable, Sendable, CustomStringConvertible {
  /// xoshiro256** needs exactly four words.
  case wrongWordCount(Int)
  /// All four words are zero, a state the generator never reaches.
  case allZero

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    switch self {
    case .wrongWordCount(let count): "a random state has 4 words, this one has \(count)"
    case .allZero: "the random state is all zeros, which xoshiro256** never produces; the file is damaged"
    }
  }
}
