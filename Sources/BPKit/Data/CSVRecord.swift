import Foundation

/// A type CSV numbers are read as: `Float` for a float32 run, `Double` for a
/// float64 run, each correctly rounded from the text.
package protocol CSVScalar: BinaryFloatingPoint, LosslessStringConvertible {
  /// Reads the number at `text` as C's `strtof` or `strtod` does, setting
  /// `end` past it (to `text` when there is none).
  static func parse(_ text: UnsafePointer<CChar>, end: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Self
}

extension Float: CSVScalar {
  package static func parse(_ text: UnsafePointer<CChar>, end: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>)
    -> Float
  { strtof(text, end) }
}

extension Double: CSVScalar {
  package static func parse(_ text: UnsafePointer<CChar>, end: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>)
    -> Double
  { strtod(text, end) }
}

/// Splits CSV lines into fields and numbers, reporting the exact place of a bad value.
///
/// Fields are separated by commas; surrounding spaces and double quotes are
/// removed. Quoted fields containing commas are not part of numeric data and
/// are not supported.
package enum CSVRecord {
  /// The fields of one line.
  package static func fields(_ line: Substring) -> [Substring] {
    line.split(separator: ",", omittingEmptySubsequences: false).map(trimmed)
  }

  /// Whether a line looks like a header: none of its fields is a number.
  ///
  /// A data row with one bad value is still data, so its error is reported
  /// at its line and column instead of the row being taken for a header.
  package static func isHeader(_ line: Substring) -> Bool {
    !fields(line).contains { Float($0) != nil }
  }

  /// Parses the fields of a line into `values`, appending one number per field.
  ///
  /// - Parameters:
  ///   - columnNames: names for error messages (1-based column numbers when empty).
  ///   - requireFinite: whether NaN and infinities are errors.
  /// - Throws: ``DataError`` naming the line and column of the first bad field.
  package static func parse<S: CSVScalar>(
    _ fields: [Substring], line: Int, source: String, columnNames: [String], requireFinite: Bool,
    classes: [Int: [String: Int]] = [:], skipped: Set<Int> = [], into values: inout [S]
  ) throws(DataError) {
    for (index, field) in fields.enumerated() {
      // A column that is neither an input nor a label (ignored, or not among
      // a model's features) may hold anything.
      if skipped.contains(index) {
        values.append(0)
        continue
      }
      // A column of class names holds each class's index.
      if let names = classes[index] {
        guard let value = names[String(field)] else {
          throw .unknownClass(
            source: source, line: line, column: name(index, columnNames), value: String(field),
            known: names.sorted { $0.value < $1.value }.map(\.key))
        }
        values.append(S(value))
        continue
      }
      // Float(_:) reads its text as a C string and stops at a NUL byte, so
      // "2.5\0junk" would parse as 2.5.
      guard !field.utf8.contains(0), let value = S(String(field)) else {
        throw .notANumber(source: source, line: line, column: name(index, columnNames), value: String(field))
      }
      if requireFinite && !value.isFinite {
        throw .notFinite(source: source, line: line, column: name(index, columnNames), value: String(field))
      }
      values.append(value)
    }
  }

  /// What the fast parser made of one line.
  package enum FastParse: Sendable {
    /// The line held this many plain numbers, appended to the values.
    case numbers(Int)
    /// The line was empty or white space only.
    case blank
    /// The line holds something else; parse its text with ``fields(_:)`` and
    /// ``parse(_:line:source:columnNames:requireFinite:into:)`` for the exact error.
    case irregular(String)
  }

  /// Parses a line of plain numeric fields straight from its bytes with
  /// `strtof` or `strtod` (correctly rounded, as `Float(_:)` and `Double(_:)` are), appending the numbers
  /// to `values`. The byte after the line must be 0 (``LineReader/withNextLine(_:)``
  /// guarantees it).
  ///
  /// Anything unusual — an empty or quoted field, text, a non-finite value
  /// when `requireFinite` — makes it return ``FastParse/irregular(_:)`` with
  /// the line's text and leave `values` as it was, so the caller reports the
  /// exact line and column through the general parser.
  package static func parseNumbers<S: CSVScalar>(
    _ line: UnsafeBufferPointer<UInt8>, requireFinite: Bool, into values: inout [S]
  ) -> FastParse {
    let start = values.count
    func irregular() -> FastParse {
      values.removeSubrange(start...)
      return .irregular(String(decoding: line, as: UTF8.self))
    }
    guard let base = line.baseAddress, !line.isEmpty else { return .blank }
    let end = UnsafeRawPointer(base + line.count)
    var cursor = UnsafeMutableRawPointer(mutating: base)
    if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return .blank }
    while true {
      var next: UnsafeMutablePointer<CChar>?
      let field = cursor.assumingMemoryBound(to: CChar.self)
      let value = S.parse(field, end: &next)
      guard var after = next.map(UnsafeMutableRawPointer.init), after != cursor, UnsafeRawPointer(after) <= end else {
        return irregular()
      }
      while UnsafeRawPointer(after) < end, after.load(as: UInt8.self) == 0x20 || after.load(as: UInt8.self) == 0x09 {
        after += 1
      }
      if requireFinite && !value.isFinite { return irregular() }
      values.append(value)
      if UnsafeRawPointer(after) == end { return .numbers(values.count - start) }
      guard after.load(as: UInt8.self) == UInt8(ascii: ",") else { return irregular() }
      cursor = after + 1
      if UnsafeRawPointer(cursor) == end { return irregular() }
    }
  }

  /// Parses, field by field, a line that ``parseNumbers(_:requireFinite:into:)``
  /// called irregular, so that a bad value is reported with its line and column.
  ///
  /// - Parameter expectedFields: the number of fields every row must have,
  ///   or `nil` to accept any.
  /// - Returns: the number of fields parsed, or `nil` for a blank line.
  /// - Throws: ``DataError`` for a ragged row or a field that is not a number.
  package static func parseIrregular<S: CSVScalar>(
    _ text: String, expectedFields: Int?, line: Int, source: String, columnNames: [String], requireFinite: Bool,
    classes: [Int: [String: Int]] = [:], skipped: Set<Int> = [], into values: inout [S]
  ) throws(DataError) -> Int? {
    let text = Substring(text)
    if text.allSatisfy({ $0 == " " || $0 == "\t" }) { return nil }
    let fields = fields(text)
    if let expectedFields, fields.count != expectedFields {
      throw .raggedRow(source: source, line: line, expected: expectedFields, found: fields.count)
    }
    try parse(
      fields, line: line, source: source, columnNames: columnNames, requireFinite: requireFinite, classes: classes,
      skipped: skipped, into: &values)
    return fields.count
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
