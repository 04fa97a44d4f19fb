import Foundation
import SwiftProtobuf
import Testing

@testable import BPKit

/// The writer's output storage holds exactly what swift-protobuf encodes into an array.
@Suite struct ONNXSerializedBytesTests {
  @Test(arguments: ["mlp_linear_head.torchscript.onnx", "rnn_tanh_stacked_last.dynamo.onnx"])
  func messagesEncodeAsIntoAnArray(name: String) throws {
    let message = try ONNXImportTests.message(name)
    let array: [UInt8] = try message.serializedBytes()
    let storage: ONNXSerializedBytes = try message.serializedBytes()
    #expect(storage.count == array.count)
    #expect(storage.withUnsafeBytes { Array($0) } == array)
  }

  @Test func theOtherInitializersHoldWhatTheySay() {
    let filled = ONNXSerializedBytes(repeating: 7, count: 5)
    #expect(filled.withUnsafeBytes { Array($0) } == [7, 7, 7, 7, 7])
    let copied = ONNXSerializedBytes([1, 2, 3] as [UInt8])
    #expect(copied.withUnsafeBytes { Array($0) } == [1, 2, 3])
    #expect(ONNXSerializedBytes(repeating: 0, count: 0).count == 0)
  }
}
