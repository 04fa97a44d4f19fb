import Foundation
import HDF5
import SwiftProtobuf
import Testing
import _BPKitTestSupport

@testable import BPKit

/// ONNX import of files tf2onnx wrote from Keras models (Fixtures/tf2onnx,
/// made by Scripts/tf2onnx_reference.py), against TensorFlow's own outputs.
@Suite struct TF2ONNXImportTests {
  static let cases = ["mlp_every_activation", "mlp_linear_head"]

  @Test(arguments: cases)
  func tf2onnxDenseNetworksPredictAsTensorFlowDoes(name: String) throws {
    let reference = Fixtures.path("tf2onnx/\(name).ref.h5")
    let (x, y) = try KerasPredictionTests.reference(reference)
    let model = try Model(onnxContentsOf: URL(fileURLWithPath: Fixtures.path("tf2onnx/\(name).onnx")))
    #expect(KerasPredictionTests.largestDifference(try model.predict(x), y) <= 1e-5)
    let spec = try HDF5File(openingAtPath: reference).root.stringAttribute("layers")
    #expect(model.network.layers.map(\.kind) == (try NetworkDescription(layerSpecification: spec)).layers.map(\.kind))
  }

  /// tf2onnx writes Keras 3's SimpleRNN as a Loop over a body graph: two
  /// stacked SimpleRNNs (the first returning its sequence) and a Dense head
  /// import as two Elman layers and a dense layer, predicting as TensorFlow.
  @Test func tf2onnxSimpleRNNLoopsImportAsElmanLayers() throws {
    let name = "rnn_simple_loop"
    let reference = Fixtures.path("tf2onnx/\(name).ref.h5")
    let (x, y) = try KerasPredictionTests.reference(reference)
    let fixture = URL(fileURLWithPath: Fixtures.path("tf2onnx/\(name).onnx"))
    let model = try Model(onnxContentsOf: fixture)
    let predicted = try model.predict(x)
    #expect(predicted.shape == y.shape)
    #expect(KerasPredictionTests.largestDifference(predicted, y) <= 1e-5)
    let spec = try HDF5File(openingAtPath: reference).root.stringAttribute("layers")
    #expect(model.network.layers.map(\.kind) == (try NetworkDescription(layerSpecification: spec)).layers.map(\.kind))
    #expect(model.network.input == .sequence(steps: nil, features: 3))
    // onnxruntime runs the fixture and bpkit's export of what it imported
    // (make check-interchange), each against TensorFlow's outputs.
    let folder = try TemporaryDirectory()
    let exported = folder.url.appendingPathComponent("exported.onnx")
    try model.writeONNX(to: exported)
    #expect(FormatSamples.bits(try Model(onnxContentsOf: exported).parameters) == FormatSamples.bits(model.parameters))
    try InterchangeOutputs.keep(file: fixture, name: "tf2onnx_\(name)", input: x, expected: y, source: "tensorflow")
    try InterchangeOutputs.keep(
      file: exported, name: "tf2onnx_bpkit_onnx_\(name)", input: x, expected: y, source: "tensorflow")
  }

  /// The first SimpleRNN's Loop, changed one way each: every other body is
  /// refused naming the Loop and what differs.
  static let changedBodies: [(String, String, @Sendable (inout Onnx_GraphProto) -> Void)] = [
    (
      "another activation", "its body's Sin node",
      { body in body.node[body.node.firstIndex { $0.opType == "Tanh" }!].opType = "Sin" }
    ),
    (
      "a time step of 2", "adds [2] to the time",
      { body in
        let index = body.initializer.firstIndex { $0.name.hasSuffix("add/y:0") }!
        body.initializer[index].int32Data = [2]
        body.initializer[index].rawData = Data()
        if body.initializer[index].dataType == 7 { body.initializer[index].int64Data = [2] }
      }
    ),
    (
      "the sum as the scan output", "scan output is not the new state h",
      { body in
        body.output[body.output.count - 1].name =
          body.node.first { $0.opType == "Add" && $0.name.hasSuffix("/add") }!
          .output[0]
      }
    ),
    (
      "the input without its weight", "is not a product with a 2-D weight",
      { body in
        let index = body.node.firstIndex { $0.opType == "MatMul" && $0.input[0].contains("TensorListGetItem") }!
        body.node[index].input[1] = body.node[index].input[0]
      }
    ),
  ]

  @Test(arguments: changedBodies.indices)
  func otherLoopBodiesAreRefusedNamingTheLoop(index: Int) throws {
    let (_, detail, change) = Self.changedBodies[index]
    var message = try Onnx_ModelProto(
      serializedBytes: try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("tf2onnx/rnn_simple_loop.onnx"))))
    let loop = message.graph.node.firstIndex { $0.opType == "Loop" }!
    change(&message.graph.node[loop].attribute[0].g)
    do {
      _ = try ONNXImportTests.importing(message)
      Issue.record("the changed Loop was imported")
    } catch {
      guard let error = reason(of: error) as? ONNXError else { throw error }
      guard case .unsupportedNode(_, "Loop", let node, let text) = error else {
        Issue.record("\(error)")
        return
      }
      #expect(node == message.graph.node[loop].name)
      #expect(text.contains(detail), "\(text)")
      #expect(text.hasSuffix("bpkit imports a Loop only as tf2onnx writes a Keras SimpleRNN, h = f(x_t·W + b + h·U)"))
      #expect("\(error)".split(separator: "\n").count == 1)
    }
  }
}
