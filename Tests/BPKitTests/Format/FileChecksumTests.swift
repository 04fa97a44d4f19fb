import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// The whole-file checksum in the user block: written with every file,
/// checked before libhdf5 reads any of it.
@Suite struct FileChecksumTests {
  let folder: TemporaryDirectory
  let url: URL
  let bytes: Data

  init() throws {
    folder = try TemporaryDirectory()
    url = folder.url.appendingPathComponent("run.ckpt.h5")
    try FormatSamples.checkpoint(try FormatSamples.model(FormatSamples.denseNetwork())).write(to: url)
    bytes = try Data(contentsOf: url)
  }

  func damaged(_ change: (inout Data) -> Void) throws -> URL {
    var copy = bytes
    change(&copy)
    let damaged = folder.url.appendingPathComponent("damaged.h5")
    try copy.write(to: damaged)
    return damaged
  }

  func expectDamaged(_ url: URL, _ accepts: (String) -> Bool) {
    #expect {
      try Checkpoint(contentsOf: url)
    } throws: { error in
      guard case .fileDamaged(url.path, let text) = reason(of: error) as? FormatError else { return false }
      return accepts(text)
    }
  }

  @Test func filesCarryTheDocumentedLine() throws {
    let line = String(decoding: bytes.prefix(while: { $0 != 0x0A }), as: UTF8.self)
    #expect(line == FileSeal.line(for: bytes))
    #expect(bytes[(line.utf8.count + 1)..<512].allSatisfy { $0 == 0 })
    #expect(Array(bytes[512..<520]) == HDF5Signature.bytes)
    #expect(try BPKitFile.verifyChecksum(of: url))
    #expect(try HDF5File(openingAtPath: url.path).root.stringAttribute("bpkit_kind") == "checkpoint")
  }

  @Test func truncatedFilesAreDamaged() throws {
    expectDamaged(try damaged { $0 = $0.prefix($0.count - 1) }) { $0.hasPrefix("it is truncated") }
    expectDamaged(try damaged { $0 = $0.prefix(600) }) { $0.hasPrefix("it is truncated: 600 bytes") }
    expectDamaged(try damaged { $0.append(0) }) { $0.contains("were written") }
  }

  @Test func anyFlippedByteAfterTheLineIsFound() throws {
    let line = bytes.firstIndex(of: 0x0A)!
    for offset in [line + 1, 511, 512, 600, bytes.count / 2, bytes.count - 1] {
      expectDamaged(try damaged { $0[offset] ^= 0x10 }) { !$0.isEmpty }
    }
    // In the CRC's digits.
    expectDamaged(try damaged { $0[28] = $0[28] == 0x30 ? 0x31 : 0x30 }) { $0.contains("CRC-32") }
  }

  @Test func filesWithoutTheLineAreReadAsBefore() throws {
    // As an earlier bpkit wrote them: no user block at all.
    let plain = folder.path("plain.h5")
    let file = try HDF5File.create(atPath: plain)
    try file.root.setAttribute("bpkit_kind", to: "model")
    try file.close()
    #expect(try BPKitFile.verifyChecksum(of: URL(fileURLWithPath: plain)) == false)
    expectReason(FormatError.missingAttribute(file: plain, path: "/", name: "format_version")) {
      try Model(contentsOf: URL(fileURLWithPath: plain))
    }
  }

  @Test func theDocumentedLineIsTheOneWritten() throws {
    let copy = try damaged { $0.replaceSubrange(0..<512, with: [UInt8](repeating: 0, count: 512)) }
    try FileSeal.reseal(copy.path)
    #expect(try Data(contentsOf: copy) == bytes)
  }
}
