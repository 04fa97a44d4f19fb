/// 64-bit floats to and from decimal text, for float64 tensors.
///
/// Writing gives `Double.description`'s text, the shortest decimal that
/// reads back as the same double (the standard library's SwiftDtoa), -0.0
/// and subnormals included. Reading is exactly rounded (round half to even):
/// `Double(_:)`, which is `strtod` in the C locale, whatever locale the
/// process has set.
enum Float64Text {
  /// The most bytes ``write(_:to:)`` writes (`-2.2250738585072014e-308` is 24).
  static let maximumLength = 32

  /// Writes the shortest round-trip decimal of a finite `value` at `buffer`,
  /// which must hold ``maximumLength`` bytes; returns the number written.
  static func write(_ value: Double, to buffer: UnsafeMutablePointer<UInt8>) -> Int {
    var text = value.description
    return text.withUTF8 { utf8 in
      buffer.update(from: utf8.baseAddress!, count: utf8.count)
      return utf8.count
    }
  }

  /// Reads the JSON number at `cursor` (checked against JSON's grammar
  /// already, and followed by a separator, a bracket or `end`) and moves
  /// `cursor` past it; returns the double it rounds to, or `nil` beyond the
  /// largest finite double.
  static func parse(_ cursor: inout UnsafePointer<UInt8>, limit end: UnsafePointer<UInt8>) -> Double? {
    let start = cursor
    while cursor < end, isNumberByte(cursor.pointee) { cursor += 1 }
    let text = String(decoding: UnsafeBufferPointer(start: start, count: start.distance(to: cursor)), as: UTF8.self)
    guard let value = Double(text), value.isFinite else { return nil }
    return value
  }

  /// The bytes of JSON's number grammar: digits, sign, point and exponent.
  private static func isNumberByte(_ byte: UInt8) -> Bool {
    byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
      || byte == UInt8(ascii: ".") || byte | 0x20 == UInt8(ascii: "e")
  }
}
