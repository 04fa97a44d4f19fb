import BPKit
import Foundation
import Testing

@Suite struct CSVRecordTests {
  func fast(_ text: String, requireFinite: Bool = true) -> (CSVRecord.FastParse, [Float]) {
    var values: [Float] = [42]
    var bytes = Array(text.utf8)
    bytes.append(0)
    let outcome = bytes.withUnsafeBufferPointer {
      CSVRecord.parseNumbers(
        UnsafeBufferPointer(rebasing: $0[0..<(bytes.count - 1)]), requireFinite: requireFinite, into: &values)
    }
    return (outcome, Array(values.dropFirst()))
  }

  @Test func fastPathAgreesWithFloatParsingBitForBit() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2_000 {
      let values = (0..<8).map { _ in Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator)) }
        .filter(\.isFinite)
      let texts = values.map { "\($0)" } + ["1e-45", "-0", "3.4028235e38", "0.1", "1", " 2 ", "7."]
      let (outcome, parsed) = fast(texts.joined(separator: ","))
      guard case .numbers(let count) = outcome else {
        Issue.record("fast path refused \(texts)")
        return
      }
      #expect(count == texts.count)
      #expect(parsed.map(\.bitPattern) == texts.map { Float($0.trimmingCharacters(in: .whitespaces))!.bitPattern })
    }
  }

  @Test func irregularLinesGoToTheGeneralParser() {
    for text in ["1,,2", "1,x", "\"1\",2", "1,2,", "nan,1", "1;2", "1 2"] {
      let (outcome, parsed) = fast(text)
      guard case .irregular(let line) = outcome else {
        Issue.record("'\(text)' was taken as plain numbers")
        continue
      }
      #expect(line == text)
      #expect(parsed.isEmpty)
    }
    guard case .numbers(1) = fast("nan", requireFinite: false).0 else {
      Issue.record("nan is a number when finite values are not required")
      return
    }
    guard case .blank = fast("  \t").0 else {
      Issue.record("a blank line is blank")
      return
    }
  }
}
