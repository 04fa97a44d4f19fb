/// 32-bit floats to and from decimal text, at the speed of the bytes.
///
/// Writing gives the shortest decimal that reads back as the same float,
/// `Float.description`'s text, straight into a byte buffer (Giulietti's
/// Schubfach search in exact integer arithmetic). Reading takes the digits
/// eight at a time while they fit in 64 bits. Reading is exactly rounded (round half to even, as
/// `strtof` and `Float(_:)`), by Clinger's fast path and the Eisel-Lemire
/// algorithm (Daniel Lemire, "Number Parsing at a Gigabyte per Second",
/// Software: Practice and Experience 51(8), 2021; fast_float's
/// `compute_float`), which Mushtak and Lemire proved needs no fallback for
/// significands of up to 19 digits ("Fast Number Parsing Without Fallback",
/// 2023). Longer significands go to `Float(_:)`.
enum Float32Text {
  /// The most bytes ``write(_:to:)`` writes.
  static let maximumLength = 32

  /// Writes the shortest round-trip decimal of a finite `value` at `buffer`,
  /// which must hold ``maximumLength`` bytes; returns the number written.
  ///
  /// The text is `Float.description`'s, byte for byte, written without a
  /// `String` (``writeShortest(_:to:)``).
  @inline(__always)
  static func write(_ value: Float, to buffer: UnsafeMutablePointer<UInt8>) -> Int {
    writeShortest(value, to: buffer)
  }

  // MARK: Reading

  /// Decimal exponents beyond which every significand of up to 19 digits
  /// gives zero (below) or infinity (above).
  static let smallestPowerOfTen = -64
  static let largestPowerOfTen = 38

  /// 10^0 to 10^10, exact in a Float (Clinger's fast path).
  private static let exactPowersOfTen: [Float] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]

  /// The float that the JSON number in `start..<end` rounds to, or `nil`
  /// when it lies beyond the largest finite float. The text must already
  /// have been checked against JSON's number grammar (``JSONParser`` does).
  static func parse(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Float? {
    var cursor = start
    return parse(&cursor, limit: end)
  }

  /// Reads the JSON number at `cursor` (checked against JSON's grammar
  /// already) and moves `cursor` past it, to at most `end`; returns the
  /// float it rounds to, or `nil` beyond the largest finite float.
  @inline(__always)
  static func parse(_ cursor: inout UnsafePointer<UInt8>, limit end: UnsafePointer<UInt8>) -> Float? {
    if let (negative, significand, exponent) = parseShort(&cursor, limit: end) {
      guard let magnitude = magnitude(significand: significand, exponent: exponent) else { return nil }
      return negative ? -magnitude : magnitude
    }
    let start = cursor
    let negative = cursor.pointee == UInt8(ascii: "-")
    if negative { cursor += 1 }
    var significand: UInt64 = 0
    var digits = 0
    var exponent = 0
    var tooManyDigits = false
    // Integer part, then fraction: leading zeros are not significant digits.
    while cursor < end, case let digit = cursor.pointee &- UInt8(ascii: "0"), digit < 10 {
      if significand != 0 || digit != 0 {
        if digits < 19 {
          significand = significand &* 10 &+ UInt64(digit)
          digits += 1
        } else {
          tooManyDigits = true
          exponent += 1
        }
      }
      cursor += 1
    }
    if cursor < end, cursor.pointee == UInt8(ascii: ".") {
      cursor += 1
      while cursor < end, case let digit = cursor.pointee &- UInt8(ascii: "0"), digit < 10 {
        if significand == 0 && digit == 0 {
          exponent -= 1
        } else if digits < 19 {
          significand = significand &* 10 &+ UInt64(digit)
          digits += 1
          exponent -= 1
        } else {
          tooManyDigits = true
        }
        cursor += 1
      }
    }
    if cursor < end, cursor.pointee | 0x20 == UInt8(ascii: "e") {
      cursor += 1
      var negativeExponent = false
      if cursor.pointee == UInt8(ascii: "-") {
        negativeExponent = true
        cursor += 1
      } else if cursor.pointee == UInt8(ascii: "+") {
        cursor += 1
      }
      var written = 0
      while cursor < end, case let digit = cursor.pointee &- UInt8(ascii: "0"), digit < 10 {
        // Far beyond any float's range either way; stop growing.
        if written < 100_000 { written = written * 10 + Int(digit) }
        cursor += 1
      }
      exponent += negativeExponent ? -written : written
    }
    if tooManyDigits {
      // The number's own text only: in an array, more numbers follow it before `end`.
      let text = String(decoding: UnsafeBufferPointer(start: start, count: start.distance(to: cursor)), as: UTF8.self)
      guard let value = Float(text), value.isFinite else { return nil }
      return value
    }
    guard let magnitude = magnitude(significand: significand, exponent: exponent) else { return nil }
    return negative ? -magnitude : magnitude
  }

  /// significand × 10^exponent rounded to the nearest float, ties to even;
  /// `nil` beyond the largest finite float.
  @inline(__always)
  private static func magnitude(significand: UInt64, exponent: Int) -> Float? {
    if significand == 0 || exponent < smallestPowerOfTen { return 0 }
    if exponent > largestPowerOfTen { return nil }
    // Clinger: both operands exact, so one correctly rounded operation.
    if significand <= 1 << 24, exponent >= -10, exponent <= 10 {
      let value = Float(significand)
      return exponent < 0 ? value / exactPowersOfTen[-exponent] : value * exactPowersOfTen[exponent]
    }
    let bits = eiselLemire(significand: significand, exponent: exponent)
    guard bits < 0x7F80_0000 else { return nil }
    return Float(bitPattern: bits)
  }

  /// fast_float's `compute_float<binary_format<float>>`: the bits of the
  /// nearest float to w × 10^q, for w > 0 and q within the table.
  @inline(__always)
  private static func eiselLemire(significand w: UInt64, exponent q: Int) -> UInt32 {
    let explicitBits = 23
    let minimumExponent = -127
    let leadingZeros = w.leadingZeroBitCount
    let normalized = w << UInt64(leadingZeros)
    let index = 2 * (q - smallestPowerOfTen)
    var (high, low) = normalized.multipliedFullWidth(by: powersOfFive[index])
    // Only when the bits that decide the rounding might be wrong does the
    // second word of 5^q matter (26 = explicit bits + 3).
    let precisionMask: UInt64 = .max >> 26
    if high & precisionMask == precisionMask {
      let second = normalized.multipliedFullWidth(by: powersOfFive[index + 1]).high
      let (sum, carry) = low.addingReportingOverflow(second)
      low = sum
      if carry { high &+= 1 }
    }
    let upperBit = Int(high >> 63)
    let shift = UInt64(upperBit + 64 - explicitBits - 3)
    var mantissa = high >> shift
    // floor(q × log2(10)) + 63, as fast_float's `power`.
    let binaryPower = (((152_170 + 65_536) * q) >> 16) + 63
    var power2 = binaryPower + upperBit - leadingZeros - minimumExponent
    if power2 <= 0 {
      // Subnormal: shift into place, then round half up on the last bit
      // (the halfway case cannot arise here, fast_float's argument).
      guard -power2 + 1 < 64 else { return 0 }
      mantissa >>= UInt64(-power2 + 1)
      mantissa += mantissa & 1
      mantissa >>= 1
      power2 = mantissa < 1 << UInt64(explicitBits) ? 0 : 1
      return UInt32(truncatingIfNeeded: mantissa) | UInt32(power2) << UInt32(explicitBits)
    }
    // Exactly halfway between two floats: round to even. Only decimal
    // exponents from -17 to 10 can land there for a 32-bit float.
    if low <= 1, q >= -17, q <= 10, mantissa & 3 == 1, mantissa << shift == high {
      mantissa &= ~1
    }
    mantissa += mantissa & 1
    mantissa >>= 1
    if mantissa >= 2 << UInt64(explicitBits) {
      mantissa = 1 << UInt64(explicitBits)
      power2 += 1
    }
    mantissa &= ~(1 << UInt64(explicitBits))
    guard power2 < 0xFF else { return 0x7F80_0000 }
    return UInt32(truncatingIfNeeded: mantissa) | UInt32(power2) << UInt32(explicitBits)
  }
}
