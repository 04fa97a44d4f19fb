/// A `--layers` specification that cannot be read.
package enum LayerSpecificationError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The specification is empty.
  case empty
  /// The first entry is not an input width or steps×features.
  case invalidInput(String)
  /// Only the input is given.
  case noLayers
  /// Entry `position` (1 for the first layer after the input) cannot be read.
  case invalidLayer(position: Int, entry: String, reason: String)
  /// The entries read, but do not make a working network.
  case invalidNetwork(ModelError)
  /// Entry `position`, a recurrent layer (Elman, LSTM, GRU), receives vectors:
  /// from the input, or from the recurrent layer `previous` that lacks `:seq`.
  case vectorsIntoElman(position: Int, entry: String, previous: String?)

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    switch self {
    case .empty:
      "the layer specification is empty; write the input width, then the layers, e.g. '784,128:relu,10:softmax'"
    case .invalidInput(let entry):
      "the first entry '\(entry)' must be the input: a width such as 784, or steps x features such as 32x16"
    case .noLayers:
      "the layer specification has an input but no layers; add at least one, e.g. ',10:softmax'"
    case .invalidLayer(let position, let entry, let reason):
      "layer \(position) '\(entry)': \(reason)"
    case .vectorsIntoElman(let position, let entry, let previous?):
      "layer \(position) '\(entry)' is \(Self.kind(entry)) after '\(previous)', which passes on only its last step; "
        + "write '\(previous):seq' to pass on every step"
    case .vectorsIntoElman(let position, let entry, nil):
      "layer \(position) '\(entry)' is \(Self.kind(entry)), which needs sequences, but it receives vectors; make the "
        + "input a sequence (STEPSxFEATURES such as 32x16, or ?xFEATURES for any length)"
    case .invalidNetwork(let error):
      "the layers do not make a working network: \(error)"
    }
  }

  /// "an Elman layer", "an LSTM layer" or "a GRU layer", from the entry's prefix.
  private static func kind(_ entry: String) -> String {
    entry.hasPrefix("lstm") ? "an LSTM layer" : entry.hasPrefix("gru") ? "a GRU layer" : "an Elman layer"
  }
}
