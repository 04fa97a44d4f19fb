extension ONNXFormat {
  /// What importing the file takes that the file itself does not say, one
  /// sentence each, for a program to tell its user: a `Dropout` node that
  /// gives no ratio is imported with ONNX's default 0.5 (which matters only
  /// for training), and DOUBLE weights are rounded to Float32.
  ///
  /// - Throws: ``BPKitError`` when the file cannot be read as an ONNX model.
  public static func readingNotes(ofFileAtPath path: String) throws(BPKitError) -> [String] {
    do {
      let graph = try ONNXModelFile.read(path).model.graph
      var notes: [String] = []
      for node in graph.node where node.opType == "Dropout" {
        let hasRatio =
          node.attribute.contains { $0.name == "ratio" } || (node.input.count > 1 && !node.input[1].isEmpty)
        guard !hasRatio else { continue }
        let name = node.name.isEmpty ? node.output.first ?? "?" : node.name
        notes.append(
          "\(path): Dropout node '\(name)' gives no ratio; it is imported with ONNX's default rate 0.5, which "
            + "matters only if the model is trained")
      }
      if graph.initializer.contains(where: { $0.dataType == Int32(Onnx_TensorProto.DataType.double.rawValue) }) {
        notes.append("\(path): DOUBLE tensors are rounded to Float32, as bpkit stores ONNX weights")
      }
      return notes

    } catch {
      throw BPKitError(error)
    }
  }
}
