import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@testable import BPKit

/// The two ways ``FileWriter`` builds a bpkit HDF5 file (in memory for small
/// files, by libhdf5 at the temporary path for large ones) leave the same bytes.
@Suite struct FileWriterTests {
  static let networks = [
    FormatSamples.denseNetwork(), FormatSamples.denseNetwork(inputs: 64, hidden: [300], outputs: 10),
    FormatSamples.recurrentNetwork(),
  ]

  @Test(arguments: networks) func checkpointsAreTheSameBuiltInMemoryOrOnDisk(network: NetworkDescription) throws {
    let folder = try TemporaryDirectory()
    let checkpoint = FormatSamples.checkpoint(try FormatSamples.model(network, special: true))
    #expect(checkpoint.estimatedFileBytes <= FileWriter.imageLimit)
    try checkpoint.write(to: folder.url.appendingPathComponent("memory.ckpt.h5"))
    try FileWriter.write(
      to: folder.path("disk.ckpt.h5"), kind: .checkpoint, bpkitVersion: checkpoint.bpkitVersion,
      estimatedBytes: checkpoint.estimatedFileBytes, imageLimit: 0, options: .init()
    ) { writer in
      try CheckpointFileCoding.write(checkpoint, with: writer)
    }
    let memory = try Data(contentsOf: folder.url.appendingPathComponent("memory.ckpt.h5"))
    #expect(memory == (try Data(contentsOf: folder.url.appendingPathComponent("disk.ckpt.h5"))))
    #expect(String(decoding: memory.prefix(while: { $0 != 0x0A }), as: UTF8.self) == FileSeal.line(for: memory))
    let loaded = try Checkpoint(contentsOf: folder.url.appendingPathComponent("memory.ckpt.h5"))
    #expect(FormatSamples.bits(loaded.model.parameters) == FormatSamples.bits(checkpoint.model.parameters))
    #expect(loaded.progress == checkpoint.progress)
  }

  @Test func modelsAreTheSameBuiltInMemoryOrOnDisk() throws {
    let folder = try TemporaryDirectory()
    let model = try FormatSamples.model(FormatSamples.denseNetwork())
    try model.write(to: folder.url.appendingPathComponent("memory.h5"))
    try FileWriter.write(
      to: folder.path("disk.h5"), kind: .model, estimatedBytes: model.estimatedFileBytes, imageLimit: 0,
      options: .init()
    ) { writer in try writer.writeModel(model) }
    #expect(
      try Data(contentsOf: folder.url.appendingPathComponent("memory.h5"))
        == Data(contentsOf: folder.url.appendingPathComponent("disk.h5")))
  }

  /// A file built in memory replaces the destination as any output does:
  /// nothing is left beside it, and a failed write leaves the old file.
  @Test func imagesReplaceTheDestinationAtomically() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("run.ckpt.h5")
    let first = FormatSamples.checkpoint(try FormatSamples.model(FormatSamples.denseNetwork()), epochs: 2)
    try first.write(to: url)
    let before = try Data(contentsOf: url)
    #expect(throws: (any Error).self) {
      try FileWriter.write(to: url.path, kind: .checkpoint, estimatedBytes: 1, options: .init()) { writer in
        try CheckpointFileCoding.write(first, with: writer)
        throw CancellationError()
      }
    }
    #expect(try Data(contentsOf: url) == before)
    let second = FormatSamples.checkpoint(try FormatSamples.model(FormatSamples.denseNetwork()), epochs: 3)
    try second.write(to: url)
    #expect(try Checkpoint(contentsOf: url).progress == second.progress)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["run.ckpt.h5"])
  }

  /// Data of ``FileWriter/concurrentChecksumBytes`` or more is checksummed on
  /// another thread while it is written: the CRC-32 is the same as one
  /// computed alone, and an error of the write comes back after the other
  /// thread is done with the bytes.
  @Test func largeDataIsChecksummedBesideItsWrite() throws {
    let count = FileWriter.concurrentChecksumBytes + 12_345
    let bytes = (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
    try bytes.withUnsafeBytes { buffer in
      var wrote = false
      let (result, crc) = try FileWriter.checksumming(buffer) {
        wrote = true
        return 7
      }
      #expect(wrote && result == 7)
      #expect(crc == CRC32.checksum(buffer))
      #expect(throws: CancellationError.self) {
        _ = try FileWriter.checksumming(buffer) { () throws -> Int in throw CancellationError() }
      }
    }
  }

  /// A checkpoint whose kernel is larger than ``FileWriter/concurrentChecksumBytes``
  /// gets the same bytes both ways, and its CRC-32s verify when it is read.
  @Test func largeTensorsAreTheSameBuiltInMemoryOrOnDisk() throws {
    let folder = try TemporaryDirectory()
    let network = FormatSamples.denseNetwork(inputs: 1100, hidden: [1000], outputs: 2)
    let checkpoint = FormatSamples.checkpoint(try FormatSamples.model(network))
    #expect(checkpoint.model.parameters.values.contains { $0.count * 4 >= FileWriter.concurrentChecksumBytes })
    try checkpoint.write(to: folder.url.appendingPathComponent("memory.ckpt.h5"))
    try FileWriter.write(
      to: folder.path("disk.ckpt.h5"), kind: .checkpoint, bpkitVersion: checkpoint.bpkitVersion,
      estimatedBytes: checkpoint.estimatedFileBytes, imageLimit: 0, options: .init()
    ) { writer in
      try CheckpointFileCoding.write(checkpoint, with: writer)
    }
    let memory = try Data(contentsOf: folder.url.appendingPathComponent("memory.ckpt.h5"))
    #expect(memory == (try Data(contentsOf: folder.url.appendingPathComponent("disk.ckpt.h5"))))
    let loaded = try Checkpoint(contentsOf: folder.url.appendingPathComponent("disk.ckpt.h5"))
    #expect(FormatSamples.bits(loaded.model.parameters) == FormatSamples.bits(checkpoint.model.parameters))
  }
}
