import HDF5

/// HDF5: a dataset `predictions` of shape [samples, ...outputs], or for
/// argmax `classes` [samples], or for top-k `classes` and `scores` [samples, k].
/// `predictions` and `scores` are float32, or float64 for a float64 model.
final class HDF5PredictionWriter: PredictionWriter {
  private let output: OutputFile
  private let file: HDF5File
  private let outputs: HDF5RowWriter<Float>?
  private let classes: HDF5RowWriter<Int64>?
  private let scores: HDF5RowWriter<Float>?
  private let float64Outputs: HDF5RowWriter<Double>?
  private let float64Scores: HDF5RowWriter<Double>?
  private let mode: PredictionMode
  private let kind: NetworkDescription.OutputKind

  init(
    _ output: OutputFile, mode: PredictionMode, kind: NetworkDescription.OutputKind, classNames: [String]? = nil,
    sampleShape: [Int], dtype: DType = .float32
  ) throws {
    self.output = output
    self.kind = kind
    file = try Self.naming(output) { try HDF5File.create(atPath: try output.creationPath(), overwrite: true) }
    let root = try file.root
    try root.setAttribute("bpkit_kind", to: "predictions")
    // `classes` holds indices; their names, when the model has them, are here.
    if let classNames, mode != .outputs { try root.setAttribute("class_names", to: classNames) }
    self.mode = mode
    let wide = dtype == .float64
    var (outputs, float64Outputs, scores, float64Scores):
      (
        HDF5RowWriter<Float>?, HDF5RowWriter<Double>?, HDF5RowWriter<Float>?, HDF5RowWriter<Double>?
      ) = (nil, nil, nil, nil)
    var classes: HDF5RowWriter<Int64>?
    switch mode {
    case .outputs:
      if wide {
        float64Outputs = try HDF5RowWriter(in: root, name: "predictions", rowShape: sampleShape)
      } else {
        outputs = try HDF5RowWriter(in: root, name: "predictions", rowShape: sampleShape)
      }
    case .argmax:
      classes = try HDF5RowWriter(in: root, name: "classes", rowShape: [])
    case .topK(let k):
      classes = try HDF5RowWriter(in: root, name: "classes", rowShape: [k])
      if wide {
        float64Scores = try HDF5RowWriter(in: root, name: "scores", rowShape: [k])
      } else {
        scores = try HDF5RowWriter(in: root, name: "scores", rowShape: [k])
      }
    }
    (self.outputs, self.float64Outputs, self.classes, self.scores, self.float64Scores) =
      (outputs, float64Outputs, classes, scores, float64Scores)
  }

  func write(outputs values: [Float], count: Int) throws(BPKitError) {
    do {
      try Self.naming(output) { try append(values, count: count) }

    } catch {
      throw BPKitError(error)
    }
  }

  func write(float64Outputs values: [Double], count: Int) throws(BPKitError) {
    do {
      guard outputs == nil && scores == nil else {
        throw EngineError.dtypeMismatch(model: .float64, engine: .float32)
      }
      try Self.naming(output) { try append(values, count: count) }

    } catch {
      throw BPKitError(error)
    }
  }

  private func append<S: HDF5Scalar & BLASScalar>(_ values: [S], count: Int) throws {
    if let outputs = outputs as? HDF5RowWriter<S> ?? float64Outputs as? HDF5RowWriter<S> {
      try outputs.append(values)
      return
    }
    let width = values.count / max(count, 1)
    var classIndices: [Int64] = []
    var classScores: [S] = []
    for sample in 0..<count {
      for (index, score) in mode.ranked(values[sample * width..<(sample + 1) * width], kind: kind) {
        classIndices.append(Int64(index))
        classScores.append(score)
      }
    }
    try classes?.append(classIndices)
    try (scores as? HDF5RowWriter<S> ?? float64Scores as? HDF5RowWriter<S>)?.append(classScores)
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
