import Foundation
import SwiftProtobuf
import Testing
import _BPKitTestSupport

@testable import BPKit

/// The framing bpkit writes around each weight's raw bytes is byte for byte
/// what swift-protobuf encodes for the same `ModelProto { graph { initializer } }`.
@Suite struct ONNXInitializerFramingTests {
  /// swift-protobuf's own encoding of one initializer piece, raw data included.
  static func swiftProtobufPiece(_ tensor: Onnx_TensorProto, rawData: Data) throws -> [UInt8] {
    var piece = Onnx_ModelProto()
    var full = tensor
    full.rawData = rawData
    piece.graph.initializer = [full]
    return try piece.serializedBytes()
  }

  /// Sizes whose varint lengths take one to four bytes, and an empty tensor.
  @Test(arguments: [0, 1, 4, 124, 128, 16_380, 16_384, 2_097_152])
  func framingAndRawBytesAreWhatSwiftProtobufEncodes(byteCount: Int) throws {
    var tensor = Onnx_TensorProto()
    tensor.name = "dense_\(byteCount).kernel"
    tensor.dims = [Int64(byteCount / 4), 1]
    tensor.dataType = ONNXElementType.float.rawValue
    let raw = Data((0..<byteCount).map { UInt8(truncatingIfNeeded: $0 &* 31) })
    let framing = ONNXInitializerFraming(tensorFields: try tensor.serializedBytes(), rawByteCount: byteCount)
    #expect(framing.prefix + [UInt8](raw) == (try Self.swiftProtobufPiece(tensor, rawData: raw)))
  }

  /// Every exported network's file is swift-protobuf's encoding of the
  /// model without weights followed by one whole piece per weight.
  @Test(arguments: ONNXExportTests.networks.map(\.name))
  func filesAreTheConcatenationSwiftProtobufWouldWrite(name: String) throws {
    let network = ONNXExportTests.networks.first { $0.name == name }!.network
    let model = try FormatSamples.model(network, seed: 11, special: true)
    let opset = ONNXExportTests.opset(for: network)
    let plan = try ONNXExportPlan(model, opset: opset)
    var expected: [UInt8] = try plan.model.serializedBytes()
    for initializer in plan.initializers {
      let raw = initializer.values.withUnsafeBytes { Data($0) }
      expected += try Self.swiftProtobufPiece(ONNXFileWriter.tensorProto(initializer), rawData: raw)
    }
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.onnx")
    try model.writeONNX(to: url, opset: opset)
    #expect([UInt8](try Data(contentsOf: url)) == expected)
  }
}
