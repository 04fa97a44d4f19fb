import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

/// The elements of a JSON array, read one at a time with a buffer that holds
/// one element, never the document.
@Suite struct JSONArrayReaderTests {
  let folder: TemporaryDirectory

  init() throws {
    folder = try TemporaryDirectory(prefix: "bpkit-json-array")
  }

  func reader(_ text: String, bufferSize: Int = 64) throws -> JSONArrayReader {
    let path = folder.path("rows-\(UUID().uuidString).json")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return try JSONArrayReader(path: path, bufferSize: bufferSize)
  }

  func elements(of reader: JSONArrayReader) throws -> [String] {
    var elements: [String] = []
    while let element = try reader.nextElement() {
      elements.append(String(decoding: element, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
    return elements
  }

  @Test func readsEveryElementAcrossBufferBoundaries() throws {
    let rows = [
      "[1, 2.5, -3e4]", #"{"input": [1, 2], "label": 3, "note": "a ] } , \"quoted\" [ {"}"#, "[[1, 2], [3, 4]]", "7",
    ]
    let reader = try reader("\n  [" + rows.joined(separator: ",\n") + "]\n")
    #expect(try elements(of: reader) == rows)
    #expect(reader.index == 3)
    #expect(try reader.nextElement() == nil)
  }

  @Test func memoryHoldsOneRowNotTheDocument() throws {
    // 20,000 rows of about 100 bytes: a 2 MB document through a 4 KiB buffer.
    let row = "[" + (0..<20).map { String(format: "%.3f", Double($0) / 7) }.joined(separator: ",") + "]"
    let reader = try reader("[" + Array(repeating: row, count: 20_000).joined(separator: ",") + "]", bufferSize: 4096)
    var count = 0
    while try reader.nextElement() != nil { count += 1 }
    #expect(count == 20_000)
    #expect(reader.buffer.count == 4096)
  }

  @Test func anEmptyArrayHasNoElements() throws {
    #expect(try elements(of: try reader(" [ ] ")) == [])
  }

  @Test(arguments: [
    ("{\"rows\": []}", "expected an array of rows at the top level"),
    ("", "expected an array of rows at the top level"),
    ("[1, 2,]", "row 2 is empty (two commas, or a trailing comma)"),
    ("[1,, 2]", "row 1 is empty (two commas, or a trailing comma)"),
    ("[1, 2] [3]", "unexpected content after the array of rows"),
    ("[1, [2, 3", "the file ends inside row 1"),
    ("[1, 2, ", "the array is not closed: the file ends inside it"),
  ])
  func documentsThatAreNotOneArrayAreRefused(text: String, reason: String) throws {
    let reader = try reader(text)
    expectReason(DataError.invalidJSON(source: reader.source, line: nil, reason: reason)) {
      while try reader.nextElement() != nil {}
    }
  }

  @Test func theSampleReaderStreamsADocumentInBatches() throws {
    let path = folder.path("labelled.json")
    try #"[{"input": [1, 2], "label": 0}, {"input": [3, 4], "label": 1}, {"input": [5, 6], "label": 1}]"#
      .write(toFile: path, atomically: true, encoding: .utf8)
    let reader = try JSONSampleReader(documentAt: path, layout: SampleLayout(.vector(features: 2)), labels: "label")
    let first = try #require(try reader.next(limit: 2))
    #expect(first.inputs == [1, 2, 3, 4] && first.labels == [0, 1] && first.count == 2)
    let second = try #require(try reader.next(limit: 2))
    #expect(second.inputs == [5, 6] && second.labels == [1] && second.count == 1)
    #expect(try reader.next(limit: 2) == nil)
  }

  @Test func aBadRowIsNamedByItsIndex() throws {
    let path = folder.path("bad.json")
    try "[[1, 2], [3, true]]".write(toFile: path, atomically: true, encoding: .utf8)
    let reader = try JSONSampleReader(documentAt: path, layout: SampleLayout(.vector(features: 2)), labels: nil)
    expectReason(DataError.invalidJSON(source: "\(path), row 1", line: nil, reason: "'true' is not a number")) {
      while try reader.next(limit: 10) != nil {}
    }
  }
}
