import Foundation
import SwiftProtobuf
import Testing
import _BPKitTestSupport

@testable import BPKit

/// Decoding an ONNX file with its weights left in the file: the message is
/// what swift-protobuf decodes from the whole file, less the raw_data, whose
/// places in the file hold exactly its bytes.
@Suite struct ONNXModelFileTests {
  static let fixtures = ONNXImportTests.cases.flatMap { ["\($0).torchscript.onnx", "\($0).dynamo.onnx"] }

  /// The decoded message with each raw_data put back from the file.
  static func restored(_ path: String) throws -> (ONNXModelFile.Decoded, Onnx_ModelProto) {
    let decoded = try ONNXModelFile.read(path)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    var model = decoded.model
    for (index, range) in decoded.rawData { model.graph.initializer[index].rawData = bytes[range] }
    return (decoded, model)
  }

  @Test(arguments: fixtures)
  func exporterFilesDecodeAsSwiftProtobufDecodesThem(name: String) throws {
    let path = ONNXImportTests.fixture(name).path
    let (decoded, restored) = try Self.restored(path)
    #expect(!decoded.rawData.isEmpty)
    #expect(decoded.model.graph.initializer.allSatisfy { $0.rawData.isEmpty })
    var options = BinaryDecodingOptions()
    options.discardUnknownFields = true
    #expect(
      restored
        == (try Onnx_ModelProto(serializedBytes: try Data(contentsOf: URL(fileURLWithPath: path)), options: options)))
  }

  /// bpkit's own files repeat the graph once per weight (ONNXFileWriter): the pieces merge as one graph.
  @Test func bpkitsFilesOfOneGraphPerWeightDecodeAsOneGraph() throws {
    let network = ONNXExportTests.networks.first { $0.name == "elman_tanh_sequences" }!.network
    let model = try FormatSamples.model(network, seed: 3)
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.onnx")
    try model.writeONNX(to: url)
    let (decoded, restored) = try Self.restored(url.path)
    #expect(decoded.rawData.count == model.parameters.count)
    #expect(restored == (try Onnx_ModelProto(serializedBytes: try Data(contentsOf: url))))
    #expect(try Model(onnxContentsOf: url) == model)
  }

  @Test func truncatedFilesAreRefusedAsNotONNX() throws {
    let source = ONNXImportTests.fixture("mlp_linear_head.torchscript.onnx")
    let bytes = try Data(contentsOf: source)
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("cut.onnx")
    for cut in [bytes.count - 1, bytes.count / 2, 3] {
      try bytes.prefix(cut).write(to: url)
      expectReason(ONNXError.self, "cut at \(cut)") { try Model(onnxContentsOf: url) }
    }
  }
}
