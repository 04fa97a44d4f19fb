import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@Suite struct ModelFileTests {
  @Test(arguments: [FormatSamples.denseNetwork(), FormatSamples.recurrentNetwork()])
  func roundTripsBitExactly(network: NetworkDescription) throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.h5")
    let model = try FormatSamples.model(network, special: true)
    try model.write(to: url)
    let loaded = try Model(contentsOf: url)
    #expect(loaded.network == model.network)
    #expect(FormatSamples.bits(loaded.parameters) == FormatSamples.bits(model.parameters))
    #expect(try BPKitFile.kind(of: url) == .model)
    #expect(try BPKitFile.open(url).model.network == network)
  }

  @Test func layoutIsTheDocumentedOne() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.h5")
    let model = try FormatSamples.model(FormatSamples.denseNetwork())
    try model.write(to: url)
    let root = try HDF5File(openingAtPath: url.path).root
    #expect(try root.stringAttribute("bpkit_kind") == "model")
    #expect(try root.stringAttribute("format_version") == FormatVersion.current.description)
    #expect(try root.stringAttribute("bpkit_version") == BPKitVersion.current)
    #expect(try root.children() == ["network", "weights"])
    let json = try root.openDataset("network").readString()
    let decoded = try JSONDecoder().decode(NetworkDescription.self, from: Data(json.utf8))
    #expect(decoded == model.network)
    #expect(json.contains("\"layers\""))
    #expect(try root.openGroup("weights").children() == ["dense_0", "dense_1", "output", "scale"])
    #expect(try root.openGroup("weights/scale").children() == ["mean", "std"])
    #expect(try root.openGroup("weights/output").children() == ["kernel"])
    let kernel = try root.openDataset("weights/dense_0/kernel")
    #expect(kernel.shape == [5, 7])
    #expect(kernel.elementType == .float32)
    let values = try kernel.read(as: Float.self)
    let crc = values.withUnsafeBytes { CRC32.checksum($0) }
    #expect(try kernel.attribute("crc32", as: UInt32.self) == crc)
  }

  @Test func storesAThousandLayerDescriptionAsADataset() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("deep.h5")
    let network = FormatSamples.denseNetwork(inputs: 2, hidden: Array(repeating: 2, count: 1_000), outputs: 2)
    #expect(try FileLayoutProbe.jsonSize(network) > 65_536)
    let model = try FormatSamples.model(network)
    try model.write(to: url)
    let loaded = try Model(contentsOf: url)
    #expect(loaded.network.layers.count == 1_002)
    #expect(FormatSamples.bits(loaded.parameters) == FormatSamples.bits(model.parameters))
  }

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/h5dump"), "needs h5dump (hdf5-tools)"))
  func h5dumpReadsTheFile() throws {
    let h5dump = "/usr/bin/h5dump"
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.h5")
    try FormatSamples.model(FormatSamples.denseNetwork()).write(to: url)
    let header = try runProcess(h5dump, ["-H", url.path])
    #expect(header.status == 0)
    #expect(header.output.contains("ATTRIBUTE \"bpkit_kind\""))
    #expect(header.output.contains("GROUP \"weights\""))
    let bias = try runProcess(h5dump, ["-d", "/weights/dense_0/bias", url.path])
    #expect(bias.status == 0)
    #expect(bias.output.contains("H5T_IEEE_F32LE"))
    let json = try runProcess(h5dump, ["-d", "/network", url.path])
    #expect(json.status == 0)
    #expect(json.output.contains("standardize"))
    let checkpoint = folder.url.appendingPathComponent("run.ckpt.h5")
    try FormatSamples.checkpoint(try FormatSamples.model(FormatSamples.recurrentNetwork())).write(to: checkpoint)
    let everything = try runProcess(h5dump, [checkpoint.path])
    #expect(everything.status == 0)
    #expect(everything.output.contains("DATASET \"recurrent_kernel\""))
    #expect(everything.output.contains("\"learning rate changed to 0.0025\""))
  }

  @Test func writingReplacesAnExistingFileAndLeavesNoTemporaries() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.h5")
    try FormatSamples.model(FormatSamples.denseNetwork(), seed: 1).write(to: url)
    let second = try FormatSamples.model(FormatSamples.denseNetwork(), seed: 2)
    try second.write(to: url)
    #expect(try Model(contentsOf: url) == second)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["model.h5"])
  }

  @Test func writingIntoAMissingFolderIsAnErrorThatNamesTheFile() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("missing/model.h5")
    let model = try FormatSamples.model(FormatSamples.denseNetwork())
    #expect {
      try model.write(to: url)
    } throws: { error in
      "\(error)".contains("missing/")
    }
  }
}

/// Sizes of the encoded forms, for the tests that need files past HDF5's limits.
enum FileLayoutProbe {
  static func jsonSize(_ network: NetworkDescription) throws -> Int {
    try JSONEncoder().encode(network).count
  }
}
