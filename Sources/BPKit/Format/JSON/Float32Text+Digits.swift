/// Reading a JSON number's digits eight at a time (SWAR: "SIMD within a
/// register"), the fast path of ``Float32Text/parse(_:limit:)``.
extension Float32Text {
  /// 10^0 to 10^8.
  private static let smallPowersOfTen: [UInt64] = [
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
  ]

  /// How many of the eight bytes of `chunk` (the first in the lowest byte)
  /// are ASCII digits before the first that is not. A byte's high bit is
  /// set in the mask when it is not a digit: (b ^ '0') is below 10 exactly
  /// for digits, and adding 0x76 carries past 0x7F for every other value; a
  /// carry into the next byte only disturbs bytes after the first non-digit.
  @inline(__always)
  static func digitRun(_ chunk: UInt64) -> Int {
    let values = chunk ^ 0x3030_3030_3030_3030
    let notDigits = ((values &+ 0x7676_7676_7676_7676) | values) & 0x8080_8080_8080_8080
    return notDigits.trailingZeroBitCount >> 3
  }

  /// The number that the first `count` (1 to 8) digits of `chunk` spell:
  /// the digits are moved to the top bytes (zeros below them count as
  /// leading zeros), then pairs, fours and eights are combined in place
  /// (10·a + b in each 16-bit lane, 100·ab + cd in each 32-bit lane,
  /// 10,000·abcd + efgh).
  @inline(__always)
  static func digitValue(_ chunk: UInt64, count: Int) -> UInt64 {
    var value = (chunk ^ 0x3030_3030_3030_3030) &<< UInt64(64 - 8 * count)
    value = (value &* 10 &+ (value >> 8)) & 0x00FF_00FF_00FF_00FF
    value = (value &* 100 &+ (value >> 16)) & 0x0000_FFFF_0000_FFFF
    return (value &* 10_000 &+ (value >> 32)) & 0xFFFF_FFFF
  }

  /// Reads a run of digits at `cursor` into `significand` (wrapping past
  /// 2^64: the caller counts the digits and gives up past 19), eight at a
  /// time while eight bytes remain before `end`.
  @inline(__always)
  static func readDigits(
    _ cursor: inout UnsafePointer<UInt8>, limit end: UnsafePointer<UInt8>, into significand: inout UInt64,
    count: inout Int
  ) {
    while end - cursor >= 8 {
      let chunk = UInt64(littleEndian: UnsafeRawPointer(cursor).loadUnaligned(as: UInt64.self))
      let run = digitRun(chunk)
      guard run > 0 else { return }
      significand = significand &* smallPowersOfTen.withUnsafeBufferPointer { $0[run] } &+ digitValue(chunk, count: run)
      count += run
      cursor += run
      if run < 8 { return }
    }
    while cursor < end, case let digit = cursor.pointee &- UInt8(ascii: "0"), digit < 10 {
      significand = significand &* 10 &+ UInt64(digit)
      count += 1
      cursor += 1
    }
  }

  /// The fast path of parsing: every digit, leading zeros included, read
  /// eight at a time into one 64-bit significand, which is exact while
  /// there are at most 19 of them; `nil` (the cursor unmoved) past that,
  /// for the digit-by-digit reader.
  @inline(__always)
  static func parseShort(
    _ cursor: inout UnsafePointer<UInt8>, limit end: UnsafePointer<UInt8>
  ) -> (negative: Bool, significand: UInt64, exponent: Int)? {
    var next = cursor
    let negative = next.pointee == UInt8(ascii: "-")
    if negative { next += 1 }
    var significand: UInt64 = 0
    var count = 0
    readDigits(&next, limit: end, into: &significand, count: &count)
    var exponent = 0
    if next < end, next.pointee == UInt8(ascii: ".") {
      next += 1
      let integerDigits = count
      readDigits(&next, limit: end, into: &significand, count: &count)
      exponent = integerDigits - count
    }
    guard count <= 19 else { return nil }
    if next < end, next.pointee | 0x20 == UInt8(ascii: "e") {
      next += 1
      var negativeExponent = false
      if next.pointee == UInt8(ascii: "-") {
        negativeExponent = true
        next += 1
      } else if next.pointee == UInt8(ascii: "+") {
        next += 1
      }
      var written = 0
      while next < end, case let digit = next.pointee &- UInt8(ascii: "0"), digit < 10 {
        // Far beyond any float's range either way; stop growing.
        if written < 100_000 { written = written * 10 + Int(digit) }
        next += 1
      }
      exponent += negativeExponent ? -written : written
    }
    cursor = next
    return (negative, significand, exponent)
  }
}
