/// Base64 of bytes handed over in pieces of any length, encoded straight
/// into a JSON output: the text that one ``Base64/encode(_:into:)`` of all
/// the pieces together gives. Base64 encodes three bytes at a time, so up to
/// two bytes at the end of a piece wait for the next one, or for ``finish()``.
final class Base64Stream {
  private let output: JSONOutput
  /// The bytes waiting for a group of three, at most two between calls.
  private var carry: [UInt8] = []

  init(output: JSONOutput) {
    self.output = output
    carry.reserveCapacity(3)
  }

  /// Encodes `bytes` after the ones given before.
  func append(_ bytes: UnsafeRawBufferPointer) throws(BPKitJSONError) {
    var start = 0
    while !carry.isEmpty, carry.count < 3, start < bytes.count {
      carry.append(bytes[start])
      start += 1
    }
    if carry.count == 3 { try encodeCarry() }
    let end = start + (bytes.count - start) / 3 * 3
    // Whole megabytes of text at a time, each a multiple of three bytes, so no padding falls inside.
    let chunk = (JSONOutput.directLimit / 4) * 3
    while start < end {
      let next = min(start + chunk, end)
      let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<next])
      try output.appendDirect(maximumCount: Base64.encodedCount(slice.count)) { Base64.encode(slice, into: $0) }
      start = next
    }
    carry.append(contentsOf: bytes[end...])
  }

  /// Encodes the bytes still waiting, padded: the end of the text.
  func finish() throws(BPKitJSONError) {
    guard !carry.isEmpty else { return }
    try encodeCarry()
  }

  private func encodeCarry() throws(BPKitJSONError) {
    let bytes = carry
    carry.removeAll(keepingCapacity: true)
    try rethrowing(BPKitJSONError.self) {
      try bytes.withUnsafeBytes { group in
        try output.appendDirect(maximumCount: Base64.encodedCount(group.count)) { Base64.encode(group, into: $0) }
      }
    }
  }
}
