import Foundation

/// A safetensors file that bpkit cannot read or write.
///
/// Every case names the file and, where it applies, the tensor, and its
/// description says what to do.
package enum SafetensorsError: Error, Hashable, Sendable, CustomStringConvertible, LocalizedError {
  /// The file does not start with a safetensors header.
  case notSafetensors(file: String, detail: String)
  /// The header declares more bytes than safetensors allows (100 MB) or the file holds.
  case headerTooLarge(file: String, bytes: UInt64, limit: Int)
  /// The header is not the JSON object safetensors specifies.
  case invalidHeader(file: String, detail: String)
  /// A tensor's entry is inconsistent: dtype, shape and byte range disagree.
  case invalidTensor(file: String, name: String, detail: String)
  /// The tensors' byte ranges overlap, leave gaps, or do not fill the data.
  case invalidLayout(file: String, detail: String)
  /// A plain state_dict was given without the network it belongs to.
  case needsLayers(file: String)
  /// A tensor the network needs is absent.
  case missingTensor(file: String, name: String, layer: String)
  /// Tensors the network does not use.
  case unexpectedTensors(file: String, names: [String])
  /// A tensor has another shape than the network needs.
  case shapeMismatch(file: String, name: String, layer: String, expected: [Int], found: [Int])
  /// A layer that PyTorch's modules cannot express; `detail` says why and what to do.
  case unsupportedLayer(file: String, layer: String, detail: String)

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    switch self {
    case .notSafetensors(let file, let detail):
      "\(file): not a safetensors file (\(detail))"
    case .headerTooLarge(let file, let bytes, let limit):
      "\(file): the safetensors header declares \(bytes) bytes; safetensors allows \(limit) and the file must hold them"
    case .invalidHeader(let file, let detail):
      "\(file): the safetensors header is invalid: \(detail)"
    case .invalidTensor(let file, let name, let detail):
      "\(file): tensor '\(name)' is invalid: \(detail)"
    case .invalidLayout(let file, let detail):
      "\(file): the tensors' data is not laid out as safetensors requires: \(detail)"
    case .needsLayers(let file):
      "\(file): a PyTorch state_dict holds weights but not the network; convert it with --layers "
        + "(for example `bpkit convert \(file) model.h5 --layers 4,8:relu,3:softmax`), as Schemas/PYTORCH.md describes"
    case .missingTensor(let file, let name, let layer):
      "\(file): tensor '\(name)' for layer '\(layer)' is missing; check --layers against the state_dict's names"
    case .unexpectedTensors(let file, let names):
      "\(file): the network given does not use \(names.count == 1 ? "tensor" : "tensors") "
        + names.map { "'\($0)'" }.joined(separator: ", ") + "; check --layers against the state_dict's names"
    case .shapeMismatch(let file, let name, let layer, let expected, let found):
      "\(file): tensor '\(name)' has shape \(found); layer '\(layer)' needs \(expected); check --layers"
    case .unsupportedLayer(let file, let layer, let detail):
      "\(file): layer '\(layer)' \(detail)"
    }
  }

  /// The same line as `description`, for `LocalizedError`.
  package var errorDescription: String? { description }
}
