import Foundation
import HDF5
import SwiftProtobuf
import Testing
import _BPKitTestSupport

@testable import BPKit

/// ONNX import of files PyTorch's exporters wrote (Fixtures/pytorch, made by
/// Scripts/pytorch_reference.py), against PyTorch's own outputs; and the
/// refusal of what bpkit cannot import.
@Suite struct ONNXImportTests {
  static let cases = ["mlp_every_activation", "mlp_linear_head", "rnn_tanh_stacked_last", "rnn_relu_every_step"]

  static func fixture(_ name: String) -> URL { URL(fileURLWithPath: Fixtures.path("pytorch/\(name)")) }

  @Test(arguments: cases)
  func torchScriptExportsPredictAsPyTorchDoes(name: String) throws {
    let (x, y) = try KerasPredictionTests.reference(Fixtures.path("pytorch/\(name).ref.h5"))
    let model = try Model(onnxContentsOf: Self.fixture("\(name).torchscript.onnx"))
    let predicted = try model.predict(x)
    #expect(predicted.shape == y.shape)
    #expect(KerasPredictionTests.largestDifference(predicted, y) <= 1e-5)
  }

  /// The dynamo exporter's graphs, nn.RNN unrolled over the traced steps
  /// included: the same layers and weights as the TorchScript exporter's,
  /// bit for bit, with the sequence length fixed at the traced one.
  @Test(arguments: cases)
  func dynamoExportsPredictAsPyTorchDoes(name: String) throws {
    let (x, y) = try KerasPredictionTests.reference(Fixtures.path("pytorch/\(name).ref.h5"))
    let model = try Model(onnxContentsOf: Self.fixture("\(name).dynamo.onnx"))
    #expect(KerasPredictionTests.largestDifference(try model.predict(x), y) <= 1e-5)
    let torchScript = try Model(onnxContentsOf: Self.fixture("\(name).torchscript.onnx"))
    #expect(model.network.layers == torchScript.network.layers)
    #expect(FormatSamples.bits(model.parameters) == FormatSamples.bits(torchScript.parameters))
    let steps = x.shape.count == 3 ? x.shape[1] : nil
    #expect(
      model.network.input == (steps.map { .sequence(steps: $0, features: x.shape[2]) } ?? torchScript.network.input))
  }

  /// Unrolled steps that do not make one Elman layer are refused naming the node.
  @Test(arguments: ["other weights", "out of order", "missing step"])
  func unrolledRecurrencesThatAreNotOneLayerAreRefused(change: String) throws {
    var message = try Self.message("rnn_relu_every_step.dynamo.onnx")
    let concat = message.graph.node.firstIndex { $0.opType == "Concat" && $0.input.count == 5 }!
    let expectedNode: String
    switch change {
    case "other weights":
      // The third step's product by a copy of W_hh^T with one weight changed.
      let squares = Set(message.graph.initializer.filter { $0.dims == [4, 4] }.map(\.name))
      let products = message.graph.node.indices.filter { index in
        let node = message.graph.node[index]
        return node.opType == "MatMul" && node.input.count == 2 && squares.contains(node.input[1])
      }
      var weight = message.graph.initializer.first { $0.name == message.graph.node[products[2]].input[1] }!
      weight.name += "_changed"
      weight.rawData[weight.rawData.startIndex] ^= 1
      message.graph.initializer.append(weight)
      message.graph.node[products[2]].input[1] = weight.name
      let add = message.graph.node.first {
        $0.opType == "Add" && $0.input.contains(message.graph.node[products[2]].output[0])
      }!
      let sum = message.graph.node.first { $0.opType == "Add" && $0.input.contains(add.output[0]) }!
      expectedNode = sum.name
    case "out of order":
      message.graph.node[concat].input.swapAt(1, 2)
      expectedNode = message.graph.node[concat].name
    default:
      message.graph.node[concat].input.removeLast()
      expectedNode = message.graph.node[concat].name
    }
    do {
      _ = try Self.importing(message)
      Issue.record("the changed graph (\(change)) was imported")
    } catch {
      guard let error = reason(of: error) as? ONNXError else { throw error }
      guard case .unsupportedNode(_, _, let node, _) = error else {
        Issue.record("\(error)")
        return
      }
      #expect(node == expectedNode, "\(error)")
    }
  }

  @Test(arguments: cases)
  func importExportImportKeepsTheWeightsBitForBit(name: String) throws {
    let imported = try Model(onnxContentsOf: Self.fixture("\(name).torchscript.onnx"))
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("again.onnx")
    try imported.writeONNX(to: url)
    let again = try Model(onnxContentsOf: url)
    #expect(again.network == imported.network)
    #expect(FormatSamples.bits(again.parameters) == FormatSamples.bits(imported.parameters))
    let (x, y) = try KerasPredictionTests.reference(Fixtures.path("pytorch/\(name).ref.h5"))
    try InterchangeOutputs.keep(
      file: url, name: "pytorch_onnx_bpkit_onnx_\(name)", input: x, expected: y, source: "pytorch")
  }

  /// PyTorch -> ONNX -> bpkit -> Keras: the committed .keras is what this
  /// bpkit writes, and Keras' predictions on it are PyTorch's within 1e-5.
  @Test(arguments: cases)
  func pyTorchModelsReachKerasThroughONNX(name: String) throws {
    let imported = try Model(onnxContentsOf: Self.fixture("\(name).torchscript.onnx"))
    let verified = try KerasModel(contentsOfFile: Fixtures.path("pytorch/\(name).keras"))
    #expect(verified.model == imported)
    let (_, y) = try KerasPredictionTests.reference(Fixtures.path("pytorch/\(name).ref.h5"))
    let (_, kerasY) = try KerasPredictionTests.reference(Fixtures.path("pytorch/\(name).keras.pred.h5"))
    #expect(KerasPredictionTests.largestDifference(kerasY, y) <= 1e-5)
  }

  @Test func pyTorchNamesBecomeLayerNamesByKind() throws {
    let model = try Model(onnxContentsOf: Self.fixture("rnn_tanh_stacked_last.torchscript.onnx"))
    #expect(model.network.layers.map(\.name) == ["elman_1", "elman_2", "dense_1"])
    #expect(model.network.input == .sequence(steps: nil, features: 3))
    guard case .elman(_, .tanh, true, false) = model.network.layers[1].kind else {
      Issue.record("the second RNN layer should return its last step: \(model.network.layers[1].kind)")
      return
    }
  }

  /// The fixture with its weights moved from raw_data into the typed lists
  /// (float_data, double_data, FLOAT16 and BFLOAT16 in int32_data).
  @Test(arguments: ["float_data", "double", "float16", "bfloat16"])
  func initializersInEveryEncodingImport(encoding: String) throws {
    var message = try Self.message("mlp_linear_head.torchscript.onnx")
    let original = try Model(onnxContentsOf: Self.fixture("mlp_linear_head.torchscript.onnx"))
    for index in message.graph.initializer.indices {
      var tensor = message.graph.initializer[index]
      let floats = tensor.rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
      tensor.rawData = Data()
      switch encoding {
      case "float_data":
        tensor.floatData = floats
      case "double":
        tensor.dataType = ONNXElementType.double.rawValue
        tensor.doubleData = floats.map(Double.init)
      case "float16":
        tensor.dataType = ONNXElementType.float16.rawValue
        tensor.int32Data = floats.map { Int32(Float16($0).bitPattern) }
      default:
        tensor.dataType = ONNXElementType.bfloat16.rawValue
        tensor.int32Data = floats.map { Int32($0.bitPattern >> 16) }
      }
      message.graph.initializer[index] = tensor
    }
    let imported = try Self.importing(message)
    // Every weight DOUBLE: a float64 model (ONNXFloat64Tests), whose Float32 view rounds.
    #expect(imported.dtype == (encoding == "double" ? .float64 : .float32))
    for (key, tensor) in original.parameters {
      let expected: [Float] =
        switch encoding {
        case "float16": tensor.scalars.map { Float(Float16($0)) }
        case "bfloat16": tensor.scalars.map { Float(bitPattern: $0.bitPattern & 0xFFFF_0000) }
        default: tensor.scalars
        }
      #expect(imported.parameters[key]?.scalars.map(\.bitPattern) == expected.map(\.bitPattern))
    }
  }

  @Test func otherOperatorsAreRefusedByOpTypeAndNodeName() throws {
    var message = try Self.message("mlp_linear_head.torchscript.onnx")
    let index = message.graph.node.firstIndex { $0.opType == "Tanh" }!
    message.graph.node[index].opType = "Conv"
    let name = message.graph.node[index].name
    expectReason(ONNXError.unsupportedOperator(file: "crafted.onnx", opType: "Conv", node: name)) {
      try Self.importing(message)
    }
  }

  @Test func anActivationWithoutALayerIsRefusedNamingTheNode() throws {
    var message = try Self.message("mlp_linear_head.torchscript.onnx")
    // Tanh straight on the input: bpkit has no layer for it.
    let index = message.graph.node.firstIndex { $0.opType == "Tanh" }!
    message.graph.node[index].input = ["input"]
    expectReason(ONNXError.self) { try Self.importing(message) }
    do {
      _ = try Self.importing(message)
    } catch {
      guard let error = reason(of: error) as? ONNXError else { throw error }
      #expect(error.description.contains(message.graph.node[index].name))
    }
  }

  @Test func filesThatAreNotONNXAreRefused() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("garbage.onnx")
    try Data([0x08, 0x07, 0xFF, 0xFF, 0xFF, 0x12]).write(to: url)
    expectReason(ONNXError.self) { try Model(onnxContentsOf: url) }
    expectReason(ONNXError.self) { try BPKitFile.open(url) }
  }

  static func message(_ name: String) throws -> Onnx_ModelProto {
    try Onnx_ModelProto(serializedBytes: try Data(contentsOf: fixture(name)))
  }

  static func importing(_ message: Onnx_ModelProto) throws -> Model {
    try ONNXImporter.importModel(message, file: "crafted.onnx", folder: URL(fileURLWithPath: "/nonexistent"))
  }
}
