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
      if !wroteHeader {
        sink.append(header(width: width) + "\n")
        wroteHeader = true
      }
      for sample in 0..<count {
        let row = outputs[sample * width..<(sample + 1) * width]
        let fields: [String] =
          mode == .outputs
          ? row.map { PredictionText.csv($0) }
          : mode.ranked(row, kind: kind).flatMap {
            mode == .argmax
              ? [PredictionText.csv(class: $0.index, classNames)]
              : [PredictionText.csv(class: $0.index, classNames), PredictionText.csv($0.score)]
          }
        sink.append(fields.joined(separator: ",") + "\n")
      }
      try sink.flush()

    } catch {
      throw BPKitError(error)
    }
  }

  func finish() throws(BPKitError) {
    do {
      if !wroteHeader { sink.append(header(width: 0) + "\n") }
      try sink.close()

    } catch {
      throw BPKitError(error)
    }
  }

  private func header(width: Int) -> String {
    switch mode {
    case .outputs: (0..<width).map { "y\($0)" }.joined(separator: ",")
    case .argmax: "class"
    case .topK(let k): (1...max(k, 1)).map { "class\($0),score\($0)" }.joined(separator: ",")
    }
  }
}
