import Foundation

extension ONNXFormat {
  /// What importing the file takes that the file itself does not say, one
  /// sentence each, for a program to tell its user: a `Dropout` node that
  /// gives no ratio is imported with ONNX's default 0.5 (which matters only
  /// for training), and DOUBLE weights are rounded to Float32 when the model
  /// is not imported as a float64 model (weights of other types beside them,
  /// or recurrent layers, which bpkit imports in Float32).
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
      // A DOUBLE graph whose weights all come through exact is a float64
      // model; a note only where the import does round.
      if graph.initializer.contains(where: { $0.dataType == ONNXElementType.double.rawValue }),
        try Model(onnxContentsOf: URL(fileURLWithPath: path)).dtype == .float32
      {
        notes.append(
          "\(path): DOUBLE tensors are rounded to Float32: bpkit imports a DOUBLE graph as a float64 model only "
            + "when every weight is DOUBLE and every layer is dense, standardize or dropout")
      }
      return notes

    } catch {
      throw BPKitError(error)
    }
  }
}
