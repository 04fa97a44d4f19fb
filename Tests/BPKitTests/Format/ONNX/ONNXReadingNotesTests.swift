import Foundation
import SwiftProtobuf
import Testing
import _BPKitTestSupport

@testable import BPKit

/// `ONNXFormat.readingNotes(ofFileAtPath:)`: what an import takes that the
/// file does not say is said, never taken silently.
@Suite struct ONNXReadingNotesTests {
  @Test func aDropoutWithoutRatioIsNotedAsONNXsDefault() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("drop.onnx")
    let network = try NetworkDescription(layerSpecification: "4,8:relu,dropout0.2,3:softmax")
    try FormatSamples.model(network, seed: 3).writeONNX(to: url)
    #expect(try ONNXFormat.readingNotes(ofFileAtPath: url.path) == [])
    // Another exporter's file: no bpkit metadata, and a Dropout node that gives no ratio.
    var message = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: url))
    message.metadataProps = []
    let index = try #require(message.graph.node.firstIndex { $0.opType == "Dropout" })
    message.graph.node[index].input = [message.graph.node[index].input[0]]
    message.graph.node[index].attribute = []
    let bare = folder.url.appendingPathComponent("bare.onnx")
    try Data(message.serializedBytes() as [UInt8]).write(to: bare)
    let notes = try ONNXFormat.readingNotes(ofFileAtPath: bare.path)
    #expect(notes.count == 1)
    #expect(notes.first?.contains("gives no ratio; it is imported with ONNX's default rate 0.5") == true, "\(notes)")
    let imported = try Model(onnxContentsOf: bare)
    #expect(imported.network.layers.contains { $0.kind == .dropout(rate: 0.5) })
  }
}
