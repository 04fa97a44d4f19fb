extension Dataset {
  /// Reads a CSV file with a header row into memory.
  ///
  /// Every column that is neither a target nor ignored is an input, in file order.
  ///
  /// - Parameters:
  ///   - path: The CSV file, or `-` for standard input.
  ///   - targetColumns: The columns holding targets (for example `["label"]`); empty for none.
  ///   - ignoring: Columns to drop.
  ///   - requireFinite: Whether NaN and infinities are errors (they are for training).
  /// - Throws: ``DataError`` naming the line and column of the first bad value.
  public static func readCSV(
    path: String, targetColumns: [String], ignoring: [String] = [], requireFinite: Bool = true
  ) throws(DataError) -> Dataset {
    let reader = try LineReader(path: path)
    let source = reader.source
    guard let headerLine = try reader.nextLine() else { throw .empty(source: source) }
    let header = CSVRecord.fields(headerLine).map(String.init)
    guard CSVRecord.isHeader(headerLine) else {
      throw .noHeader(source: source, column: targetColumns.first ?? ignoring.first ?? "?")
    }
    for column in targetColumns + ignoring where !header.contains(column) {
      throw .unknownColumn(source: source, column: column, available: header)
    }
    let targetIndices = targetColumns.map { header.firstIndex(of: $0)! }
    let inputIndices = header.indices.filter {
      !targetColumns.contains(header[$0]) && !ignoring.contains(header[$0])
    }
    var row: [Float] = []
    var inputs: [Float] = []
    var targets: [Float] = []
    var count = 0
    while true {
      row.removeAll(keepingCapacity: true)
      guard
        let parsed = try reader.withNextLine({
          CSVRecord.parseNumbers($0, requireFinite: requireFinite, into: &row)
        })
      else { break }
      let fieldCount: Int
      switch parsed {
      case .blank:
        continue
      case .numbers(let count):
        fieldCount = count
      case .irregular(let text):
        guard
          let count = try CSVRecord.parseIrregular(
            text, expectedFields: header.count, line: reader.lineNumber, source: source, columnNames: header,
            requireFinite: requireFinite, into: &row)
        else { continue }
        fieldCount = count
      }
      guard fieldCount == header.count else {
        throw .raggedRow(source: source, line: reader.lineNumber, expected: header.count, found: fieldCount)
      }
      for index in inputIndices { inputs.append(row[index]) }
      for index in targetIndices { targets.append(row[index]) }
      count += 1
    }
    guard count > 0 else { throw .empty(source: source) }
    let targetShape = targetIndices.count == 1 ? [count] : [count, targetIndices.count]
    return try Dataset(
      inputs: Tensor(shape: [count, inputIndices.count], scalars: inputs),
      targets: targetIndices.isEmpty ? nil : Tensor(shape: targetShape, scalars: targets),
      source: source)
  }
}
