/// CSV rows, with or without a header, from a file or standard input.
///
/// A first line holding anything that is not a number is the header. Named
/// columns can be ignored, and label (target) columns are split off, never inputs.
public final class CSVSampleReader: SampleReader {
  private let reader: LineReader
  private let layout: SampleLayout?
  /// A sample read whose length differs from the batch before it: the next batch's first.
  private var pending: SampleBatch?
  private var header: [String] = []
  private var inputColumns: [Int]?
  private var labelColumns: [Int] = []
  private var pendingLine: Substring?
  private let requireFinite: Bool
  /// The precision numbers are read in (see ``SampleBatch/float64Inputs``).
  public let dtype: DType
  private var row: [Float] = []
  private var wideRow: [Double] = []
  /// Class names by label column, whose fields are looked up there.
  private var classes: [Int: [String: Int]] = [:]
  /// Header columns that are neither inputs nor labels, never parsed.
  private var skipped: Set<Int> = []
  /// The header's names of the input columns, in the order they are read;
  /// `nil` without a header.
  public private(set) var inputNames: [String]?
  /// Header columns that are neither inputs, labels nor ignored: with
  /// `features`, the columns the model does not take.
  public private(set) var unusedColumns: [String] = []
  /// The name used in messages: the path, or `standard input`.
  public var source: String { reader.source }
  /// The label columns as messages name them: `'label' (3)`.
  package var labelColumnNames: [String] { labelColumns.map { CSVRecord.name($0, header) } }
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
  ///   - classes: The class names of the first label column, whose fields
  ///     are then names, read as their index in this list.
  ///   - features: The input columns by name, in the model's order;
  ///     columns of a header are then matched by name in any order.
  ///   - dtype: The precision numbers are read in: ``DType/float64`` reads
  ///     each as the nearest Double, into ``SampleBatch/float64Inputs`` and
  ///     ``SampleBatch/float64Labels`` beside the Float32 values.
  /// - Throws: ``BPKitError`` for a missing, unreadable or empty file, an
  ///   unknown column, named columns without a header, or features the header lacks.
  public convenience init(
    path: String, layout: SampleLayout? = nil, ignore: [String] = [], labels: [String] = [], requireFinite: Bool = true,
    classes: [String]? = nil, features: [String]? = nil, dtype: DType = .float32
  ) throws(BPKitError) {
    do {
      try self.init(
        reader: try LineReader(path: path), layout: layout, ignore: ignore, labels: labels,
        requireFinite: requireFinite,
        classes: classes, features: features, dtype: dtype)

    } catch {
      throw BPKitError(error)
    }
  }

  /// Reads the header, if there is one, and checks the named columns against it.
  ///
  /// - Parameters:
  ///   - reader: The lines of the file or of standard input.
  ///   - layout: What each sample must look like, or `nil` to take the width of the rows.
  ///   - ignore: Columns to drop; they need a header.
  ///   - labels: The columns holding labels or targets, in order; they need a header.
  ///   - requireFinite: Whether NaN and infinities are errors.
  ///   - classes: The class names of the first label column, whose fields
  ///     are then names, read as their index in this list.
  ///   - features: The input columns by name, in the model's order (its
  ///     feature names); columns of a header are then matched by name in any
  ///     order, and others are left out. Ignored without a header.
  ///   - dtype: The precision numbers are read in.
  /// - Throws: ``DataError`` for an empty input, an unknown column, named
  ///   columns without a header, or features the header lacks.
  package init(
    reader: LineReader, layout: SampleLayout? = nil, ignore: [String] = [], labels: [String] = [],
    requireFinite: Bool = true, classes: [String]? = nil, features: [String]? = nil, dtype: DType = .float32
  ) throws(DataError) {
    self.reader = reader
    self.layout = layout
    self.requireFinite = requireFinite
    self.dtype = dtype
    guard let first = try reader.nextLine() else { throw DataError.empty(source: reader.source) }
    if CSVRecord.isHeader(first) {
      header = CSVRecord.fields(first).map(String.init)
      for column in labels + ignore where !header.contains(column) {
        throw DataError.unknownColumn(source: reader.source, column: column, available: header)
      }
      labelColumns = labels.map { header.firstIndex(of: $0)! }
      let candidates = header.indices.filter { !labelColumns.contains($0) && !ignore.contains(header[$0]) }
      if let features {
        let missing = features.filter { !header.contains($0) }
        guard missing.isEmpty else { throw DataError.missingColumns(source: reader.source, missing: missing) }
        inputColumns = features.map { header.firstIndex(of: $0)! }
        unusedColumns = candidates.filter { !features.contains(header[$0]) }.map { header[$0] }
      } else {
        inputColumns = candidates
      }
      inputNames = inputColumns!.map { header[$0] }
      skipped = Set(header.indices).subtracting(inputColumns!).subtracting(labelColumns)
      if let classes, let column = labelColumns.first {
        self.classes[column] = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
      }
    } else {
      if let column = labels.first ?? ignore.first { throw DataError.noHeader(source: reader.source, column: column) }
      pendingLine = first
    }
  }

  /// Reads up to `limit` rows.
  ///
  /// - Throws: ``BPKitError`` naming the line and column of the first bad value.
  public func next(limit: Int) throws(BPKitError) -> SampleBatch? {
    do {
      var batch = pending ?? SampleBatch()
      pending = nil
      if !labelColumns.isEmpty && batch.labels == nil { batch.labels = [] }
      if batch.lines == nil { batch.lines = [] }
      let wide = dtype == .float64
      if wide && batch.float64Inputs == nil {
        batch.float64Inputs = []
        if !labelColumns.isEmpty { batch.float64Labels = [] }
      }
      // Without a header, rows of a model that takes sequences of any length
      // are each as long as their sequence.
      let anyLength = header.isEmpty && layout?.isAnyLength == true
      while batch.count < limit {
        let parsed: Int?
        if wide {
          wideRow.removeAll(keepingCapacity: true)
          parsed = try nextRow(into: &wideRow)
        } else {
          row.removeAll(keepingCapacity: true)
          parsed = try nextRow(into: &row)
        }
        guard let parsed else { break }
        let expectedFields = header.isEmpty ? (inputColumns?.count ?? parsed) : header.count
        guard parsed == expectedFields || anyLength else {
          throw DataError.raggedRow(source: source, line: reader.lineNumber, expected: expectedFields, found: parsed)
        }
        if inputColumns == nil || anyLength && inputColumns!.count != parsed { inputColumns = Array(0..<parsed) }
        let start = (inputs: batch.inputs.count, labels: batch.labels?.count ?? 0)
        try layout?.check(width: inputColumns!.count, at: "\(source), line \(reader.lineNumber)")
        if wide {
          for column in inputColumns! {
            batch.inputs.append(Float(wideRow[column]))
            batch.float64Inputs!.append(wideRow[column])
          }
          for column in labelColumns {
            batch.labels!.append(Float(wideRow[column]))
            batch.float64Labels!.append(wideRow[column])
          }
        } else {
          for column in inputColumns! { batch.inputs.append(row[column]) }
          for column in labelColumns { batch.labels!.append(row[column]) }
        }
        batch.lines!.append(reader.lineNumber)
        batch.count += 1
        // A batch holds one length; a sample of another starts the next batch.
        if anyLength, batch.lastSampleChangesLength(inputsFrom: start.inputs) {
          pending = batch.removeLastSample(inputsFrom: start.inputs, labelsFrom: start.labels)
          break
        }
      }
      return batch.count == 0 ? nil : batch

    } catch {
      throw BPKitError(error)
    }
  }

  /// Parses the next non-blank line into `row`; returns its number of fields,
  /// or `nil` at the end. Plain numeric lines take the fast path; anything
  /// else is parsed field by field, which names the line and column at fault.
  private func nextRow<S: CSVScalar>(into row: inout [S]) throws(DataError) -> Int? {
    while true {
      let outcome: CSVRecord.FastParse
      if let line = pendingLine {
        pendingLine = nil
        outcome = .irregular(String(line))
      } else if !classes.isEmpty {
        // Class names are text: every line takes the general parser.
        guard let line = try reader.nextLine() else { return nil }
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
            text,
            expectedFields: header.isEmpty ? (layout?.isAnyLength == true ? nil : inputColumns?.count) : header.count,
            line: reader.lineNumber,
            source: source, columnNames: header, requireFinite: requireFinite, classes: classes,
            skipped: skipped, into: &row)
        else { continue }
        return count
      }
    }
  }
}

extension CSVSampleReader {
  /// The class names of a label column that holds text (`setosa`,
  /// `versicolor`, ...): its distinct values, sorted; `nil` when every value
  /// is a number (class indices or targets), or the file has no such column.
  ///
  /// Reads the whole file once; standard input cannot be read twice and gives `nil`.
  ///
  /// - Throws: ``BPKitError`` when the file cannot be read.
  public static func classNames(inFileAt path: String, column: String) throws(BPKitError) -> [String]? {
    do {
      guard path != "-" else { return nil }
      let reader = try LineReader(path: path)
      guard let first = try reader.nextLine(), CSVRecord.isHeader(first),
        let index = CSVRecord.fields(first).firstIndex(where: { $0 == column })
      else { return nil }
      var names = Set<String>()
      var isText = false
      while let line = try reader.nextLine() {
        let fields = CSVRecord.fields(line)
        guard index < fields.count else { continue }
        let field = fields[index]
        if field.isEmpty && fields.count == 1 { continue }
        if !isText && Float(field) == nil { isText = true }
        names.insert(String(field))
      }
      return isText ? names.sorted() : nil

    } catch {
      throw BPKitError(error)
    }
  }
}
