internal import CKernels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A strict RFC 8259 parser over a byte buffer.
///
/// Strings and numbers are not copied: the tree records where they are, and
/// ``JSONCursor`` converts them when the decoder asks. Finding the end of a
/// long string uses CKernels' vector scan, so a base64 tensor is crossed at memory speed.
struct JSONParser {
  private let bytes: UnsafeRawBufferPointer
  private let mapped: Bool
  private var position = 0
  private var depth = 0

  /// Nesting beyond this is refused, so a hostile document cannot exhaust the stack.
  static let maximumDepth = 256

  /// Parses one JSON value that must fill the whole buffer (whitespace aside).
  ///
  /// With `mapped`, `bytes` is a read-only file mapping, and the pages of
  /// long strings are let go once checked; decoding reads them again from
  /// the page cache, so memory holds the decoded tensors, not their text too.
  static func parse(_ bytes: UnsafeRawBufferPointer, mapped: Bool = false) throws(BPKitJSONError) -> JSONValue {
    var parser = JSONParser(bytes: bytes, mapped: mapped)
    parser.skipWhitespace()
    let value = try parser.parseValue()
    parser.skipWhitespace()
    guard parser.position == bytes.count else { throw parser.failure("unexpected text after the document's end") }
    return value
  }

  private init(bytes: UnsafeRawBufferPointer, mapped: Bool) {
    self.bytes = bytes
    self.mapped = mapped
  }

  private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

  private mutating func skipWhitespace() {
    while position < bytes.count {
      switch bytes[position] {
      case 0x20, 0x09, 0x0A, 0x0D: position += 1
      default: return
      }
    }
  }

  private mutating func parseValue() throws(BPKitJSONError) -> JSONValue {
    guard let byte = current else { throw failure("the document ends where a value was expected") }
    switch byte {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""):
      let (range, escapes) = try parseString()
      return .string(range, hasEscapes: escapes)
    case UInt8(ascii: "t"):
      try expectLiteral("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expectLiteral("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expectLiteral("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return .number(try parseNumber())
    default:
      throw failure("expected a value (object, array, string, number, true, false or null)")
    }
  }

  private mutating func expectLiteral(_ literal: StaticString) throws(BPKitJSONError) {
    let count = literal.utf8CodeUnitCount
    guard position + count <= bytes.count,
      memcmp(bytes.baseAddress! + position, literal.utf8Start, count) == 0
    else { throw failure("expected '\(literal)'") }
    position += count
  }

  private mutating func enter() throws(BPKitJSONError) {
    depth += 1
    guard depth <= Self.maximumDepth else { throw failure("nesting deeper than \(Self.maximumDepth) levels") }
  }

  private mutating func parseObject() throws(BPKitJSONError) -> JSONValue {
    try enter()
    defer { depth -= 1 }
    position += 1
    var members: [(key: String, value: JSONValue)] = []
    skipWhitespace()
    if current == UInt8(ascii: "}") {
      position += 1
      return .object(members)
    }
    var seen = Set<String>()
    while true {
      skipWhitespace()
      guard current == UInt8(ascii: "\"") else { throw failure("expected a member name in double quotes") }
      let keyStart = position
      let (range, escapes) = try parseString()
      let key = JSONStrings.decode(bytes, range, hasEscapes: escapes)
      guard seen.insert(key).inserted else {
        position = keyStart
        throw failure("the member name '\(key)' appears twice in one object")
      }
      skipWhitespace()
      guard current == UInt8(ascii: ":") else { throw failure("expected ':' after a member name") }
      position += 1
      skipWhitespace()
      members.append((key, try parseValue()))
      skipWhitespace()
      switch current {
      case UInt8(ascii: ","): position += 1
      case UInt8(ascii: "}"):
        position += 1
        return .object(members)
      default: throw failure("expected ',' or '}' in an object")
      }
    }
  }

  private mutating func parseArray() throws(BPKitJSONError) -> JSONValue {
    try enter()
    defer { depth -= 1 }
    position += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if current == UInt8(ascii: "]") {
      position += 1
      return .array(elements)
    }
    let threads = max(1, Int(bpk_kernels_current_threads()))
    if threads > 1, bytes.count - position >= Self.threadedMinimum, let numbers = numbersOnThreads(threads) {
      return numbers
    }
    if let numbers = try parseNumbers() { return numbers }
    while true {
      skipWhitespace()
      elements.append(try parseValue())
      skipWhitespace()
      switch current {
      case UInt8(ascii: ","): position += 1
      case UInt8(ascii: "]"):
        position += 1
        return .array(elements)
      default: throw failure("expected ',' or ']' in an array")
      }
    }
  }

  /// Parses the rest of an array, from its first element, when every
  /// element is a number: `.numbers` with the text's range and the count.
  /// Returns `nil`, the position back at the first element, at the first
  /// element that is not a number, for ``parseArray()`` to parse it as any
  /// array (and report what is wrong there). A syntax error is reported
  /// where the element-by-element parse would report it.
  private mutating func parseNumbers() throws(BPKitJSONError) -> JSONValue? {
    let start = position
    var count = 0
    var marks: [JSONValue.Mark] = []
    var released = start
    let text = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
    let end = bytes.count
    var index = position
    while true {
      guard index < end, text[index] == UInt8(ascii: "-") || (text[index] &- UInt8(ascii: "0")) < 10 else {
        position = start
        return nil
      }
      if count & (Self.markInterval - 1) == 0 { marks.append(JSONValue.Mark(offset: index, index: count)) }
      if let after = Self.numberEnd(text, from: index, to: end) {
        index = after
      } else {
        // Not a number after all: the full parser says what is wrong, and where.
        position = index
        _ = try parseNumber()
        index = position
      }
      count += 1
      while index < end, Self.isWhitespace(text[index]) { index += 1 }
      if index < end, text[index] == UInt8(ascii: ",") {
        index += 1
        while index < end, Self.isWhitespace(text[index]) { index += 1 }
      } else if index < end, text[index] == UInt8(ascii: "]") {
        position = index + 1
        releaseMapped(released..<index)
        return .numbers(start..<index, count: count, marks: marks)
      } else {
        position = index
        throw failure("expected ',' or ']' in an array")
      }
      // The text checked so far need not stay in memory: the tensor reader
      // reads it again from the file's pages, a stretch at a time.
      if index - released >= Self.releaseStretch {
        releaseMapped(released..<index)
        released = index
      }
    }
  }

  /// Where the number starting at `start` ends, when it follows RFC 8259's
  /// grammar (as ``parseNumber()`` checks it), or `nil` when it does not.
  @inline(__always)
  private static func numberEnd(_ text: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int? {
    @inline(__always) func isDigit(_ index: Int) -> Bool { index < end && (text[index] &- UInt8(ascii: "0")) < 10 }
    var index = start
    if text[index] == UInt8(ascii: "-") { index += 1 }
    if index < end, text[index] == UInt8(ascii: "0") {
      index += 1
    } else {
      guard isDigit(index) else { return nil }
      repeat { index += 1 } while isDigit(index)
    }
    if index < end, text[index] == UInt8(ascii: ".") {
      index += 1
      guard isDigit(index) else { return nil }
      repeat { index += 1 } while isDigit(index)
    }
    if index < end, text[index] | 0x20 == UInt8(ascii: "e") {
      index += 1
      if index < end, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") { index += 1 }
      guard isDigit(index) else { return nil }
      repeat { index += 1 } while isDigit(index)
    }
    return index
  }

  @inline(__always)
  private static func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
  }

  /// How many numbers of an array lie between two of its marks
  /// (`JSONValue.numbers`) when it is checked on one thread.
  static let markInterval = 1 << 16

  /// With fewer bytes than this left in the document, an array is checked
  /// on one thread.
  static let threadedMinimum = 4 << 20

  /// How much text of a long array of numbers one thread checks at a time.
  static let threadedPiece = 1 << 20

  /// A piece's outcome: it ends just after a comma, where the next piece
  /// begins, holding `count` numbers; it holds the array's last number, its
  /// `]` at `end`; or it holds something else than numbers in JSON's
  /// grammar, commas and whitespace.
  private enum PieceCheck {
    case continues(count: Int)
    case ends(count: Int, end: Int)
    case irregular
  }

  /// Checks an array of numbers from its first element, pieces of about
  /// ``threadedPiece`` bytes on `threads` threads at a time (each piece cut
  /// just after a comma), with ``parseNumbers()``'s outcome when every
  /// element is a number in JSON's grammar and the array closes; marks are
  /// where the pieces begin. Returns `nil`, the position unmoved, at
  /// anything else, for ``parseNumbers()`` to find it again on one thread
  /// and say what and where it is, as it always does.
  private mutating func numbersOnThreads(_ threads: Int) -> JSONValue? {
    let start = position
    let outcomes = UnsafeMutableBufferPointer<PieceCheck>.allocate(capacity: threads)
    defer { outcomes.deallocate() }
    let starts = UnsafeMutableBufferPointer<Int>.allocate(capacity: threads)
    defer { starts.deallocate() }
    nonisolated(unsafe) let (shared, pieceStarts) = (outcomes, starts)
    nonisolated(unsafe) let (text, document) = (bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes)
    let (end, piece, mapped) = (bytes.count, Self.threadedPiece, mapped)
    var marks: [JSONValue.Mark] = []
    var count = 0
    var first = 0
    while true {
      let round = first
      TensorJSON.onThreads(threads) { thread in
        // Where piece `index` begins: the array's first element, or just
        // after the first comma from its nominal offset on.
        func pieceStart(_ index: Int) -> Int? {
          if index == 0 { return start }
          var next = start + index * piece
          while next < end {
            let byte = text[next]
            if byte == UInt8(ascii: ",") { return next + 1 }
            guard Self.isNumberByte(byte) else { return nil }
            next += 1
          }
          return nil
        }
        guard let from = pieceStart(round + thread) else {
          shared[thread] = .irregular
          return
        }
        let to = pieceStart(round + thread + 1)
        let outcome = Self.checkPiece(text, from: from, to: to, end: end)
        (shared[thread], pieceStarts[thread]) = (outcome, from)
        if mapped {
          switch outcome {
          case .continues: Self.release(document, from..<(to ?? from))
          case .ends(_, let close): Self.release(document, from..<close)
          case .irregular: break
          }
        }
      }
      // Each piece begins where the one before it ended.
      for thread in 0..<threads {
        switch outcomes[thread] {
        case .irregular:
          return nil
        case .continues(let found):
          marks.append(JSONValue.Mark(offset: starts[thread], index: count))
          count += found
        case .ends(let found, let close):
          marks.append(JSONValue.Mark(offset: starts[thread], index: count))
          count += found
          position = close + 1
          return .numbers(start..<close, count: count, marks: marks)
        }
      }
      first += threads
    }
  }

  /// Checks numbers from `from` (whitespace, then a number) to just after
  /// the comma before `next`, or to the array's `]`.
  private static func checkPiece(_ text: UnsafePointer<UInt8>, from: Int, to next: Int?, end: Int) -> PieceCheck {
    var index = from
    var count = 0
    while true {
      while index < end, isWhitespace(text[index]) { index += 1 }
      guard index < end, text[index] == UInt8(ascii: "-") || (text[index] &- UInt8(ascii: "0")) < 10,
        let after = numberEnd(text, from: index, to: end)
      else { return .irregular }
      index = after
      count += 1
      while index < end, isWhitespace(text[index]) { index += 1 }
      guard index < end else { return .irregular }
      if text[index] == UInt8(ascii: ",") {
        index += 1
        if index == next { return .continues(count: count) }
      } else if text[index] == UInt8(ascii: "]") {
        return .ends(count: count, end: index)
      } else {
        return .irregular
      }
    }
  }

  /// Bytes an array of numbers is made of: digits, signs, points,
  /// exponents, commas and whitespace.
  @inline(__always)
  private static func isNumberByte(_ byte: UInt8) -> Bool {
    (byte &- UInt8(ascii: "0")) < 10 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
      || byte | 0x20 == UInt8(ascii: "e") || byte == UInt8(ascii: "+") || isWhitespace(byte)
  }

  private static func release(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
    JSONCursor(value: .null, path: .root, bytes: bytes, mapped: true).release(range)
  }

  /// How much checked text of a long array or string may stay mapped before its pages are let go.
  static let releaseStretch = 4 << 20

  private func releaseMapped(_ range: Range<Int>) {
    guard mapped, range.count >= Self.releaseStretch else { return }
    JSONCursor(value: .null, path: .root, bytes: bytes, mapped: true).release(range)
  }

  /// Parses a string starting at its opening quote; returns the range between
  /// the quotes and whether it holds escapes.
  private mutating func parseString() throws(BPKitJSONError) -> (Range<Int>, Bool) {
    position += 1
    let start = position
    var hasEscapes = false
    let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
    while true {
      // Up to the next quote, backslash or control character, 32 bytes at a
      // time (CKernels), so long strings (base64 tensors) cost little to check.
      let stop = position + bpk_json_string_stop(base + position, bytes.count - position)
      guard stop < bytes.count else { throw failure("a string is not closed") }
      let byte = base[stop]
      if byte == UInt8(ascii: "\"") {
        position = stop + 1
        if mapped, stop - start > 1 << 20 {
          JSONCursor(value: .null, path: .root, bytes: bytes, mapped: true).release(start..<stop)
        }
        return (start..<stop, hasEscapes)
      }
      position = stop
      guard byte == UInt8(ascii: "\\") else { throw failure("control characters must be escaped in strings") }
      hasEscapes = true
      let index = stop + 1
      guard index < bytes.count else {
        position = index
        throw failure("a string is not closed")
      }
      switch base[index] {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
        position = index + 1
      case UInt8(ascii: "u"):
        guard index + 4 < bytes.count, (1...4).allSatisfy({ Self.isHexDigit(base[index + $0]) }) else {
          position = index
          throw failure("\\u must be followed by four hexadecimal digits")
        }
        position = index + 5
      default:
        position = index
        throw failure("unknown escape sequence in a string")
      }
    }
  }

  private static func isHexDigit(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
      UInt8(ascii: "A")...UInt8(ascii: "F"):
      true
    default: false
    }
  }

  /// Checks a number against RFC 8259's grammar:
  /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
  private mutating func parseNumber() throws(BPKitJSONError) -> Range<Int> {
    let start = position
    func digits(_ parser: inout JSONParser) -> Int {
      let first = parser.position
      while let byte = parser.current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { parser.position += 1 }
      return parser.position - first
    }
    if current == UInt8(ascii: "-") { position += 1 }
    if current == UInt8(ascii: "0") {
      position += 1
    } else if digits(&self) == 0 {
      throw failure("a number needs digits")
    }
    if current == UInt8(ascii: ".") {
      position += 1
      guard digits(&self) > 0 else { throw failure("a number needs digits after its decimal point") }
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      position += 1
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
      guard digits(&self) > 0 else { throw failure("a number needs digits in its exponent") }
    }
    return start..<position
  }

  private func failure(_ detail: String) -> BPKitJSONError {
    var line = 1
    var lineStart = 0
    for index in 0..<min(position, bytes.count) where bytes[index] == 0x0A {
      line += 1
      lineStart = index + 1
    }
    return .invalidSyntax(file: nil, line: line, column: position - lineStart + 1, detail: detail)
  }
}
