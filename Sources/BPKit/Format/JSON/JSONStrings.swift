/// Converting JSON string literals to and from Swift strings.
enum JSONStrings {
  /// The text of a string literal's contents (the bytes between its quotes),
  /// with escapes resolved. The parser has already checked the escapes.
  static func decode(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, hasEscapes: Bool) -> String {
    let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
    guard hasEscapes else { return String(decoding: slice, as: UTF8.self) }
    var scalars: [UInt8] = []
    scalars.reserveCapacity(slice.count)
    var index = 0
    var pendingHighSurrogate: UInt32?
    func append(_ scalar: UInt32) {
      let value = Unicode.Scalar(scalar) ?? "\u{FFFD}"
      scalars.append(contentsOf: Array(String(Character(value)).utf8))
    }
    while index < slice.count {
      let byte = slice[index]
      guard byte == UInt8(ascii: "\\") else {
        if let high = pendingHighSurrogate {
          append(high)
          pendingHighSurrogate = nil
        }
        scalars.append(byte)
        index += 1
        continue
      }
      let escaped = slice[index + 1]
      index += 2
      var code: UInt32?
      switch escaped {
      case UInt8(ascii: "b"): code = 0x08
      case UInt8(ascii: "f"): code = 0x0C
      case UInt8(ascii: "n"): code = 0x0A
      case UInt8(ascii: "r"): code = 0x0D
      case UInt8(ascii: "t"): code = 0x09
      case UInt8(ascii: "u"):
        let hex = String(decoding: UnsafeRawBufferPointer(rebasing: slice[index..<index + 4]), as: UTF8.self)
        index += 4
        let unit = UInt32(hex, radix: 16)!
        if (0xD800...0xDBFF).contains(unit) {
          if let high = pendingHighSurrogate { append(high) }
          pendingHighSurrogate = unit
          continue
        }
        if (0xDC00...0xDFFF).contains(unit), let high = pendingHighSurrogate {
          pendingHighSurrogate = nil
          append(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00))
          continue
        }
        code = unit
      default: code = UInt32(escaped)
      }
      if let high = pendingHighSurrogate {
        append(high)
        pendingHighSurrogate = nil
      }
      append(code!)
    }
    if let high = pendingHighSurrogate { append(high) }
    return String(decoding: scalars, as: UTF8.self)
  }

  /// Appends `text` as a JSON string literal, quotes included, escaping what RFC 8259 requires.
  static func appendLiteral(_ text: String, to output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
      case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
      case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
      case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
      case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
      case 0..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
      default: output.append(byte)
      }
    }
    output.append(UInt8(ascii: "\""))
  }
}
