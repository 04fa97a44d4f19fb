import Foundation

/// A Keras file that bpkit cannot import or write.
package enum KerasError: Error, Hashable, Sendable, CustomStringConvertible, LocalizedError {
  /// The file is neither a Keras legacy HDF5 model nor a Keras 3 `.keras` archive.
  case notKerasModel(file: String, detail: String)
  /// The model holds layers bpkit does not have: each as `name (ClassName)`,
  /// with why when the class is known but a setting is not.
  case unsupportedLayers(file: String, layers: [String])
  /// The model is not a `Sequential` one.
  case unsupportedModelClass(file: String, className: String)
  /// The model's configuration is not what Keras writes.
  case invalidConfiguration(file: String, detail: String)
  /// A layer's weights are missing or have another shape than its configuration implies.
  case invalidWeights(file: String, layer: String, detail: String)
  /// A member of a `.keras` archive is refused by the opening policy (see <doc:LoadingFiles>).
  case refusedMember(file: String, member: String, detail: String)
  /// The model cannot be written in Keras' formats.
  case cannotExport(detail: String)
  /// The file cannot be read or written.
  case io(file: String, detail: String)

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    switch self {
    case .notKerasModel(let file, let detail):
      "\(file): not a Keras model file (\(detail))"
    case .unsupportedLayers(let file, let layers):
      "\(file): bpkit cannot import \(layers.count == 1 ? "this layer" : "these layers"): "
        + layers.joined(separator: "; ")
        + ". bpkit supports Sequential models of InputLayer, Dense, SimpleRNN, Activation, ReLU, LeakyReLU, ELU, "
        + "Softmax, Dropout and Normalization"
    case .unsupportedModelClass(let file, let className):
      "\(file): the model is a Keras \(className); bpkit imports Sequential models only"
    case .invalidConfiguration(let file, let detail):
      "\(file): the Keras model configuration cannot be read: \(detail)"
    case .invalidWeights(let file, let layer, let detail):
      "\(file): the weights of Keras layer '\(layer)' do not fit its configuration: \(detail)"
    case .refusedMember(let file, let member, let detail):
      "\(file): its member \(member) cannot be opened safely: \(detail)"
    case .cannotExport(let detail):
      "cannot write this model in Keras' format: \(detail)"
    case .io(let file, let detail):
      "cannot read or write '\(file)': \(detail)"
    }
  }

  /// The same line as `description`, for `LocalizedError`.
  package var errorDescription: String? { description }
}
