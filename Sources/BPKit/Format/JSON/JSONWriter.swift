/// Writes a JSON document value by value, indenting objects and arrays two
/// spaces per level; arrays of numbers can be kept on one line.
final class JSONWriter {
  private struct Level {
    var count = 0
    let inline: Bool
  }

  let output: JSONOutput
  private var levels: [Level] = []
  private var afterKey = false

  init(output: JSONOutput) {
    self.output = output
  }

  /// Writes the separator and indentation that precede a member or element.
  private func prefix() throws(BPKitJSONError) {
    if afterKey {
      afterKey = false
      return
    }
    guard let level = levels.last else { return }
    if level.count > 0 { try output.append(byte: UInt8(ascii: ",")) }
    if level.inline {
      if level.count > 0 { try output.append(byte: UInt8(ascii: " ")) }
    } else {
      try output.append("\n" + String(repeating: "  ", count: levels.count))
    }
    levels[levels.count - 1].count += 1
  }

  func key(_ name: String) throws(BPKitJSONError) {
    try prefix()
    try output.appendLiteral(name)
    try output.append(": ")
    afterKey = true
  }

  func beginObject(inline: Bool = false) throws(BPKitJSONError) {
    try prefix()
    try output.append(byte: UInt8(ascii: "{"))
    levels.append(Level(inline: inline))
  }

  func endObject() throws(BPKitJSONError) {
    try close(UInt8(ascii: "}"))
  }

  func beginArray(inline: Bool = false) throws(BPKitJSONError) {
    try prefix()
    try output.append(byte: UInt8(ascii: "["))
    levels.append(Level(inline: inline))
  }

  func endArray() throws(BPKitJSONError) {
    try close(UInt8(ascii: "]"))
  }

  private func close(_ bracket: UInt8) throws(BPKitJSONError) {
    let level = levels.removeLast()
    if level.count > 0 && !level.inline { try output.append("\n" + String(repeating: "  ", count: levels.count)) }
    try output.append(byte: bracket)
    if levels.isEmpty { try output.append(byte: 0x0A) }
  }

  func string(_ value: String) throws(BPKitJSONError) {
    try prefix()
    try output.appendLiteral(value)
  }

  /// Writes already-formatted JSON text, such as a number.
  func raw(_ text: String) throws(BPKitJSONError) {
    try prefix()
    try output.append(text)
  }

  func integer<T: BinaryInteger>(_ value: T) throws(BPKitJSONError) { try raw(String(value)) }

  func bool(_ value: Bool) throws(BPKitJSONError) { try raw(value ? "true" : "false") }

  func null() throws(BPKitJSONError) { try raw("null") }

  /// A 64-bit float in its shortest round-trip form; NaN and the infinities,
  /// which JSON numbers cannot hold, as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
  func real(_ value: Double) throws(BPKitJSONError) {
    if value.isNaN {
      try string("NaN")
    } else if value.isInfinite {
      try string(value > 0 ? "Infinity" : "-Infinity")
    } else {
      try raw(value.description)
    }
  }

  /// Writes `name: value` for an optional value, or nothing when it is `nil`.
  func member<T>(_ name: String, _ value: T?, _ write: (T) throws(BPKitJSONError) -> Void) throws(BPKitJSONError) {
    guard let value else { return }
    try key(name)
    try write(value)
  }

  /// Lets the caller write raw bytes of a value (a long string, say) after the prefix.
  func beginRawValue() throws(BPKitJSONError) {
    try prefix()
  }
}
