/// Splits CSV lines into fields and numbers, reporting the exact place of a bad value.
///
/// Fields are separated by commas; surrounding spaces and double quotes are
/// removed. Quoted fields containing commas are not part of numeric data and
/// are not supported.
public enum CSVRecord {
  /// The fields of one line.
  public static func fields(_ line: Substring) -> [Substring] {
    line.split(separator: ",", omittingEmptySubsequences: false).map(trimmed)
  }

  /// Whether a line looks like a header: none of its fields is a number.
  ///
  /// A data row with one bad value is still data, so its error is reported
  /// at its line and column instead of the row being taken for a header.
  public static func isHeader(_ line: Substring) -> Bool {
    !fields(line).contains { Float($0) != nil }
  }

  /// Parses the fields of a line into `values`, appending one number per field.
  ///
  /// - Parameters:
  ///   - columnNames: names for error messages (1-based column numbers when empty).
  ///   - requireFinite: whether NaN and infinities are errors.
  /// - Throws: ``DataError`` naming the line and column of the first bad field.
  public static func parse(
    _ fields: [Substring], line: Int, source: String, columnNames: [String], requireFinite: Bool,
    into values: inout [Float]
  ) throws(DataError) {
    for (index, field) in fields.enumerated() {
      guard let value = Float(field) else {
        throw .notANumber(source: source, line: line, column: name(index, columnNames), value: String(field))
      }
      if requireFinite && !value.isFinite {
        throw .notFinite(source: source, line: line, column: name(index, columnNames), value: String(field))
      }
      values.append(value)
    }
  }

  /// A column's name for messages: `'label' (5)` or `5`.
  static func name(_ index: Int, _ names: [String]) -> String {
    index < names.count ? "'\(names[index])' (\(index + 1))" : "\(index + 1)"
  }

  private static func trimmed(_ field: Substring) -> Substring {
    var field = field.drop { $0 == " " || $0 == "\t" }
    while let last = field.last, last == " " || last == "\t" { field = field.dropLast() }
    if field.count >= 2, field.first == "\"", field.last == "\"" { field = field.dropFirst().dropLast() }
    return field
  }
}
