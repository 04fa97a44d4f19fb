import Foundation
import Testing

@testable import BPKit

@Suite struct Base64Tests {
  @Test func encodesAsFoundationDoesForEveryTailLength() {
    var random = TestRandom(seed: 3)
    for count in Array(0...40) + [1000, 1001, 1002] {
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

  @Test func rejectsLengthsThatAreNotWholeGroups() {
    #expect(Array("AAAAA".utf8).withUnsafeBytes { Base64.decodedCount($0) } == nil)
  }
}
