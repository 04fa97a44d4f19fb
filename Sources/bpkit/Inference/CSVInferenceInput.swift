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
    while batch.count < limit, let line = try takeLine() {
      if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
      let fields = CSVRecord.fields(line)
      let expectedFields = header.isEmpty ? (inputColumns?.count ?? fields.count) : header.count
      guard fields.count == expectedFields else {
        throw DataError.raggedRow(
          source: source, line: reader.lineNumber, expected: expectedFields, found: fields.count)
      }
      if inputColumns == nil { inputColumns = Array(fields.indices) }
      row.removeAll(keepingCapacity: true)
      try CSVRecord.parse(
        fields, line: reader.lineNumber, source: source, columnNames: header, requireFinite: true, into: &row)
      try layout.check(width: inputColumns!.count, at: "\(source), line \(reader.lineNumber)")
      for column in inputColumns! { batch.inputs.append(row[column]) }
      if let labelColumn { batch.labels!.append(row[labelColumn]) }
      batch.count += 1
    }
    return batch.count == 0 ? nil : batch
  }

  private func takeLine() throws -> Substring? {
    if let line = pendingLine {
      pendingLine = nil
      return line
    }
    return try reader.nextLine()
  }
}
