import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

@Suite struct JSONParserTests {
  private func parse(_ text: String) throws(BPKitJSONError) -> JSONValue {
    let bytes = Array(text.utf8)
    return try rethrowing(BPKitJSONError.self) { try bytes.withUnsafeBytes { try JSONParser.parse($0) } }
  }

  @Test(arguments: [
    ("{\"a\": [1, -0.5e+3, true, false, null, \"x\\\"y\\u00e9\\ud83d\\ude00\"]}", true),
    ("  [ ]  ", true), ("0", true), ("-0", true), ("1E5", true),
    ("01", false), ("1.", false), (".5", false), ("+1", false), ("1e", false), ("-", false),
    ("[1,]", false), ("{\"a\" 1}", false), ("{\"a\": 1,}", false), ("[1] [2]", false), ("tru", false),
    ("\"\u{01}\"", false), ("\"\\x\"", false), ("\"\\u12\"", false), ("\"open", false), ("NaN", false),
    ("{\"a\": 1, \"a\": 2}", false),
    // Arrays of numbers, which the parser checks on a path of their own.
    ("[1 , 2\t,\n3 ]", true), ("[1e+5,-0.0E-3,0]", true), ("[1.]", false), ("[1e]", false), ("[1E-]", false),
    ("[01]", false), ("[-]", false), ("[1,2", false), ("[1,,2]", false), ("[1]x", false), ("[1 2]", false),
    ("[-01]", false), ("[1.e5]", false), ("[0x10]", false), ("[1, -]", false),
  ])
  func acceptsExactlyRFC8259(text: String, valid: Bool) {
    #expect(((try? parse(text)) != nil) == valid, "\(text)")
  }

  @Test func reportsTheLineAndColumnOfASyntaxError() {
    expectReason(
      BPKitJSONError.invalidSyntax(file: nil, line: 3, column: 10, detail: "expected ',' or '}' in an object")
    ) {
      try parse("{\n  \"a\": 1,\n  \"b\": 2 \"c\": 3\n}")
    }
  }

  @Test func refusesNestingDeeperThanTheLimit() {
    let deep =
      String(repeating: "[", count: JSONParser.maximumDepth + 1)
      + String(repeating: "]", count: JSONParser.maximumDepth + 1)
    expectReason(BPKitJSONError.self) { try parse(deep) }
    let allowed =
      String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
    #expect((try? parse(allowed)) != nil)
  }

  /// A long array of numbers (over four megabytes of document left) is
  /// checked on every thread, a megabyte of text per piece: the same count
  /// and text as on one thread, marks where numbers begin, and every error
  /// named where one thread names it, pieces' ends and starts included.
  @Test func checksLongArraysOfNumbersOnEveryThreadAsOnOne() throws {
    var random = TestRandom(seed: 14)
    let numbers = (0..<400_000).map { _ in "\(random.unit())" }
    let head = "{\"a\": ["
    // Where each number's text begins in the document.
    var offsets: [Int] = []
    var offset = head.utf8.count
    for number in numbers {
      offsets.append(offset)
      offset += number.utf8.count + 2
    }
    func document(_ numbers: [String], tail: String = "]") -> String {
      head + numbers.joined(separator: ", ") + tail + ", \"b\": [1, 2]}"
    }
    func outcome(_ text: String, threads: Int) -> String {
      do {
        let value = try Kernels.with(threads: threads) { try parse(text) }
        guard case .object(let members) = value else { return value.typeName }
        return members.map { member in
          if case .numbers(let range, let count, _) = member.value {
            "\(member.key): \(range) \(count)"
          } else {
            "\(member.key): \(member.value.typeName)"
          }
        }.joined(separator: "; ")
      } catch {
        return "\(error)"
      }
    }
    let text = document(numbers)
    let threaded = try Kernels.with(threads: 3) { try parse(text) }
    let marks: [JSONValue.Mark] =
      if case .object(let members) = threaded, case .numbers(_, _, let marks) = members[0].value { marks } else { [] }
    #expect(marks.count >= 5, "\(marks)")
    let bytes = Array(text.utf8)
    for mark in marks {
      let first = bytes[mark.offset...].firstIndex { $0 != 0x20 }
      #expect(first == offsets[mark.index], "\(mark)")
    }
    // Numbers whose text spans the first pieces' nominal ends, and others.
    let boundaries = [1 << 20, 3 << 20].map { nominal in offsets.lastIndex { $0 <= nominal }! }
    var damaged = [0, 5_000, 399_999] + boundaries.flatMap { [$0 - 1, $0, $0 + 1] }
    damaged.sort()
    var cases = [(String, String)]()
    for index in damaged {
      for damage in ["1.e5", "\"x\"", "", "1 2"] {
        var changed = numbers
        changed[index] = damage
        cases.append(("\(index): \(damage)", document(changed)))
      }
    }
    cases.append(("trailing comma", document(numbers, tail: ", ]")))
    cases.append(("not closed", document(numbers, tail: ", 1}")))
    cases.append(("whole", text))
    for (name, text) in cases {
      let one = outcome(text, threads: 1)
      for threads in [2, 3] {
        #expect(outcome(text, threads: threads) == one, "\(name) on \(threads) threads")
      }
    }
    #expect(outcome(text, threads: 1).hasPrefix("a: \(head.utf8.count)..<\(text.utf8.count - 15) 400000; b: "))
  }

  /// A long array of numbers marks where every 65,536th number's text
  /// begins, for the threads that convert it.
  @Test func marksEvery65536thNumberOfALongArray() throws {
    let numbers = (0..<140_000).map { "\($0 % 7 == 0 ? -$0 : $0).5" }
    let text = "[" + numbers.joined(separator: ",\n ") + "]"
    let value = try parse(text)
    let marks: [JSONValue.Mark]? = if case .numbers(_, count: 140_000, let marks) = value { marks } else { nil }
    let bytes = Array(text.utf8)
    #expect(marks?.map(\.index) == [0, 65_536, 131_072], "\(value.typeName)")
    for (mark, index) in zip((marks ?? []).map(\.offset), [0, 65_536, 131_072]) {
      let expected = Array(numbers[index].utf8)
      #expect(Array(bytes[mark..<mark + expected.count]) == expected, "mark of number \(index)")
    }
  }

  /// An array of numbers is kept as its text and count, not one node per
  /// number; any other array is a tree, and errors are where they were.
  @Test func keepsArraysOfNumbersAsTheirTextAndCount() throws {
    guard case .numbers(let range, count: 3, let marks) = try parse("[1, -2.5e3,\n 0]") else {
      Issue.record("not kept as numbers")
      return
    }
    #expect(range == 1..<14)
    #expect(marks == [JSONValue.Mark(offset: 1, index: 0)])
    guard case .array(let elements) = try parse("[1, \"NaN\", 2]") else {
      Issue.record("a mixed array is not a tree")
      return
    }
    #expect(elements.map(\.typeName) == ["a number", "a string", "a number"])
    expectReason(BPKitJSONError.invalidSyntax(file: nil, line: 1, column: 4, detail: "expected ',' or ']' in an array"))
    {
      try parse("[1 2]")
    }
    expectReason(
      BPKitJSONError.invalidSyntax(
        file: nil, line: 2, column: 1,
        detail: "expected a value (object, array, string, number, true, false or null)")
    ) { try parse("[1, 2,\n]") }
    expectReason(BPKitJSONError.invalidSyntax(file: nil, line: 1, column: 6, detail: "a number needs digits")) {
      try parse("[1, -]")
    }
  }

  @Test func decodesEscapesAndSurrogatePairs() throws {
    let text = "\"tab\\t quote\\\" slash\\/ e\\u00e9 smile\\ud83d\\ude00\""
    let bytes = Array(text.utf8)
    let value = try bytes.withUnsafeBytes { try JSONParser.parse($0) }
    guard case .string(let range, true) = value else {
      Issue.record("not an escaped string")
      return
    }
    let decoded = bytes.withUnsafeBytes { JSONStrings.decode($0, range, hasEscapes: true) }
    #expect(decoded == "tab\t quote\" slash/ eé smile😀")
  }

  /// Long strings are scanned 32 bytes at a time: a quote, a backslash or
  /// a control character is found wherever it falls in a block, and an
  /// error names its column; the same on every kernel path (portable:
  /// byte by byte, as on a CPU without AVX2).
  @Test(arguments: Kernels.supported)
  func findsEveryStopInALongString(path: Kernels.Path) throws {
    try Kernels.with(path: path) { try findsEveryStop() }
  }

  private func findsEveryStop() throws {
    let plain = String(repeating: "abcdefghij", count: 10)
    for position in 0..<plain.count {
      let prefix = String(plain.prefix(position))
      let suffix = String(plain.dropFirst(position))
      let escaped = Array("\"\(prefix)\\\"\(suffix)\"".utf8)
      let value = try escaped.withUnsafeBytes { try JSONParser.parse($0) }
      guard case .string(let range, true) = value else {
        Issue.record("an escaped quote at \(position) is not kept as an escaped string")
        continue
      }
      #expect(escaped.withUnsafeBytes { JSONStrings.decode($0, range, hasEscapes: true) } == prefix + "\"" + suffix)
      expectReason(
        BPKitJSONError.invalidSyntax(
          file: nil, line: 1, column: position + 2, detail: "control characters must be escaped in strings")
      ) { try parse("\"\(prefix)\u{1F}\(suffix)\"") }
      guard case .string(let plainRange, false) = try parse("\"\(prefix)\"") else {
        Issue.record("a plain string of \(position) characters is not kept as one")
        continue
      }
      #expect(plainRange == 1..<position + 1)
    }
    expectReason(BPKitJSONError.invalidSyntax(file: nil, line: 1, column: 2, detail: "a string is not closed")) {
      try parse("\"" + plain)
    }
  }
}
