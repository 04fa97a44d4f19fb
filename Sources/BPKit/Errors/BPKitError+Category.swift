extension BPKitError {
  /// What kind of failure a ``BPKitError`` is, which decides what a program
  /// can do next; `bpkit`'s exit codes follow it (README, "Exit codes").
  public enum Category: String, Sendable, Hashable, CaseIterable {
    /// A setting or argument the caller gave cannot be honoured (a layer
    /// specification that does not parse, an output that is also an input):
    /// change the call. `bpkit` exits 2.
    case usage
    /// A file or data is not what it must be (damaged, of another kind,
    /// breaking the schema, holding values that are not finite). `bpkit` exits 3.
    case badInput
    /// The file system refused: a missing file, a permission, a full disk, a
    /// failed write. `bpkit` exits 4.
    case io
    /// Training diverged: the loss became NaN or infinite. `bpkit` exits 5.
    case diverged

    /// The exit status `bpkit` gives a failure of this kind.
    public var exitCode: Int32 {
      switch self {
      case .usage: 2
      case .badInput: 3
      case .io: 4
      case .diverged: 5
      }
    }
  }
}
