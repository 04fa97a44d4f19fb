import BPKit

/// CSV rows, with or without a header, from a file or standard input.
///
/// A first line holding anything that is not a number is the header. Named
/// columns can be ignored, and a label column is split off (never an input).
final class CSVInferenceInput: InferenceInput {
  private let reader: LineReader
  private var layout: SampleLayout
  private var header: [String] = []
  private var inputColumns: [Int]?
  private var labelColumn: Int?
  private var pendingLine: Substring?
  private let ignore: [String]
  private let labels: String?
  private var row: [Float] = []
  var source: String { reader.source }

  init(reader: LineReader, layout: SampleLayout, ignore: [String], labels: String?) throws {
    self.reader = reader
    self.layout = layout
    self.ignore = ignore
    self.labels = labels
    guard let first = try reader.nextLine() else { throw DataError.empty(source: reader.source) }
    if CSVRecord.isHeader(first) {
      header = CSVRecord.fields(first).map(String.init)
      for column in ignore + (labels.map { [$0] } ?? []) where !header.contains(column) {
        throw DataError.unknownColumn(source: reader.source, column: column, available: header)
      }
      labelColumn = labels.flatMap { header.firstIndex(of: $0) }
      inputColumns = header.indices.filter { $0 != labelColumn && !ignore.contains(header[$0]) }
    } else {
      if let column = ignore.first ?? labels { throw DataError.noHeader(source: reader.source, column: column) }
      pendingLine = first
    }
  }

  func next(limit: Int) throws -> InputBatch? {
    var batch = InputBatch()
    if labelColumn != nil { batch.labels = [] }
    while batch.count < limit {
      row.removeAll(keepingCapacity: true)
      guard let parsed = try nextRow() else { break }
      let expectedFields = header.isEmpty ? (inputColumns?.count ?? parsed) : header.count
      guard parsed == expectedFields else {
        throw DataError.raggedRow(source: source, line: reader.lineNumber, expected: expectedFields, found: parsed)
      }
      if inputColumns == nil { inputColumns = Array(0..<parsed) }
      try layout.check(width: inputColumns!.count, at: "\(source), line \(reader.lineNumber)")
      for column in inputColumns! { batch.inputs.append(row[column]) }
      if let labelColumn { batch.labels!.append(row[labelColumn]) }
      batch.count += 1
    }
    return batch.count == 0 ? nil : batch
  }

  /// Parses the next non-blank line into `row`; returns its number of fields,
  /// or `nil` at the end. Plain numeric lines take the fast path; anything
  /// else is parsed field by field, which names the line and column at fault.
  private func nextRow() throws -> Int? {
    while true {
      let outcome: CSVRecord.FastParse
      if let line = pendingLine {
        pendingLine = nil
        outcome = .irregular(String(line))
      } else {
        guard let parsed = try reader.withNextLine({ CSVRecord.parseNumbers($0, requireFinite: true, into: &row) })
        else { return nil }
        outcome = parsed
      }
      switch outcome {
      case .numbers(let count):
        return count
      case .blank:
        continue
      case .irregular(let text):
        guard
          let count = try CSVRecord.parseIrregular(
            text, expectedFields: header.isEmpty ? inputColumns?.count : header.count, line: reader.lineNumber,
            source: source, columnNames: header, requireFinite: true, into: &row)
        else { continue }
        return count
      }
    }
  }
}
