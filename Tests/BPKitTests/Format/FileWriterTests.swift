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
}
