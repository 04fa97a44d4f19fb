import Foundation

/// An ONNX file that bpkit cannot import or write.
///
/// Every case names the file and, where it applies, the graph node or tensor
/// at fault, and its description says what to do.
package enum ONNXError: Error, Hashable, Sendable, CustomStringConvertible, LocalizedError {
  /// The file is not an ONNX model (its protobuf cannot be parsed as one).
  case notONNXModel(file: String, detail: String)
  /// A node's operator is not one bpkit maps onto its layers.
  case unsupportedOperator(file: String, opType: String, node: String)
  /// A node uses a supported operator in a way bpkit's layers cannot express.
  case unsupportedNode(file: String, opType: String, node: String, detail: String)
  /// The graph as a whole is not a chain of layers bpkit has.
  case unsupportedGraph(file: String, detail: String)
  /// A tensor's data or shape is not what its declaration says.
  case invalidTensor(file: String, name: String, detail: String)
  /// The file's bpkit metadata (feature or class names) does not fit its network.
  case invalidMetadata(file: String, detail: String)
  /// The opset asked for is outside the range bpkit writes.
  case unsupportedOpset(Int)
  /// The model cannot be written as ONNX.
  case cannotExport(detail: String)
  /// The file cannot be read or written.
  case io(file: String, detail: String)

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    switch self {
    case .notONNXModel(let file, let detail):
      "\(file): not an ONNX model (\(detail)); bpkit reads ONNX models in protobuf form"
    case .unsupportedOperator(let file, let opType, let node):
      "\(file): node '\(node)' uses the ONNX operator \(opType), which bpkit cannot import; bpkit imports "
        + "chains of Gemm/MatMul+Add, RNN, LSTM, GRU, activations (\(ONNXActivation.importedOperators.joined(separator: ", "))) "
        + "and Sub/Div standardization, with the shape operators exporters put around them"
    case .unsupportedNode(let file, let opType, let node, let detail):
      "\(file): node '\(node)' (\(opType)) cannot be imported: \(detail)"
    case .unsupportedGraph(let file, let detail):
      "\(file): the graph cannot be imported as a bpkit network: \(detail)"
    case .invalidTensor(let file, let name, let detail):
      "\(file): tensor '\(name)' is invalid: \(detail)"
    case .invalidMetadata(let file, let detail):
      "\(file): the bpkit metadata is invalid: \(detail); remove the metadata_props entry or correct it"
    case .unsupportedOpset(let opset):
      "opset \(opset) is not supported; bpkit writes ONNX opsets \(ONNXFormat.opsets.lowerBound) to "
        + "\(ONNXFormat.opsets.upperBound) (default \(ONNXFormat.defaultOpset))"
    case .cannotExport(let detail):
      "cannot write this model as ONNX: \(detail)"
    case .io(let file, let detail):
      "cannot read or write '\(file)': \(detail)"
    }
  }

  /// The same line as `description`, for `LocalizedError`.
  package var errorDescription: String? { description }
}
