import BPKit
import Foundation
import Testing
import _BPKitTestSupport

@Suite struct LineReaderTests {
  @Test func readsLinesAcrossBufferBoundariesAndGrowsForLongLines() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("lines.txt")
    let lines = (0..<500).map { index in String(repeating: "x", count: index * 37 % 9000) }
    try (lines.joined(separator: "\r\n")).write(toFile: path, atomically: true, encoding: .utf8)
    let reader = try LineReader(path: path, bufferSize: 4096)
    var read: [String] = []
    while let line = try reader.nextLine() { read.append(String(line)) }
    #expect(read == lines)
    #expect(reader.lineNumber == 500)
  }

  @Test func aSmallFileGetsABufferOfItsSizeAndALargeOneTheFullBuffer() throws {
    let folder = try TemporaryDirectory()
    let small = folder.path("one-row.csv")
    try "a,b,label\n1,2,0\n".write(toFile: small, atomically: true, encoding: .utf8)
    let smallReader = try LineReader(path: small)
    #expect(smallReader.bufferCapacity == 4096)
    #expect(try smallReader.nextLine() == "a,b,label")
    #expect(try smallReader.nextLine() == "1,2,0")
    #expect(try smallReader.nextLine() == nil)

    // Just over 4 KiB: one byte more than the file, which is read whole.
    let medium = folder.path("medium.txt")
    let mediumLines = (0..<100).map { String(repeating: "m", count: 40 + $0 % 7) }
    try (mediumLines.joined(separator: "\n") + "\n").write(toFile: medium, atomically: true, encoding: .utf8)
    let mediumSize = try #require(try FileManager.default.attributesOfItem(atPath: medium)[.size] as? Int)
    #expect(mediumSize > 4096)
    let mediumReader = try LineReader(path: medium)
    #expect(mediumReader.bufferCapacity == mediumSize + 1)
    var read: [String] = []
    while let line = try mediumReader.nextLine() { read.append(String(line)) }
    #expect(read == mediumLines)
    #expect(mediumReader.bufferCapacity == mediumSize + 1)

    let large = folder.path("large.txt")
    try String(repeating: "0123456789abcdef\n", count: 70_000).write(toFile: large, atomically: true, encoding: .utf8)
    let largeReader = try LineReader(path: large, bufferSize: 1 << 20)
    #expect(largeReader.bufferCapacity == 1 << 20)
    var (count, others) = (0, 0)
    while let line = try largeReader.nextLine() {
      count += 1
      if line != "0123456789abcdef" { others += 1 }
    }
    #expect(count == 70_000)
    #expect(others == 0)
  }

  @Test func directoriesAndMissingFilesAreErrors() throws {
    let folder = try TemporaryDirectory()
    expectReason(DataError.unreadable(path: folder.url.path, reason: "it is a directory")) {
      try LineReader(path: folder.url.path)
    }
    expectReason(DataError.fileNotFound(path: folder.path("x"))) { try LineReader(path: folder.path("x")) }
  }
}
