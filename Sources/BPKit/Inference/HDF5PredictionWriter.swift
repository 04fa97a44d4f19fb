import HDF5

/// HDF5: a dataset `predictions` of shape [samples, ...outputs], or for
/// argmax `classes` [samples], or for top-k `classes` and `scores` [samples, k].
final class HDF5PredictionWriter: PredictionWriter {
  private let output: OutputFile
  private let file: HDF5File
  private let outputs: HDF5RowWriter<Float>?
  private let classes: HDF5RowWriter<Int64>?
  private let scores: HDF5RowWriter<Float>?
  private let mode: PredictionMode
  private let kind: NetworkDescription.OutputKind

  init(
    _ output: OutputFile, mode: PredictionMode, kind: NetworkDescription.OutputKind, classNames: [String]? = nil,
    sampleShape: [Int]
  ) throws {
    self.output = output
    self.kind = kind
    file = try Self.naming(output) { try HDF5File.create(atPath: try output.creationPath(), overwrite: true) }
    let root = try file.root
    try root.setAttribute("bpkit_kind", to: "predictions")
    // `classes` holds indices; their names, when the model has them, are here.
    if let classNames, mode != .outputs { try root.setAttribute("class_names", to: classNames) }
    self.mode = mode
    switch mode {
    case .outputs:
      outputs = try HDF5RowWriter(in: root, name: "predictions", rowShape: sampleShape)
      classes = nil
      scores = nil
    case .argmax:
      outputs = nil
      classes = try HDF5RowWriter(in: root, name: "classes", rowShape: [])
      scores = nil
    case .topK(let k):
      outputs = nil
      classes = try HDF5RowWriter(in: root, name: "classes", rowShape: [k])
      scores = try HDF5RowWriter(in: root, name: "scores", rowShape: [k])
    }
  }

  func write(outputs values: [Float], count: Int) throws(BPKitError) {
    do {
      try Self.naming(output) { try append(values, count: count) }

    } catch {
      throw BPKitError(error)
    }
  }

  private func append(_ values: [Float], count: Int) throws {
    if let outputs {
      try outputs.append(values)
      return
    }
    let width = values.count / max(count, 1)
    var classIndices: [Int64] = []
    var classScores: [Float] = []
    for sample in 0..<count {
      for (index, score) in mode.ranked(values[sample * width..<(sample + 1) * width], kind: kind) {
        classIndices.append(Int64(index))
        classScores.append(score)
      }
    }
    try classes?.append(classIndices)
    try scores?.append(classScores)
  }

  func finish() throws(BPKitError) {
    do {
      try Self.naming(output) { try file.close() }
      try output.commit()

    } catch {
      throw BPKitError(error)
    }
  }

  /// libhdf5's errors name the temporary file: name the output instead.
  private static func naming<R>(_ output: OutputFile, _ body: () throws -> R) throws -> R {
    do {
      return try body()
    } catch let error as HDF5Error {
      let reason =
        error.description.range(of: "No space left on device") != nil ? "No space left on device" : "\(error)"
      throw OutputFileError.failed(file: output.name, operation: "writing it with libhdf5", reason: reason)
    }
  }
}
