#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A parsed value together with its place in the document, for decoders that
/// report every schema violation with the JSONPath of the offending value.
struct JSONCursor {
  let value: JSONValue
  let path: JSONPath
  let bytes: UnsafeRawBufferPointer
  /// Whether `bytes` is a read-only file mapping whose pages may be dropped
  /// once decoded (they would be read from the file again if touched).
  var mapped = false

  /// The error for a value that breaks the schema here.
  func violation(_ detail: String) -> BPKitJSONError {
    .schemaViolation(file: nil, path: path.description, detail: detail)
  }

  var isNull: Bool {
    if case .null = value { return true }
    return false
  }

  /// The value as an object whose members may only be `allowed`.
  func object(allowing allowed: Set<String>) throws(BPKitJSONError) -> JSONObjectCursor {
    guard case .object(let members) = value else { throw violation("expected an object, found \(value.typeName)") }
    for member in members where !allowed.contains(member.key) {
      throw JSONCursor(value: member.value, path: path.appending(member.key), bytes: bytes, mapped: mapped)
        .violation("unknown member; expected only \(allowed.sorted().joined(separator: ", "))")
    }
    return JSONObjectCursor(members: members, path: path, bytes: bytes, mapped: mapped)
  }

  /// The value as an object with any member names (a map).
  func map() throws(BPKitJSONError) -> [(key: String, value: JSONCursor)] {
    guard case .object(let members) = value else { throw violation("expected an object, found \(value.typeName)") }
    return members.map {
      ($0.key, JSONCursor(value: $0.value, path: path.appending($0.key), bytes: bytes, mapped: mapped))
    }
  }

  /// The value as an array, element by element.
  func array() throws(BPKitJSONError) -> [JSONCursor] {
    let elements: [JSONValue]
    switch value {
    case .array(let values): elements = values
    case .numbers(let range, let count, _):
      elements = Self.numberRanges(in: range, count: count, of: bytes).map { .number($0) }
    default: throw violation("expected an array, found \(value.typeName)")
    }
    return elements.enumerated().map {
      JSONCursor(value: $0.element, path: path.appending($0.offset), bytes: bytes, mapped: mapped)
    }
  }

  /// Where each number of a `.numbers` array's text is.
  static func numberRanges(in range: Range<Int>, count: Int, of bytes: UnsafeRawBufferPointer) -> [Range<Int>] {
    var ranges: [Range<Int>] = []
    ranges.reserveCapacity(count)
    var index = range.lowerBound
    while index < range.upperBound {
      while index < range.upperBound, isSeparator(bytes[index]) { index += 1 }
      let start = index
      while index < range.upperBound, !isSeparator(bytes[index]) { index += 1 }
      if start < index { ranges.append(start..<index) }
    }
    return ranges
  }

  /// Whether `byte` lies between the numbers of an array: a comma or JSON whitespace.
  @inline(__always)
  static func isSeparator(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: ",") || byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
  }

  func string() throws(BPKitJSONError) -> String {
    guard case .string(let range, let escapes) = value else {
      throw violation("expected a string, found \(value.typeName)")
    }
    return JSONStrings.decode(bytes, range, hasEscapes: escapes)
  }

  /// The value as one of a fixed set of strings.
  func string(oneOf choices: [String]) throws(BPKitJSONError) -> String {
    let text = try string()
    guard choices.contains(text) else {
      throw violation("expected one of \(choices.joined(separator: ", ")), found '\(text)'")
    }
    return text
  }

  /// Tells the system that the document's bytes in `range` are no longer
  /// needed, when they come from a mapped file: after a large tensor has been
  /// decoded, its text need not stay in memory beside it.
  func release(_ range: Range<Int>) {
    guard mapped, let base = bytes.baseAddress else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = (base + range.lowerBound).alignedUp(toMultipleOf: page)
    let end = (base + range.upperBound).alignedDown(toMultipleOf: page)
    guard start < end else { return }
    _ = madvise(UnsafeMutableRawPointer(mutating: start), start.distance(to: end), MADV_DONTNEED)
  }

  func bool() throws(BPKitJSONError) -> Bool {
    guard case .bool(let flag) = value else { throw violation("expected true or false, found \(value.typeName)") }
    return flag
  }

  /// The number's text, for values that must be numbers.
  func numberText() throws(BPKitJSONError) -> String {
    guard case .number(let range) = value else { throw violation("expected a number, found \(value.typeName)") }
    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
  }

  /// A whole number within `range`. Like JSON Schema's `integer`, `2.0` counts.
  func integer(in range: ClosedRange<Int> = Int.min...Int.max) throws(BPKitJSONError) -> Int {
    let expectation =
      range.lowerBound == Int.min
      ? "an integer"
      : range.upperBound == Int.max
        ? "an integer >= \(range.lowerBound)" : "an integer from \(range.lowerBound) to \(range.upperBound)"
    guard case .number = value else { throw violation("expected \(expectation), found \(value.typeName)") }
    let text = try numberText()
    let whole: Int?
    if let exact = Int(text) {
      whole = exact
    } else if let real = Double(text), real.rounded() == real, abs(real) < 0x1p62 {
      whole = Int(real)
    } else {
      whole = nil
    }
    guard let whole, range.contains(whole) else { throw violation("expected \(expectation), found \(text)") }
    return whole
  }

  /// A whole number from 0 to 2^64 − 1.
  func unsigned64() throws(BPKitJSONError) -> UInt64 {
    let text = try numberText()
    guard let whole = UInt64(text) else {
      throw violation("expected an integer from 0 to 18446744073709551615, found \(text)")
    }
    return whole
  }

  /// A 64-bit floating-point number, or one of the strings `"NaN"`,
  /// `"Infinity"` and `"-Infinity"` that stand for what JSON numbers cannot hold.
  func real() throws(BPKitJSONError) -> Double {
    if case .string = value {
      switch try string() {
      case "NaN": return .nan
      case "Infinity": return .infinity
      case "-Infinity": return -.infinity
      case let other: throw violation("expected a number or one of NaN, Infinity, -Infinity, found '\(other)'")
      }
    }
    guard case .number = value else { throw violation("expected a number, found \(value.typeName)") }
    let text = try numberText()
    guard let real = Double(text), real.isFinite else {
      throw violation("expected a number within the range of a 64-bit float, found \(text)")
    }
    return real
  }

  /// A finite number within `range`.
  func finite(in range: ClosedRange<Double>, _ expectation: String) throws(BPKitJSONError) -> Double {
    let real = try real()
    guard real.isFinite, range.contains(real) else { throw violation("expected \(expectation), found \(real)") }
    return real
  }
}

/// An object's members, looked up by name with their paths.
struct JSONObjectCursor {
  let members: [(key: String, value: JSONValue)]
  let path: JSONPath
  let bytes: UnsafeRawBufferPointer
  var mapped = false

  /// The member named `key`, or `nil` when absent.
  func optional(_ key: String) -> JSONCursor? {
    guard let member = members.first(where: { $0.key == key }) else { return nil }
    return JSONCursor(value: member.value, path: path.appending(key), bytes: bytes, mapped: mapped)
  }

  /// The member named `key`, which must be present.
  func required(_ key: String) throws(BPKitJSONError) -> JSONCursor {
    guard let member = optional(key) else {
      throw BPKitJSONError.schemaViolation(
        file: nil, path: path.description, detail: "missing the required member '\(key)'")
    }
    return member
  }
}
