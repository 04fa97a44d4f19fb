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
    let csv = try CSVSampleReader(
      reader: reader, ignore: ignoring, labels: targetColumns, requireFinite: requireFinite)
    var inputs: [Float] = []
    var targets: [Float] = []
    var count = 0
    while let batch = try csv.next(limit: 4096) {
      inputs += batch.inputs
      targets += batch.labels ?? []
      count += batch.count
    }
    guard count > 0, let width = csv.inputWidth else { throw .empty(source: reader.source) }
    let targetShape = targetColumns.count == 1 ? [count] : [count, targetColumns.count]
    return try Dataset(
      inputs: Tensor(shape: [count, width], scalars: inputs),
      targets: targetColumns.isEmpty ? nil : Tensor(shape: targetShape, scalars: targets),
      source: reader.source)
  }
}
