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

  @Test func directoriesAndMissingFilesAreErrors() throws {
    let folder = try TemporaryDirectory()
    expectReason(DataError.unreadable(path: folder.url.path, reason: "it is a directory")) {
      try LineReader(path: folder.url.path)
    }
    expectReason(DataError.fileNotFound(path: folder.path("x"))) { try LineReader(path: folder.path("x")) }
  }
}
