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

  func write(outputs: [Float], count: Int) throws(BPKitError) {
    try writeRows(outputs, count: count)
  }

  func write(float64Outputs outputs: [Double], count: Int) throws(BPKitError) {
    try writeRows(outputs, count: count)
  }

  private func writeRows<S: BLASScalar & LosslessStringConvertible>(_ outputs: [S], count: Int)
    throws(BPKitError)
  {
    do {
      let width = outputs.count / max(count, 1)
      for sample in 0..<count {
        let row = outputs[sample * width..<(sample + 1) * width]
        let text: String
        switch mode {
        case .outputs: text = nested(row)
        case .argmax: text = PredictionText.json(class: mode.ranked(row, kind: kind)[0].index, classNames)
        case .topK:
          text =
            "["
            + mode.ranked(row, kind: kind).map {
              "{\"class\":\(PredictionText.json(class: $0.index, classNames)),\"score\":\(PredictionText.json($0.score))}"
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

    } catch {
      throw BPKitError(error)
    }
  }

  func finish() throws(BPKitError) {
    do {
      if !lines { sink.append(rowsWritten == 0 ? "[]\n" : "\n]\n") }
      try sink.close()

    } catch {
      throw BPKitError(error)
    }
  }

  private func nested<S: BinaryFloatingPoint & LosslessStringConvertible>(_ row: ArraySlice<S>) -> String {
    if sampleShape.count == 2 {
      let units = sampleShape[1]
      return "["
        + stride(from: row.startIndex, to: row.endIndex, by: units).map { start in
          "[" + row[start..<start + units].map { PredictionText.json($0) }.joined(separator: ",") + "]"
        }.joined(separator: ",") + "]"
    }
    return "[" + row.map { PredictionText.json($0) }.joined(separator: ",") + "]"
  }
}
