import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Damaged and altered files: each gives its own clear error.
@Suite struct FileReaderTests {
  let folder: TemporaryDirectory
  let url: URL
  let model: Model

  init() throws {
    folder = try TemporaryDirectory()
    url = folder.url.appendingPathComponent("model.h5")
    model = try FormatSamples.model(FormatSamples.denseNetwork())
    try model.write(to: url)
  }

  /// Opens the file for changing, as a tool other than bpkit would.
  func alter(_ body: (HDF5Group) throws -> Void) throws {
    let file = try HDF5File(openingAtPath: url.path, mode: .readWrite)
    try body(try file.root)
    try file.close()
    // With a matching whole-file checksum, as a crafted file would have, so
    // that the checks after it are the ones tested.
    try FileSeal.reseal(url.path)
  }

  @Test(arguments: ["weights/dense_0/kernel", "weights/scale/std", "weights/output/kernel"])
  func flippedBytesInTensorDataAreFoundAndNamed(dataset: String) throws {
    let storage = try HDF5File(openingAtPath: url.path).root.openDataset(dataset).storage()
    let offset = try #require(storage.fileOffset)
    let handle = try FileHandle(forUpdating: url)
    try handle.seek(toOffset: UInt64(offset + storage.allocatedBytes / 2))
    let byte = try #require(try handle.read(upToCount: 1)).first!
    try handle.seek(toOffset: UInt64(offset + storage.allocatedBytes / 2))
    try handle.write(contentsOf: [byte ^ 0x10])
    // Without its whole-file checksum (user block wiped, as by h5jam), the
    // per-dataset CRC-32 still finds the flip and names the dataset.
    try handle.seek(toOffset: 0)
    try handle.write(contentsOf: [UInt8](repeating: 0, count: 512))
    try handle.close()
    #expect {
      try Model(contentsOf: url)
    } throws: { error in
      guard case .checksumMismatch(url.path, "/" + dataset, _, _) = reason(of: error) as? FormatError else {
        return false
      }
      return "\(error)".contains("corrupted")
    }
  }

  @Test func aWrongShapeIsNamedWithBothShapes() throws {
    try alter { root in
      let layer = try root.openGroup("weights/dense_0")
      try layer.removeChild("kernel")
      let values = [Float](repeating: 1, count: 35)
      let dataset = try layer.write(values, shape: [7, 5], to: "kernel")
      try dataset.setAttribute("crc32", to: values.withUnsafeBytes { CRC32.checksum($0) })
    }
    expectReason(
      FormatError.shapeMismatch(
        file: url.path, path: "/weights/dense_0/kernel", expected: [5, 7], found: [7, 5])
    ) {
      try Model(contentsOf: url)
    }
  }

  @Test func aMissingDatasetIsNamed() throws {
    try alter { try $0.openGroup("weights/dense_0").removeChild("bias") }
    expectReason(FormatError.missingObject(file: url.path, path: "/weights/dense_0/bias")) {
      try Model(contentsOf: url)
    }
  }

  @Test func anUndeclaredDatasetIsNamed() throws {
    try alter { root in
      let dataset = try root.openGroup("weights/dense_0").write([Float(1)], shape: [1], to: "gamma")
      try dataset.setAttribute("crc32", to: UInt32(0))
    }
    expectReason(FormatError.unexpectedObject(file: url.path, path: "/weights/dense_0/gamma")) {
      try Model(contentsOf: url)
    }
  }

  /// Replaces `/network` with `json`, its CRC-32 matching.
  func replaceNetwork(with json: String) throws {
    try alter { root in
      try root.removeChild("network")
      let dataset = try root.writeString(json, to: "network")
      let crc = Array((json + "\0").utf8).withUnsafeBytes { CRC32.checksum($0) }
      try dataset.setAttribute("crc32", to: crc)
    }
  }

  /// The network description as the writer stores it.
  var networkJSON: String {
    get throws {
      let encoder = JSONEncoder()
      encoder.outputFormatting = .sortedKeys
      return String(decoding: try encoder.encode(model.network), as: UTF8.self)
    }
  }

  @Test func anUnknownLayerKindIsNamed() throws {
    try replaceNetwork(with: try networkJSON.replacingOccurrences(of: "\"standardize\"", with: "\"conv2d\""))
    #expect {
      try Model(contentsOf: url)
    } throws: { error in
      guard case .invalidNetwork(url.path, let reason) = reason(of: error) as? FormatError else { return false }
      return reason.hasPrefix("$.layers[0].type: ") && reason.contains("conv2d")
    }
  }

  /// `/network` is read by the JSON documents' own reader, with its rules: a
  /// member named twice or an `alpha` on relu is refused, never resolved
  /// silently one way or the other.
  @Test(arguments: [
    (
      "a member named twice", "\"units\":7", "\"units\":7,\"units\":70",
      "the member name 'units' appears twice in one object"
    ),
    (
      "alpha on relu", "\"activation\":\"tanh\"", "\"activation\":{\"alpha\":0.5,\"name\":\"relu\"}",
      "$.layers[1].activation.alpha: only leaky_relu and elu take alpha"
    ),
    ("an unknown member", "\"units\":7", "\"units\":7,\"dropout\":0.5", "$.layers[1].dropout: unknown member"),
  ])
  func networkDescriptionsAreReadStrictly(name: String, find: String, replace: String, expected: String) throws {
    let original = try networkJSON
    let changed = original.replacingOccurrences(of: find, with: replace)
    try #require(changed != original, "the change to '\(name)' must apply")
    try replaceNetwork(with: changed)
    #expect {
      try Model(contentsOf: url)
    } throws: { error in
      guard case .invalidNetwork(url.path, let reason) = reason(of: error) as? FormatError else { return false }
      return reason.contains(expected)
    }
  }

  @Test func aNewerMajorVersionIsRefusedAndNewerMinorsAndOlderVersionsAreRead() throws {
    try alter { try $0.setAttribute("format_version", to: "2.0") }
    expectReason(
      FormatError.newerFormatVersion(
        file: url.path, found: FormatVersion(major: 2, minor: 0), supported: .current)
    ) {
      try Model(contentsOf: url)
    }
    for readable in ["1.7", "0.9"] {
      try alter { try $0.setAttribute("format_version", to: readable) }
      #expect(try Model(contentsOf: url) == model)
    }
    try alter { try $0.setAttribute("format_version", to: "one") }
    expectReason(FormatError.invalidFormatVersion(file: url.path, value: "one")) { try Model(contentsOf: url) }
  }

  @Test func aFileWithoutTheKindIsNotABPKitFile() throws {
    // An HDF5 file that is neither bpkit's nor a Keras model (Keras models open as .keras).
    let other = Fixtures.path("keras/mlp_tanh_softmax.ref.h5")
    expectReason(FormatError.notBPKitFile(file: other)) { try BPKitFile.open(URL(fileURLWithPath: other)) }
    try alter { try $0.setAttribute("bpkit_kind", to: "tokenizer") }
    expectReason(FormatError.unknownKind(file: url.path, kind: "tokenizer")) { try Model(contentsOf: url) }
  }

  @Test func aFileThatIsNotHDF5IsAnHDF5Error() throws {
    let text = folder.url.appendingPathComponent("notes.txt")
    try Data("not a model".utf8).write(to: text)
    #expect {
      try Model(contentsOf: text)
    } throws: { error in
      guard case .hdf5(let underlying) = reason(of: error) as? FormatError else { return false }
      return underlying.kind == .notHDF5
    }
  }

  @Test func errorsReadAsOneSentenceThatSaysWhatToDo() {
    let error = FormatError.newerFormatVersion(file: "a.h5", found: .init(major: 3, minor: 1), supported: .current)
    #expect(
      error.description
        == "'a.h5' uses bpkit format 3.1, newer than the \(FormatVersion.current) this bpkit \(BPKitVersion.current) reads; upgrade bpkit to read it"
    )
  }
}
