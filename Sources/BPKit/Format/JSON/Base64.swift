internal import CKernels

/// Base64 (RFC 4648, standard alphabet, with padding) over raw buffers, at
/// memory speed.
///
/// Foundation's `Data.base64EncodedString` builds the whole text in memory;
/// bpkit encodes chunk by chunk into its output buffer instead, so converting
/// a large model never holds a second copy of its weights. The bulk goes
/// through CKernels' AVX2 codec (`bpk_base64_encode_blocks`,
/// `bpk_base64_decode_blocks`: Muła and Lemire's method, 32 characters per
/// step); the tail, the padding, processors without AVX2 and the blocks
/// that hold an error go through the table-driven code here, which finds
/// and reports every error.
enum Base64 {
  private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  /// Two output characters for every 12 input bits, laid out so that storing
  /// the value writes the first character first on any byte order.
  private static let pairs: [UInt16] = (0..<4096).map { index in
    (UInt16(alphabet[index >> 6]) | UInt16(alphabet[index & 63]) << 8).littleEndian
  }

  /// The 6-bit value of each character, or 0xFF for characters outside the alphabet.
  private static let values: [UInt8] = {
    var table = [UInt8](repeating: 0xFF, count: 256)
    for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
    return table
  }()

  /// The value of a character in each of a group's four positions, already
  /// shifted into place; characters outside the alphabet set bit 24 in every
  /// table, so one comparison checks a whole group (as in Chromium's decoder).
  private static let shifted: [UInt32] = (0..<4).flatMap { position in
    values.map { $0 == 0xFF ? UInt32(1) << 24 : UInt32($0) << (18 - 6 * UInt32(position)) }
  }

  /// The number of characters that encode `byteCount` bytes, padding included.
  static func encodedCount(_ byteCount: Int) -> Int { (byteCount + 2) / 3 * 4 }

  /// Encodes `input` into `output`, which must hold `encodedCount(input.count)`
  /// bytes; pads the last group. Returns the number of characters written.
  @discardableResult
  static func encode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawPointer) -> Int {
    let whole = input.count / 3
    guard let source = input.baseAddress else { return 0 }
    let vectorBytes = bpk_base64_encode_blocks(
      source.assumingMemoryBound(to: UInt8.self), input.count, output.assumingMemoryBound(to: UInt8.self))
    pairs.withUnsafeBufferPointer { pairs in
      var inOffset = vectorBytes
      var outOffset = vectorBytes / 3 * 4
      for _ in (vectorBytes / 3)..<whole {
        let word =
          UInt32(source.load(fromByteOffset: inOffset, as: UInt8.self)) << 16
          | UInt32(source.load(fromByteOffset: inOffset + 1, as: UInt8.self)) << 8
          | UInt32(source.load(fromByteOffset: inOffset + 2, as: UInt8.self))
        output.storeBytes(of: pairs[Int(word >> 12)], toByteOffset: outOffset, as: UInt16.self)
        output.storeBytes(of: pairs[Int(word & 0xFFF)], toByteOffset: outOffset + 2, as: UInt16.self)
        inOffset += 3
        outOffset += 4
      }
    }
    var written = whole * 4
    let rest = input.count - whole * 3
    if rest > 0 {
      let b0 = UInt32(input[whole * 3])
      let b1 = rest > 1 ? UInt32(input[whole * 3 + 1]) : 0
      let word = b0 << 16 | b1 << 8
      output.storeBytes(of: alphabet[Int(word >> 18)], toByteOffset: written, as: UInt8.self)
      output.storeBytes(of: alphabet[Int(word >> 12 & 63)], toByteOffset: written + 1, as: UInt8.self)
      let third = rest > 1 ? alphabet[Int(word >> 6 & 63)] : UInt8(ascii: "=")
      output.storeBytes(of: third, toByteOffset: written + 2, as: UInt8.self)
      output.storeBytes(of: UInt8(ascii: "="), toByteOffset: written + 3, as: UInt8.self)
      written += 4
    }
    return written
  }

  /// The number of bytes `text` decodes to, or `nil` when its length or
  /// padding is not that of padded base64.
  static func decodedCount(_ text: UnsafeRawBufferPointer) -> Int? {
    guard text.count % 4 == 0 else { return nil }
    guard text.count > 0 else { return 0 }
    var padding = 0
    if text[text.count - 1] == UInt8(ascii: "=") { padding += 1 }
    if text[text.count - 2] == UInt8(ascii: "=") { padding += 1 }
    return text.count / 4 * 3 - padding
  }

  /// Decodes padded base64 into `output`, which must hold exactly
  /// `decodedCount(text)` bytes.
  ///
  /// - Returns: `nil` on success, or the offset of the first character that
  ///   is not base64.
  static func decode(_ text: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
    guard let count = decodedCount(text), count == output.count else { return 0 }
    guard count > 0, let source = text.baseAddress, let target = output.baseAddress else { return nil }
    let groups = text.count / 4
    let fullGroups = count / 3 == groups ? groups : groups - 1
    // Padding is outside the alphabet, so the vector loop stops before it.
    let vectorGroups =
      bpk_base64_decode_blocks(
        source.assumingMemoryBound(to: UInt8.self), text.count, target.assumingMemoryBound(to: UInt8.self),
        output.count) / 4
    let failed: Int? = shifted.withUnsafeBufferPointer { tables in
      let t = tables.baseAddress!
      var inOffset = vectorGroups * 4
      var outOffset = vectorGroups * 3
      for group in vectorGroups..<fullGroups {
        let word =
          t[Int(source.load(fromByteOffset: inOffset, as: UInt8.self))]
          | t[256 + Int(source.load(fromByteOffset: inOffset + 1, as: UInt8.self))]
          | t[512 + Int(source.load(fromByteOffset: inOffset + 2, as: UInt8.self))]
          | t[768 + Int(source.load(fromByteOffset: inOffset + 3, as: UInt8.self))]
        if word >= 1 << 24 { return inOffset }
        if group + 1 < fullGroups {
          // Four bytes at once; the fourth is overwritten by the next group.
          target.storeBytes(of: (word << 8).bigEndian, toByteOffset: outOffset, as: UInt32.self)
        } else {
          target.storeBytes(of: UInt8(truncatingIfNeeded: word >> 16), toByteOffset: outOffset, as: UInt8.self)
          target.storeBytes(of: UInt8(truncatingIfNeeded: word >> 8), toByteOffset: outOffset + 1, as: UInt8.self)
          target.storeBytes(of: UInt8(truncatingIfNeeded: word), toByteOffset: outOffset + 2, as: UInt8.self)
        }
        inOffset += 4
        outOffset += 3
      }
      return nil
    }
    if let failed { return failed + firstInvalid(text, from: failed) }
    if fullGroups < groups {
      // The padded last group: "xx==" holds one byte, "xxx=" two.
      let offset = fullGroups * 4
      let remaining = count - fullGroups * 3
      var word: UInt32 = 0
      for index in 0..<(remaining + 1) {
        let value = values[Int(text[offset + index])]
        guard value != 0xFF else { return offset + index }
        word |= UInt32(value) << (18 - 6 * UInt32(index))
      }
      for index in 0..<remaining {
        output[fullGroups * 3 + index] = UInt8(truncatingIfNeeded: word >> (16 - 8 * index))
      }
      // The unused low bits must be zero for the text to be canonical.
      let usedBits = remaining * 8
      guard word & ((1 << (24 - UInt32(usedBits))) - 1) == 0 else { return offset + remaining }
    }
    return nil
  }

  private static func firstInvalid(_ text: UnsafeRawBufferPointer, from group: Int) -> Int {
    (0..<4).first { values[Int(text[group + $0])] == 0xFF } ?? 0
  }
}
