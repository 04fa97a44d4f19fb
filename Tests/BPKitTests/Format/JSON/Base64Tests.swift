import Foundation
import Testing

@testable import BPKit

@Suite struct Base64Tests {
  /// Every kernel path this CPU runs: the vector codec (AVX2, AVX-512) and
  /// the table-driven code alone (portable), which a CPU without AVX2 runs.
  static let paths = Kernels.supported

  /// Lengths cover the vector codec's whole blocks (24 bytes, 32
  /// characters) and every tail the table-driven code finishes; on every
  /// path the text is Foundation's, byte for byte, and decodes back.
  @Test(arguments: paths)
  func encodesAsFoundationDoesForEveryTailLength(path: Kernels.Path) throws {
    try Kernels.with(path: path) { encodesAsFoundationDoes() }
  }

  private func encodesAsFoundationDoes() {
    var random = TestRandom(seed: 3)
    for count in Array(0...200) + [1000, 1001, 1002, 65_537, 1 << 20] {
      let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
      let expected = Data(bytes).base64EncodedString()
      var output = [UInt8](repeating: 0, count: Base64.encodedCount(count))
      let written = bytes.withUnsafeBytes { input in
        output.withUnsafeMutableBytes { Base64.encode(input, into: $0.baseAddress!) }
      }
      #expect(written == output.count)
      #expect(String(decoding: output, as: UTF8.self) == expected)

      let text = Array(expected.utf8)
      var decoded = [UInt8](repeating: 0, count: count)
      let failure = text.withUnsafeBytes { input in decoded.withUnsafeMutableBytes { Base64.decode(input, into: $0) } }
      #expect(failure == nil)
      #expect(decoded == bytes)
    }
  }

  @Test(arguments: [("AAA*", 3), ("A=AA", 1), ("AB==", 1), ("AAB=", 2), ("!AAAAAAA", 0), ("AAAA AAA", 4)])
  func rejectsTextThatIsNotCanonicalBase64(text: String, offset: Int) {
    let input = Array(text.utf8)
    let count = input.withUnsafeBytes { Base64.decodedCount($0) } ?? 0
    var output = [UInt8](repeating: 0, count: count)
    let failure = input.withUnsafeBytes { input in output.withUnsafeMutableBytes { Base64.decode(input, into: $0) } }
    #expect(failure == offset)
  }

  /// A character outside the alphabet anywhere (in a vector block or in
  /// the tail) is reported at its own offset, never decoded past.
  @Test(arguments: paths)
  func reportsTheOffsetOfAForeignCharacterAtEveryPosition(path: Kernels.Path) throws {
    try Kernels.with(path: path) { reportsTheOffsetOfAForeignCharacter() }
  }

  private func reportsTheOffsetOfAForeignCharacter() {
    var random = TestRandom(seed: 5)
    let bytes = (0..<150).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    let text = Array(Data(bytes).base64EncodedString().utf8)
    let foreign: [UInt8] = [
      0, 0x09, 0x20, 0x22, 0x2D, 0x2E, 0x3A, 0x3D, 0x40, 0x5B, 0x5F, 0x60, 0x7B, 0x7F, 0x80, 0xC3, 0xFF,
    ]
    for position in 0..<text.count {
      for byte in foreign {
        var damaged = text
        damaged[position] = byte
        var output = [UInt8](repeating: 0, count: bytes.count)
        let failure = damaged.withUnsafeBytes { input in
          output.withUnsafeMutableBytes { Base64.decode(input, into: $0) }
        }
        // "=" in the last two places is padding, which changes the length: refused at 0.
        let expected = byte == UInt8(ascii: "=") && position >= text.count - 2 ? 0 : position
        #expect(failure == expected, "byte \(byte) at \(position)")
      }
    }
  }

  @Test func rejectsLengthsThatAreNotWholeGroups() {
    #expect(Array("AAAAA".utf8).withUnsafeBytes { Base64.decodedCount($0) } == nil)
  }
}
