import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@testable import BPKit

/// A bpkit HDF5 model converted to base64 JSON by streaming
/// (``BPKitFile/writeJSONStreaming(from:to:trust:options:)``): the bytes of
/// loading the model and writing it, and the same refusals.
@Suite struct ModelJSONStreamTests {
  let folder: TemporaryDirectory
  let options = FileWriteOptions(synchronize: false, jsonWeights: .base64)

  init() throws {
    folder = try TemporaryDirectory()
  }

  /// The document of loading `input` and writing it, and the streamed one.
  func documents(_ input: URL) throws -> (loaded: Data, streamed: Data) {
    let loaded = folder.url.appendingPathComponent("loaded.json")
    let streamed = folder.url.appendingPathComponent("streamed.json")
    try BPKitFile.open(input).write(to: loaded, format: .json, options: options)
    #expect(try BPKitFile.writeJSONStreaming(from: input, to: streamed, options: options) == nil)
    return (try Data(contentsOf: loaded), try Data(contentsOf: streamed))
  }

  /// The kernel of a 700 × 1000 layer is read in two slices of rows whose
  /// byte counts are no multiple of three (2,096,000 bytes, then the rest),
  /// so base64 groups straddle slices; -0, subnormals and the largest
  /// magnitude are there, names too.
  @Test func aModelStreamsToTheBytesOfLoadingAndWritingIt() throws {
    let input = folder.url.appendingPathComponent("model.h5")
    let network = FormatSamples.denseNetwork(inputs: 700, hidden: [1000, 5], outputs: 3)
    let model = try FormatSamples.model(network, special: true).named(
      ModelNames(features: (0..<700).map { "f\($0)" }, classes: ["a", "b", "c"]))
    try model.write(to: input)
    let (loaded, streamed) = try documents(input)
    #expect(streamed.count > 3_700_000)
    #expect(streamed == loaded)
    #expect(try Model(jsonContentsOf: folder.path("streamed.json")) == model)
  }

  @Test func aFloat64ModelStreamsToTheBytesOfLoadingAndWritingIt() throws {
    let input = folder.url.appendingPathComponent("model64.h5")
    let model = try FormatSamples.float64Model(FormatSamples.denseNetwork(inputs: 300, hidden: [1001], outputs: 2))
    try model.write(to: input)
    let (loaded, streamed) = try documents(input)
    #expect(streamed == loaded)
  }

  /// Checkpoints, Keras files, JSON input, numbers and a device are not
  /// streamed: the loaded file comes back for the caller to write.
  @Test func whatDoesNotStreamComesBackLoaded() throws {
    let model = try FormatSamples.model(FormatSamples.denseNetwork())
    let checkpoint = folder.url.appendingPathComponent("run.ckpt.h5")
    try FormatSamples.checkpoint(model).write(to: checkpoint)
    let json = folder.url.appendingPathComponent("model.json")
    try model.writeJSON(toPath: json.path)
    let h5 = folder.url.appendingPathComponent("model.h5")
    try model.write(to: h5)
    let output = folder.url.appendingPathComponent("out.json")
    for (input, to, options) in [
      (checkpoint, output, options), (json, output, options),
      (h5, output, FileWriteOptions(synchronize: false, jsonWeights: .numbers)),
      (h5, URL(fileURLWithPath: "/dev/null"), options),
    ] {
      let file = try #require(try BPKitFile.writeJSONStreaming(from: input, to: to, options: options))
      #expect(file.model == model, "\(input.lastPathComponent) to \(to.path)")
      #expect(!FileManager.default.fileExists(atPath: output.path))
    }
  }

  /// Base64 of pieces of every length from 0 to 7, in many orders, is the
  /// base64 of the bytes together.
  @Test func base64OfPiecesIsBase64OfTheWhole() throws {
    var random = TestRandom(seed: 7)
    for _ in 0..<200 {
      let lengths = (0..<Int(random.next() % 9)).map { _ in Int(random.next() % 8) }
      let bytes = (0..<lengths.reduce(0, +)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
      let output = JSONOutput(file: nil, path: "memory")
      let stream = Base64Stream(output: output)
      var start = 0
      for length in lengths {
        try bytes[start..<start + length].withUnsafeBytes { try stream.append($0) }
        start += length
      }
      try stream.finish()
      try output.flush()
      #expect(String(decoding: output.collected, as: UTF8.self) == Data(bytes).base64EncodedString(), "\(lengths)")
    }
  }

  // MARK: Refusals

  /// Changes the model file as a tool other than bpkit would, with a matching whole-file checksum.
  func alter(_ url: URL, _ body: (HDF5Group) throws -> Void) throws {
    let file = try HDF5File(openingAtPath: url.path, mode: .readWrite)
    try body(try file.root)
    try file.close()
    try FileSeal.reseal(url.path)
  }

  enum Damage: String, CaseIterable {
    case flippedWeightWithoutFileChecksum, nanWeight, wrongShape, missingDataset, undeclaredDataset, wrongType
    case wrongClassNameCount, nanWeightAndWrongClassNames
  }

  /// Each damaged file is refused with the error loading it gives, and the
  /// existing destination is left as it was, with no file beside it.
  @Test(arguments: Damage.allCases)
  func damagedFilesAreRefusedAsLoadingRefusesThem(damage: Damage) throws {
    let input = folder.url.appendingPathComponent("model.h5")
    let model = try FormatSamples.model(FormatSamples.denseNetwork(inputs: 5, hidden: [600], outputs: 3))
    try model.write(to: input)
    try damage.apply(to: input, by: alter)
    let output = folder.url.appendingPathComponent("out.json")
    try Data("previous".utf8).write(to: output)
    var expected: BPKitError?
    do { _ = try BPKitFile.open(input) } catch { expected = error }
    let refusal = try #require(expected, "\(damage) must be refused")
    #expect {
      _ = try BPKitFile.writeJSONStreaming(from: input, to: output, options: options)
    } throws: { error in
      "\(error)" == "\(refusal)" && (error as? BPKitError)?.code == refusal.code
    }
    #expect(try Data(contentsOf: output) == Data("previous".utf8))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == ["model.h5", "out.json"])
  }
}

extension ModelJSONStreamTests.Damage {
  func apply(to url: URL, by alter: (URL, (HDF5Group) throws -> Void) throws -> Void) throws {
    func replace(_ group: HDF5Group, _ name: String, with values: [Float], shape: [Int]) throws {
      if try group.contains(name) { try group.removeChild(name) }
      let dataset = try group.write(values, shape: shape, to: name)
      try dataset.setAttribute("crc32", to: values.withUnsafeBytes { CRC32.checksum($0) })
    }
    func nan(_ root: HDF5Group) throws {
      var values = [Float](repeating: 0.5, count: 5 * 600)
      values[2_999] = .nan
      try replace(try root.openGroup("weights/dense_0"), "kernel", with: values, shape: [5, 600])
    }
    func classNames(_ root: HDF5Group) throws {
      let names = ["a", "b"]
      try root.writeStrings(names, to: "class_names").setAttribute("crc32", to: FileWriter.stringChecksum(names))
    }
    switch self {
    case .flippedWeightWithoutFileChecksum:
      let storage = try HDF5File(openingAtPath: url.path).root.openDataset("weights/dense_0/kernel").storage()
      let offset = try #require(storage.fileOffset) + storage.allocatedBytes - 3
      let handle = try FileHandle(forUpdating: url)
      try handle.seek(toOffset: UInt64(offset))
      let byte = try #require(try handle.read(upToCount: 1)).first!
      try handle.seek(toOffset: UInt64(offset))
      try handle.write(contentsOf: [byte ^ 0x10])
      try handle.seek(toOffset: 0)
      try handle.write(contentsOf: [UInt8](repeating: 0, count: 512))
      try handle.close()
    case .nanWeight: try alter(url, nan)
    case .wrongShape:
      try alter(url) { try replace(try $0.openGroup("weights/dense_0"), "bias", with: [1, 2], shape: [2]) }
    case .missingDataset: try alter(url) { try $0.openGroup("weights/output").removeChild("kernel") }
    case .undeclaredDataset:
      try alter(url) { try replace(try $0.openGroup("weights/dense_0"), "gamma", with: [1], shape: [1]) }
    case .wrongType:
      try alter(url) { root in
        let group = try root.openGroup("weights/dense_0")
        try group.removeChild("bias")
        let values = [Double](repeating: 1, count: 600)
        try group.write(values, shape: [600], to: "bias").setAttribute(
          "crc32", to: values.withUnsafeBytes { CRC32.checksum($0) })
      }
    case .wrongClassNameCount: try alter(url, classNames)
    case .nanWeightAndWrongClassNames:
      try alter(url) { root in
        try nan(root)
        try classNames(root)
      }
    }
  }
}
