/// CSV rows, with or without a header, from a file or standard input.
///
/// A first line holding anything that is not a number is the header. Named
/// columns can be ignored, and label (target) columns are split off, never inputs.
public final class CSVSampleReader: SampleReader {
  private let reader: LineReader
  private var layout: SampleLayout?
  private var header: [String] = []
  private var inputColumns: [Int]?
  private var labelColumns: [Int] = []
  private var pendingLine: Substring?
  private let requireFinite: Bool
  private var row: [Float] = []
  /// The name used in messages: the path, or `standard input`.
  public var source: String { reader.source }
  /// The number of inputs per sample: known from the header, else once the first row is read.
  public var inputWidth: Int? { inputColumns?.count }

  /// Opens a CSV file, or standard input when `path` is `-`, reads the
  /// header if there is one, and checks the named columns against it.
  ///
  /// - Parameters:
  ///   - path: The file, or `-` for standard input.
  ///   - layout: What each sample must look like, or `nil` to take the width of the rows.
  ///   - ignore: Columns to drop; they need a header.
  ///   - labels: The columns holding labels or targets, in order; they need a header.
  ///   - requireFinite: Whether NaN and infinities are errors.
  /// - Throws: ``DataError`` for a missing, unreadable or empty file, an
  ///   unknown column, or named columns without a header.
  public convenience init(
    path: String, layout: SampleLayout? = nil, ignore: [String] = [], labels: [String] = [], requireFinite: Bool = true
  ) throws(DataError) {
    try self.init(
      reader: try LineReader(path: path), layout: layout, ignore: ignore, labels: labels, requireFinite: requireFinite)
  }

  /// Reads the header, if there is one, and checks the named columns against it.
  ///
  /// - Parameters:
  ///   - reader: The lines of the file or of standard input.
  ///   - layout: What each sample must look like, or `nil` to take the width of the rows.
  ///   - ignore: Columns to drop; they need a header.
  ///   - labels: The columns holding labels or targets, in order; they need a header.
  ///   - requireFinite: Whether NaN and infinities are errors.
  /// - Throws: ``DataError`` for an empty input, an unknown column, or named columns without a header.
  package init(
    reader: LineReader, layout: SampleLayout? = nil, ignore: [String] = [], labels: [String] = [],
    requireFinite: Bool = true
  ) throws(DataError) {
    self.reader = reader
    self.layout = layout
    self.requireFinite = requireFinite
    guard let first = try reader.nextLine() else { throw DataError.empty(source: reader.source) }
    if CSVRecord.isHeader(first) {
      header = CSVRecord.fields(first).map(String.init)
      for column in labels + ignore where !header.contains(column) {
        throw DataError.unknownColumn(source: reader.source, column: column, available: header)
      }
      labelColumns = labels.map { header.firstIndex(of: $0)! }
      inputColumns = header.indices.filter { !labelColumns.contains($0) && !ignore.contains(header[$0]) }
    } else {
      if let column = labels.first ?? ignore.first { throw DataError.noHeader(source: reader.source, column: column) }
      pendingLine = first
    }
  }

  /// Reads up to `limit` rows.
  ///
  /// - Throws: ``DataError`` naming the line and column of the first bad value.
  public func next(limit: Int) throws(DataError) -> SampleBatch? {
    var batch = SampleBatch()
    if !labelColumns.isEmpty { batch.labels = [] }
    while batch.count < limit {
      row.removeAll(keepingCapacity: true)
      guard let parsed = try nextRow() else { break }
      let expectedFields = header.isEmpty ? (inputColumns?.count ?? parsed) : header.count
      guard parsed == expectedFields else {
        throw DataError.raggedRow(source: source, line: reader.lineNumber, expected: expectedFields, found: parsed)
      }
      if inputColumns == nil { inputColumns = Array(0..<parsed) }
      try layout?.check(width: inputColumns!.count, at: "\(source), line \(reader.lineNumber)")
      for column in inputColumns! { batch.inputs.append(row[column]) }
      for column in labelColumns { batch.labels!.append(row[column]) }
      batch.count += 1
    }
    return batch.count == 0 ? nil : batch
  }

  /// Parses the next non-blank line into `row`; returns its number of fields,
  /// or `nil` at the end. Plain numeric lines take the fast path; anything
  /// else is parsed field by field, which names the line and column at fault.
  private func nextRow() throws(DataError) -> Int? {
    while true {
      let outcome: CSVRecord.FastParse
      if let line = pendingLine {
        pendingLine = nil
        outcome = .irregular(String(line))
      } else {
        guard
          let parsed = try reader.withNextLine({
            CSVRecord.parseNumbers($0, requireFinite: requireFinite, into: &row)
          })
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
            source: source, columnNames: header, requireFinite: requireFinite, into: &row)
        else { continue }
        return count
      }
    }
  }
}
