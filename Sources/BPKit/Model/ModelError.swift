/// A network description or a set of weights that cannot be used.
package enum ModelError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The network has no layers.
  case noLayers
  /// Two layers share a name.
  case duplicateLayerName(String)
  /// A layer name is empty or contains `/`, which file paths cannot hold.
  case invalidLayerName(String)
  /// A size (units, features, steps) is zero or negative.
  case invalidSize(layer: String, what: String, value: Int)
  /// A size, or a weight's element count, exceeds what bpkit allocates (``NetworkDescription/maximumSize``,
  /// ``NetworkDescription/maximumElements``).
  case sizeTooLarge(layer: String, what: String, value: Int, limit: Int)
  /// A recurrent layer (Elman, LSTM, GRU) receives vectors: it needs a sequence input [steps, features].
  case sequenceInputRequired(layer: String)
  /// An activation parameter is not a finite number.
  case invalidActivationParameter(layer: String, activation: String)
  /// A dropout rate outside [0, 1).
  case invalidDropoutRate(layer: String, rate: Double)
  /// A weight the description declares is absent.
  case missingParameter(ParameterKey)
  /// A weight is present that the description does not declare.
  case unexpectedParameter(ParameterKey)
  /// A weight's shape differs from the one the description declares.
  case parameterShapeMismatch(ParameterKey, expected: [Int], actual: [Int])
  /// Feature or class names that do not fit the network.
  case invalidNames(String)
  /// A regularizer (Keras' setting name `setting`) with a factor that is not
  /// a finite number of at least 0, or on a weight the layer does not have.
  case invalidRegularizer(layer: String, setting: String, reason: String)
  /// Weights of one precision given to a model of the other.
  case dtypeMismatch(model: DType, given: DType)

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    switch self {
    case .noLayers:
      "the network has no layers; add at least one"
    case .duplicateLayerName(let name):
      "two layers are named '\(name)'; layer names must be unique"
    case .invalidLayerName(let name):
      "layer name '\(name)' is empty or contains '/'"
    case .sizeTooLarge(let layer, let what, let value, let limit):
      "layer '\(layer)': \(what) \(value) is more than bpkit's limit of \(limit)"
    case .invalidSize(let layer, let what, let value):
      "layer '\(layer)' has \(what) \(value); it must be at least 1"
    case .sequenceInputRequired(let layer):
      "recurrent layer '\(layer)' receives vectors; it needs sequences [steps, features] (set return_sequences on the "
        + "recurrent layer before it, or give the network a sequence input)"
    case .invalidActivationParameter(let layer, let activation):
      "layer '\(layer)' has a non-finite parameter for activation \(activation)"
    case .invalidDropoutRate(let layer, let rate):
      "dropout layer '\(layer)' has rate \(rate); a rate is at least 0 and below 1"
    case .missingParameter(let key):
      "weight '\(key)' is missing"
    case .unexpectedParameter(let key):
      "weight '\(key)' is not part of the network description"
    case .dtypeMismatch(let model, let given):
      "the model is \(model) and the weight given is \(given); convert the model first with "
        + "converted(to: .\(given)) (bpkit convert --dtype \(given))"
    case .invalidNames(let reason):
      "the model's names do not fit its network: \(reason)"
    case .parameterShapeMismatch(let key, let expected, let actual):
      "weight '\(key)' has shape \(actual), but the network description needs \(expected)"
    case .invalidRegularizer(let layer, let setting, let reason):
      "layer '\(layer)': \(setting) \(reason)"
    }
  }
}
