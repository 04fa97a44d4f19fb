import BPKit
import Foundation
import HDF5

/// Writes predictions in one of the supported formats, a batch at a time.
protocol PredictionWriter: AnyObject {
  /// Writes `count` samples' outputs (`outputs.count / count` values each).
  func write(outputs: [Float], count: Int) throws
  /// Completes the output (closing brackets, flushing, closing files).
  func finish() throws
}

/// Text output, written batch by batch through an ``OutputFile``: into standard
/// output or a device as it comes, into a file replaced only once complete.
final class TextSink {
  private let output: OutputFile
  private var pending = ""

  init(_ output: OutputFile) {
    self.output = output
  }

  func append(_ text: String) { pending += text }

  /// Writes what has been appended.
  func flush() throws {
    guard !pending.isEmpty else { return }
    try output.write(pending)
    pending.removeAll(keepingCapacity: true)
  }

  /// Writes the rest and makes the output complete.
  func close() throws {
    try flush()
    try output.commit()
  }
}

/// Classes as text: the model's class name, or the index.
enum ClassText {
  static func csv(_ index: Int, _ names: [String]?) -> String {
    names.flatMap { $0.indices.contains(index) ? $0[index] : nil } ?? "\(index)"
  }

  static func json(_ index: Int, _ names: [String]?) -> String {
    guard let names, names.indices.contains(index) else { return "\(index)" }
    let data = try? JSONSerialization.data(withJSONObject: names[index], options: [.fragmentsAllowed])
    return data.map { String(decoding: $0, as: UTF8.self) } ?? "\(index)"
  }
}

/// Numbers as text: shortest round-trip decimal, `null` for non-finite values in JSON.
enum NumberText {
  static func csv(_ value: Float) -> String { "\(value)" }
  static func json(_ value: Float) -> String { value.isFinite ? "\(value)" : "null" }
}

/// CSV with a header: `y0,y1,...` for outputs, `class` for argmax,
/// `class1,score1,...` for top-k.
final class CSVPredictionWriter: PredictionWriter {
  private let sink: TextSink
  private let mode: PredictionMode
  private let kind: NetworkDescription.OutputKind
  private let classNames: [String]?
  private var wroteHeader = false

  init(sink: TextSink, mode: PredictionMode, kind: NetworkDescription.OutputKind, classNames: [String]? = nil) {
    self.sink = sink
    self.mode = mode
    self.kind = kind
    self.classNames = classNames
  }

  func write(outputs: [Float], count: Int) throws {
    let width = outputs.count / max(count, 1)
    if !wroteHeader {
      sink.append(header(width: width) + "\n")
      wroteHeader = true
    }
    for sample in 0..<count {
      let row = outputs[sample * width..<(sample + 1) * width]
      let fields: [String] =
        mode == .outputs
        ? row.map(NumberText.csv)
        : mode.ranked(row, kind: kind).flatMap {
          mode == .argmax
            ? [ClassText.csv($0.index, classNames)] : [ClassText.csv($0.index, classNames), NumberText.csv($0.score)]
        }
      sink.append(fields.joined(separator: ",") + "\n")
    }
    try sink.flush()
  }

  func finish() throws {
    if !wroteHeader { sink.append(header(width: 0) + "\n") }
    try sink.close()
  }

  private func header(width: Int) -> String {
    switch mode {
    case .outputs: (0..<width).map { "y\($0)" }.joined(separator: ",")
    case .argmax: "class"
    case .topK(let k): (1...max(k, 1)).map { "class\($0),score\($0)" }.joined(separator: ",")
    }
  }
}

/// JSON: one array of rows (`json`) or one row per line (`jsonl`).
/// A row is an array of outputs, a class index, or `[{"class": i, "score": s}, ...]`.
final class JSONPredictionWriter: PredictionWriter {
  private let sink: TextSink
  private let mode: PredictionMode
  private let kind: NetworkDescription.OutputKind
  private let classNames: [String]?
  private let lines: Bool
  private var rowsWritten = 0
  /// The shape of one output sample, so sequence outputs nest as [steps][units].
  private let sampleShape: [Int]

  init(
    sink: TextSink, mode: PredictionMode, kind: NetworkDescription.OutputKind, classNames: [String]? = nil,
    lines: Bool, sampleShape: [Int]
  ) {
    self.sink = sink
    self.mode = mode
    self.kind = kind
    self.classNames = classNames
    self.lines = lines
    self.sampleShape = sampleShape
  }

  func write(outputs: [Float], count: Int) throws {
    let width = outputs.count / max(count, 1)
    for sample in 0..<count {
      let row = outputs[sample * width..<(sample + 1) * width]
      let text: String
      switch mode {
      case .outputs: text = nested(row)
      case .argmax: text = ClassText.json(mode.ranked(row, kind: kind)[0].index, classNames)
      case .topK:
        text =
          "["
          + mode.ranked(row, kind: kind).map {
            "{\"class\":\(ClassText.json($0.index, classNames)),\"score\":\(NumberText.json($0.score))}"
          }
          .joined(separator: ",") + "]"
      }
      if lines {
        sink.append(text + "\n")
      } else {
        sink.append((rowsWritten == 0 ? "[\n" : ",\n") + text)
      }
      rowsWritten += 1
    }
    try sink.flush()
  }

  func finish() throws {
    if !lines { sink.append(rowsWritten == 0 ? "[]\n" : "\n]\n") }
    try sink.close()
  }

  private func nested(_ row: ArraySlice<Float>) -> String {
    if sampleShape.count == 2 {
      let units = sampleShape[1]
      return "["
        + stride(from: row.startIndex, to: row.endIndex, by: units).map { start in
          "[" + row[start..<start + units].map(NumberText.json).joined(separator: ",") + "]"
        }.joined(separator: ",") + "]"
    }
    return "[" + row.map(NumberText.json).joined(separator: ",") + "]"
  }
}

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

  func write(outputs values: [Float], count: Int) throws {
    try Self.naming(output) { try append(values, count: count) }
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

  func finish() throws {
    try Self.naming(output) { try file.close() }
    try output.commit()
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
