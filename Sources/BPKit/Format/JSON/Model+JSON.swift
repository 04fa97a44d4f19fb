import Foundation

extension Model {
  /// Reads a model from a bpkit JSON model document.
  ///
  /// - Throws: ``BPKitJSONError``: `invalidSyntax` with a line and column,
  ///   `schemaViolation` with the JSONPath of the offending value, or
  ///   `wrongDocumentKind` for a checkpoint.
  package init(jsonData data: Data) throws(BPKitJSONError) {
    self = Self.model(from: try BPKitJSON.decodeDocument(data, expecting: .model))
  }

  /// Reads a model from a bpkit JSON model document in a file, which is
  /// mapped rather than loaded, so only the weights take memory.
  package init(jsonContentsOf path: String) throws(BPKitJSONError) {
    self = Self.model(from: try BPKitJSON.decodeDocument(contentsOfFile: path, expecting: .model))
  }

  private static func model(from document: BPKitJSON.Document) -> Model {
    guard case .model(let model) = document else { preconditionFailure("decodeDocument checks the kind") }
    return model
  }

  /// The model as a bpkit JSON model document.
  ///
  /// - Parameter weights: How tensors are written; numbers by default.
  package func jsonData(weights: BPKitJSON.WeightEncoding = .numbers) throws(BPKitJSONError) -> Data {
    try BPKitJSON.encodedData { (writer) throws(BPKitJSONError) in
      try ModelJSON.writeDocument(self, encoding: weights, to: writer)
    }
  }

  /// Writes the model as a bpkit JSON model document, streaming it to the
  /// file (no copy of the weights is made) and replacing the file atomically.
  ///
  /// - Parameters:
  ///   - path: The destination; its folder must exist.
  ///   - weights: How tensors are written; numbers by default.
  ///   - options: Whether the write is made durable with `fsync` (the default),
  ///     and the inputs it must not replace.
  /// - Throws: ``OutputFileError`` when the destination is refused;
  ///   ``BPKitJSONError/unwritable(file:reason:)`` when writing fails, the
  ///   previous file, if any, then unchanged.
  package func writeJSON(
    toPath path: String, weights: BPKitJSON.WeightEncoding = .numbers, options: FileWriteOptions = .init()
  ) throws {
    try JSONFile.write(toPath: path, options: options) { (output) throws(BPKitJSONError) in
      try ModelJSON.writeDocument(self, encoding: weights, to: JSONWriter(output: output))
    }
  }

}
