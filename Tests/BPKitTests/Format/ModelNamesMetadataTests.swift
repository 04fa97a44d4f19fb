import Foundation
import SwiftProtobuf
import Testing
import _BPKitTestSupport

@testable import BPKit

/// Feature and class names in ONNX's `metadata_props` and safetensors'
/// `__metadata__`: written as JSON arrays, read back exactly, refused when
/// they do not fit the network; `make test` reads them in Python too.
@Suite struct ModelNamesMetadataTests {
  static let names = ModelNames(
    features: ["sepal \"length\"", "sepal/width", "pétale", "petal,width\n"], classes: ["setosa", "versi\\color", "ß"])

  static var model: Model { get throws { try FixedModels.iris.named(names) } }

  static let formats = ["onnx", "safetensors"]

  static func write(_ model: Model, _ format: String, to url: URL) throws {
    if format == "onnx" { try model.writeONNX(to: url) } else { try model.writeSafetensors(to: url) }
  }

  static func read(_ format: String, _ url: URL) throws -> Model {
    format == "onnx" ? try Model(onnxContentsOf: url) : try Model(safetensorsContentsOf: url)
  }

  /// The file's metadata entries, as the format stores them.
  static func metadata(_ format: String, _ url: URL) throws -> [String: String] {
    if format == "onnx" {
      let message = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: url))
      return Dictionary(message.metadataProps.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    }
    return try SafetensorsHeader(try BinaryFile(reading: url.path), path: url.path).metadata
  }

  @Test(arguments: formats)
  func namesGoIntoTheMetadataAndComeBack(format: String) throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.\(format)")
    let model = try Self.model
    try Self.write(model, format, to: url)
    let metadata = try Self.metadata(format, url)
    let decoder = JSONDecoder()
    #expect(try decoder.decode([String].self, from: Data(metadata["bpkit.feature_names"]!.utf8)) == Self.names.features)
    #expect(try decoder.decode([String].self, from: Data(metadata["bpkit.class_names"]!.utf8)) == Self.names.classes)
    let back = try Self.read(format, url)
    #expect(back.names == Self.names)
    #expect(back == model)
    let x = Tensor<Float>(shape: [2, 4], scalars: [0.5, -1, 2, 0.25, 1, 1, -0.5, 3])
    try InterchangeOutputs.keep(
      file: url, name: "names_\(format)", input: x, expected: try model.predict(x), names: Self.names)
  }

  @Test(arguments: formats)
  func onlyTheNamesAModelHasAreWritten(format: String) throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.\(format)")
    let model = try FixedModels.iris.named(ModelNames(classes: ["a", "b", "c"]))
    try Self.write(model, format, to: url)
    #expect(try Self.metadata(format, url)["bpkit.feature_names"] == nil)
    #expect(try Self.read(format, url).names == ModelNames(classes: ["a", "b", "c"]))
    try Self.write(FixedModels.iris, format, to: url)
    let metadata = try Self.metadata(format, url)
    #expect(metadata["bpkit.feature_names"] == nil && metadata["bpkit.class_names"] == nil)
    #expect(try Self.read(format, url).names.isEmpty)
  }

  @Test func namesThatDoNotFitTheNetworkAreRefusedNamingTheFile() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.onnx")
    try Self.model.writeONNX(to: url)
    var message = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: url))
    let index = message.metadataProps.firstIndex { $0.key == "bpkit.class_names" }!
    message.metadataProps[index].value = #"["a","b"]"#
    try Data(message.serializedBytes() as [UInt8]).write(to: url)
    expectReason(
      ONNXError.invalidMetadata(
        file: url.path, detail: "\(ModelError.invalidNames("2 class names for a classifier over 3 classes (softmax)"))")
    ) { try Model(onnxContentsOf: url) }
    message.metadataProps[index].value = "setosa"
    try Data(message.serializedBytes() as [UInt8]).write(to: url)
    expectReason(
      ONNXError.invalidMetadata(
        file: url.path,
        detail: "\(ModelError.invalidNames("the metadata entry bpkit.class_names is not a JSON array of strings"))")
    ) { try Model(onnxContentsOf: url) }
  }

  @Test func safetensorsNamesThatDoNotFitAreRefused() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.safetensors")
    try FixedModels.iris.named(ModelNames(classes: ["classone", "classtwo", "classtri"]))
      .writeSafetensors(to: url)
    var bytes = try Data(contentsOf: url)
    // Same length, so the header's size and the offsets stay right: a duplicate class name.
    bytes.replaceSubrange(bytes.range(of: Data("classtwo".utf8))!, with: Data("classone".utf8))
    try bytes.write(to: url)
    expectReason(
      SafetensorsError.invalidHeader(
        file: url.path, detail: "\(ModelError.invalidNames("class name 'classone' appears twice"))")
    ) { try Model(safetensorsContentsOf: url) }
  }
}
