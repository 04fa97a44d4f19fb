import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

#if canImport(Glibc)
  import Glibc
#endif

/// Float32Text against the C library's `strtof` (exactly rounded in glibc)
/// and `Float.description`: a wrong last bit here would be a silently wrong
/// weight, so each case runs hundreds of thousands of values.
@Suite struct Float32TextTests {
  /// What `Float32Text.parse` makes of `text`; `nil` beyond the finite floats.
  private func parse(_ text: String) -> Float? {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBufferPointer { Float32Text.parse($0.baseAddress!, $0.baseAddress! + $0.count) }
  }

  /// glibc's exactly rounded reading, with overflow as `nil` like `parse`.
  private func strtofReading(_ text: String) -> Float? {
    let value = text.withCString { strtof($0, nil) }
    return value.isFinite ? value : nil
  }

  private func written(_ value: Float) -> String {
    var buffer = [UInt8](repeating: 0, count: Float32Text.maximumLength)
    let count = buffer.withUnsafeMutableBufferPointer { Float32Text.write(value, to: $0.baseAddress!) }
    return String(decoding: buffer[..<count], as: UTF8.self)
  }

  private func expectSameAsStrtof(_ texts: [String]) {
    var mismatches: [String] = []
    for text in texts where parse(text)?.bitPattern != strtofReading(text)?.bitPattern {
      mismatches.append(
        "\(text): \(String(describing: parse(text))) against \(String(describing: strtofReading(text)))")
    }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
  }

  @Test func writesDescriptionsTextAndReadsItBackBitForBit() {
    var random = TestRandom(seed: 31)
    var values: [Float] = [
      0, -0.0, 1, -1, 0.1, 3, 1e10, 1e-10, 16_777_216, 16_777_217, .leastNonzeroMagnitude,
      -.leastNonzeroMagnitude, .leastNormalMagnitude, .leastNormalMagnitude.nextDown, .greatestFiniteMagnitude,
      -.greatestFiniteMagnitude, .pi, 1 / 3,
    ]
    while values.count < 400_000 {
      let bits = UInt32(truncatingIfNeeded: random.next())
      // One in four drawn among the subnormals and the smallest normals.
      let value = Float(bitPattern: values.count % 4 == 0 ? bits & 0x80FF_FFFF : bits)
      if value.isFinite { values.append(value) }
    }
    var wrongText: [String] = []
    var wrongBits: [String] = []
    for value in values {
      let text = written(value)
      if text != value.description { wrongText.append("\(value.description) written as \(text)") }
      if parse(text)?.bitPattern != value.bitPattern { wrongBits.append(text) }
    }
    #expect(wrongText.isEmpty, "\(wrongText.prefix(10))")
    #expect(wrongBits.isEmpty, "\(wrongBits.prefix(10))")
  }

  /// Every binary exponent's extremes, every power of two (whose lower
  /// neighbour is closer than its upper one) and the places where the
  /// layout changes (1e-4, 2^24), both signs.
  @Test func writesEveryExponentsBoundariesAsDescriptionDoes() {
    var values: [Float] = [1e-4, Float(1e-4).nextDown, 1e-5, 9.999999e-5, 16_777_216, 16_777_218, 33_554_432, 0.015625]
    for field in UInt32(0)...254 {
      for fraction: UInt32 in [0, 1, 2, 3, 0x3F_FFFF, 0x40_0000, 0x7F_FFFE, 0x7F_FFFF] {
        values.append(Float(bitPattern: field << 23 | fraction))
      }
    }
    var wrong: [String] = []
    for value in values + values.map({ -$0 }) {
      let text = written(value)
      if text != value.description || parse(text)?.bitPattern != value.bitPattern {
        wrong.append("\(value.description) written as \(text)")
      }
    }
    #expect(wrong.isEmpty, "\(wrong.prefix(10))")
  }

  /// The writer's decimal exponents, ⌊log₁₀ 2^q⌋ and ⌊log₁₀ (3/4 · 2^q)⌋,
  /// against the logarithms in double precision, which no q of a float
  /// brings within 10^-4 of an integer (but q = 0).
  @Test func decimalExponentsAreTheFloorsOfTheLogarithms() {
    for q in -149...104 {
      let plain = Double(q) * log10(2.0)
      let closer = plain + log10(0.75)
      #expect(q == 0 || abs(plain - plain.rounded()) > 1e-4)
      #expect(abs(closer - closer.rounded()) > 1e-4)
      #expect(
        Float32Text.decimalExponent(binaryExponent: q, closerBelow: false) == Int(plain.rounded(.down)), "q = \(q)")
      #expect(
        Float32Text.decimalExponent(binaryExponent: q, closerBelow: true) == Int(closer.rounded(.down)), "q = \(q)")
    }
  }

  @Test func readsRandomDecimalsAsStrtofDoes() {
    var random = TestRandom(seed: 32)
    var texts: [String] = []
    while texts.count < 300_000 {
      // 1 to 24 significant digits (past 19 the slow path reads them),
      // the point anywhere, exponents from 10^-75 to 10^50.
      let digitCount = Int(random.next() % 24) + 1
      var digits = (0..<digitCount).map { _ in Character(String(random.next() % 10)) }
      if digits[0] == "0" { digits[0] = "7" }
      let point = Int(random.next() % UInt64(digitCount + 1))
      var text = random.next() % 2 == 0 ? "-" : ""
      if point == 0 {
        text += "0." + String(repeating: "0", count: Int(random.next() % 4)) + String(digits)
      } else if point == digitCount {
        text += String(digits)
      } else {
        text += String(digits[..<point]) + "." + String(digits[point...])
      }
      switch random.next() % 3 {
      case 0: break
      case 1: text += "e\(Int(random.next() % 126) - 75)"
      default: text += "E+\(random.next() % 40)"
      }
      texts.append(text)
    }
    expectSameAsStrtof(texts)
  }

  /// The hard cases: decimals at and beside the exact midpoint of two
  /// neighbouring floats, where a parser that is off by a hair rounds the
  /// wrong way. Ties must go to the even float.
  @Test func readsMidpointsBetweenFloatsAsStrtofDoes() {
    var random = TestRandom(seed: 33)
    var texts: [String] = ["3.4028235677973366e38", "3.4028236e38", "7.006492e-46", "1.4012985e-45", "1e-46"]
    var count = 0
    while count < 40_000 {
      let bits = UInt32(truncatingIfNeeded: random.next()) & (count % 3 == 0 ? 0x00FF_FFFF : 0x7FFF_FFFF)
      let low = Float(bitPattern: bits)
      guard low.isFinite, low.nextUp.isFinite else { continue }
      // Exact in a Double: a float has 24 bits, a Double 53.
      let midpoint = (Double(low) + Double(low.nextUp)) / 2
      texts.append(String(format: "%.80e", midpoint))
      for precision in [8, 9, 12, 16] { texts.append(String(format: "%.\(precision)e", midpoint)) }
      texts.append(midpoint.description)
      count += 1
    }
    expectSameAsStrtof(texts)
  }

  @Test func readsJSONNumberFormsAndRefusesOverflow() {
    #expect(parse("0")?.bitPattern == 0)
    #expect(parse("-0")?.bitPattern == (-0.0 as Float).bitPattern)
    #expect(parse("-0.0e5")?.bitPattern == (-0.0 as Float).bitPattern)
    #expect(parse("1E5") == 100_000)
    #expect(parse("0.000001") == 1e-6)
    #expect(parse("1e-50") == 0)
    #expect(parse("1e39") == nil)
    #expect(parse("-3.5e38") == nil)
    #expect(parse("1e100000000000") == nil)
    #expect(parse("1e-100000000000") == 0)
    #expect(parse("3.4028235e38") == .greatestFiniteMagnitude)
    #expect(parse("1.0000000000000000000000000001") == 1)
  }

  /// Named hard cases beside strtof: ties at the smallest subnormal and at
  /// the overflow threshold, exact midpoints written out in full (more than
  /// 19 digits, the slow path) and a hair either side, exponents far past
  /// both ends, and negative zero in every spelling (its sign bit kept).
  @Test func readsTheNamedHardCasesAsStrtofDoes() {
    expectSameAsStrtof([
      // Half the smallest subnormal (2^-150) ties to even: zero; a hair above: 2^-149.
      "7.00649232162408535461864791644958065640130970938257885878534141944895541342930300743319094181060791015625e-46",
      "7.006492321624085354618647916449580656401309709382578858785341419448955413429303007433190941810607910156251e-46",
      "7.0064923216240853546e-46", "7.0064923216240854e-46", "7.006492321624085e-46", "1.401298464324817e-45",
      "1.4e-45", "-1.4e-45", "2.1e-45", "2.8e-45", "1e-45", "7e-46", "1e-46",
      // Largest subnormal and smallest normal, and between them.
      "1.1754942e-38", "1.17549421e-38", "1.1754943508222875e-38", "1.17549428e-38", "1.1754943e-38",
      // The largest float, and the midpoint to 2^128 (ties to even: overflow) and a hair below.
      "3.4028235e38", "3.40282346638528859811704183484516925440e+38", "3.4028235677973366e38",
      "340282356779733661637539395458142568448", "340282356779733661637539395458142568447.9999",
      "3.4028236e38", "-3.4028235e38",
      // Ties between neighbours near 1 written out in full: 1 + 2^-24 goes to 1, 1 + 3 · 2^-24 to 1 + 2^-22.
      "1.000000059604644775390625", "1.0000000596046447753906250000000001", "1.000000178813934326171875",
      "0.100000001490116119384765625", "0.1000000014901161193847656249", "16777217", "16777217.000000001",
      "33554434", "33554435", "33554436", "9007199254740993",
      // Nine or more significant digits, many more, and leading zeros.
      "0.123456789", "1.23456789e-5", "123456789.0", "0.0000000000000000000000000000001234567890123456789012",
      "12345678901234567890123456789e-20",
      // Exponents at and past the limits.
      "1e38", "1e39", "1e-38", "1e-39", "1e-50", "1e-400", "1e400", "0.00001e43", "100000e-50", "1E+38", "1e-0",
      // Zero and negative zero.
      "0", "-0", "0.0", "-0.0", "-0e5", "0e-999", "-0.000e+999", "-1e-400",
    ])
    #expect(parse("-0")?.bitPattern == 0x8000_0000)
    #expect(parse("-1e-400")?.bitPattern == 0x8000_0000)
    #expect(parse("0e-999")?.bitPattern == 0)
  }

  /// A number of more than 19 significant digits inside an array is read
  /// from its own text, not up to the end of the array, and the cursor
  /// stops after it as for any other number.
  @Test func readsALongNumberFollowedByMoreOfTheArray() {
    let texts = [
      "0.380606090000000000000000001", "-38060609000000000000000.0e-23", "12345678901234567890123",
      "1.00000000000000000000000001e-40",
    ]
    for text in texts {
      let bytes = Array((text + ", 2.5, -1e3]").utf8)
      bytes.withUnsafeBufferPointer { buffer in
        var cursor = buffer.baseAddress!
        let value = Float32Text.parse(&cursor, limit: buffer.baseAddress! + buffer.count)
        #expect(value?.bitPattern == strtofReading(text)?.bitPattern, "\(text)")
        #expect(buffer.baseAddress!.distance(to: cursor) == text.utf8.count, "\(text)")
      }
    }
  }
}
