import Foundation

extension Checkpoint {
  /// Reads a checkpoint from a bpkit JSON checkpoint document.
  ///
  /// - Throws: ``BPKitJSONError`` as ``Model/init(jsonData:)`` does.
  package init(jsonData data: Data) throws(BPKitJSONError) {
    self = Self.checkpoint(from: try BPKitJSON.decodeDocument(data, expecting: .checkpoint))
  }

  /// Reads a checkpoint from a bpkit JSON checkpoint document in a file.
  package init(jsonContentsOf path: String) throws(BPKitJSONError) {
    self = Self.checkpoint(from: try BPKitJSON.decodeDocument(contentsOfFile: path, expecting: .checkpoint))
  }

  private static func checkpoint(from document: BPKitJSON.Document) -> Checkpoint {
    guard case .checkpoint(let checkpoint) = document else { preconditionFailure("decodeDocument checks the kind") }
    return checkpoint
  }

  /// The checkpoint as a bpkit JSON checkpoint document.
  package func jsonData(weights: BPKitJSON.WeightEncoding = .numbers) throws(BPKitJSONError) -> Data {
    try BPKitJSON.encodedData { (writer) throws(BPKitJSONError) in
      try CheckpointJSON.writeDocument(self, encoding: weights, to: writer)
    }
  }

  /// Writes the checkpoint as a bpkit JSON checkpoint document, streamed and
  /// replaced atomically; `options` as for ``Model/writeJSON(toPath:weights:options:)``.
  package func writeJSON(
    toPath path: String, weights: BPKitJSON.WeightEncoding = .numbers, options: FileWriteOptions = .init()
  ) throws {
    try JSONFile.write(toPath: path, options: options) { (output) throws(BPKitJSONError) in
      try CheckpointJSON.writeDocument(self, encoding: weights, to: JSONWriter(output: output))
    }
  }

}
