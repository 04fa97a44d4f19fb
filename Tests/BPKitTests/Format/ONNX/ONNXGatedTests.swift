import Foundation
import SwiftProtobuf
import Testing
import _BPKitTestSupport

@testable import BPKit

/// ONNX's `LSTM` and `GRU` operators: PyTorch's `nn.LSTM` and `nn.GRU` as
/// its TorchScript exporter writes them (Fixtures/pytorch, made by
/// Scripts/pytorch_gated_reference.py) against PyTorch's own outputs, the
/// gate orders of bpkit's exports, and the refusal, by name, of what these
/// operators have and bpkit's layers do not. (bpkit's exports are read back
/// bit for bit and run in onnxruntime in ONNXExportTests.)
@Suite struct ONNXGatedTests {
  static let cases = ["lstm_stacked_last", "gru_every_step", "lstm_gru_last"]

  @Test(arguments: cases)
  func torchScriptExportsPredictAsPyTorchDoes(name: String) throws {
    let (x, y) = try KerasPredictionTests.reference(Fixtures.path("pytorch/\(name).ref.h5"))
    let model = try Model(onnxContentsOf: ONNXImportTests.fixture("\(name).torchscript.onnx"))
    let predicted = try model.predict(x)
    #expect(predicted.shape == y.shape)
    #expect(KerasPredictionTests.largestDifference(predicted, y) <= 1e-5)
  }

  /// PyTorch → ONNX → bpkit → ONNX: the weights survive bit for bit, and
  /// onnxruntime must give PyTorch's outputs (checked by make test).
  @Test(arguments: cases)
  func importExportImportKeepsTheWeightsBitForBit(name: String) throws {
    let imported = try Model(onnxContentsOf: ONNXImportTests.fixture("\(name).torchscript.onnx"))
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

  @Test func pyTorchLayersBecomeLSTMAndGRULayers() throws {
    let model = try Model(onnxContentsOf: ONNXImportTests.fixture("lstm_gru_last.torchscript.onnx"))
    #expect(model.network.layers.map(\.name) == ["lstm_1", "gru_1", "dense_1"])
    #expect(
      model.network.layers.map(\.kind).prefix(2) == [
        .lstm(GatedRecurrentSettings(units: 4, returnSequences: true), unitForgetBias: true),
        .gru(GatedRecurrentSettings(units: 5), resetAfter: true),
      ])
    #expect(model.parameters[ParameterKey(layer: "gru_1", name: "bias")]?.shape == [2, 15])
  }

  /// ONNX's W keeps each gate's weights as rows, in the order i, o, f, c
  /// (LSTM) or z, r, h (GRU); bpkit's kernel keeps them as columns in Keras'
  /// order i, f, c, o or z, r, h.
  @Test func gatesAreWrittenInONNXOrder() throws {
    let network = NetworkDescription(
      input: .sequence(steps: nil, features: 1),
      layers: [
        Layer(name: "lstm", kind: .lstm(GatedRecurrentSettings(units: 1, returnSequences: true), unitForgetBias: true)),
        Layer(name: "gru", kind: .gru(GatedRecurrentSettings(units: 1), resetAfter: true)),
      ])
    var model = try FormatSamples.model(network)
    try model.setParameter(
      Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]), for: ParameterKey(layer: "lstm", name: "kernel"))
    try model.setParameter(Tensor(shape: [4], scalars: [5, 6, 7, 8]), for: ParameterKey(layer: "lstm", name: "bias"))
    try model.setParameter(Tensor(shape: [1, 3], scalars: [1, 2, 3]), for: ParameterKey(layer: "gru", name: "kernel"))
    try model.setParameter(
      Tensor(shape: [2, 3], scalars: [4, 5, 6, 7, 8, 9]), for: ParameterKey(layer: "gru", name: "bias"))
    let plan = try ONNXExportPlan(model, opset: 17)
    func scalars(_ name: String) -> [Float]? {
      guard case .float(let scalars) = plan.initializers.first(where: { $0.name == name })?.values else { return nil }
      return scalars
    }
    #expect(scalars("lstm.W") == [1, 4, 2, 3])
    #expect(scalars("lstm.B")?.prefix(4) == [5, 8, 6, 7])
    #expect(scalars("lstm.B")?.suffix(4).map(\.bitPattern) == [Float](repeating: -0.0, count: 4).map(\.bitPattern))
    #expect(scalars("gru.W") == [1, 2, 3])
    #expect(scalars("gru.B") == [4, 5, 6, 7, 8, 9])
    let gru = plan.model.graph.node.first { $0.opType == "GRU" }!
    #expect(gru.attribute.first { $0.name == "linear_before_reset" }?.i == 1)
  }

  @Test func aSoftmaxActivationIsRefusedByName() throws {
    let network = NetworkDescription(
      input: .sequence(steps: 3, features: 2),
      layers: [Layer(name: "g", kind: .gru(GatedRecurrentSettings(units: 2, activation: .softmax), resetAfter: false))])
    let model = try FormatSamples.model(network)
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.onnx")
    expectReason(
      ONNXError.cannotExport(
        detail: "gru layer 'g' uses softmax, which ONNX's GRU operator does not have; use another activation or "
          + "export it to Keras (--to keras)")
    ) { try model.writeONNX(to: url) }
    #expect(!FileManager.default.fileExists(atPath: url.path))
  }

  /// What ONNX's operators have and bpkit's layers do not, each refused by
  /// the node's name with what it is.
  @Test(arguments: [
    "bidirectional", "clip", "input_forget", "peepholes", "g and h", "scaled tanh", "Keras 2 hard sigmoid", "Y_c",
    "initial_c", "reverse GRU",
  ])
  func whatBPKitLayersLackIsRefusedByName(change: String) throws {
    var message = try Self.exported()
    let isGRU = change.contains("GRU")
    let index = message.graph.node.firstIndex { $0.opType == (isGRU ? "GRU" : "LSTM") }!
    var node = message.graph.node[index]
    func set(_ attribute: Onnx_AttributeProto) {
      node.attribute.removeAll { $0.name == attribute.name }
      node.attribute.append(attribute)
    }
    func addInitializer(_ name: String, shape: [Int64], value: Float) {
      var tensor = Onnx_TensorProto()
      tensor.name = name
      tensor.dataType = ONNXElementType.float.rawValue
      tensor.dims = shape
      tensor.floatData = Array(repeating: value, count: Int(shape.reduce(1, *)))
      message.graph.initializer.append(tensor)
    }
    let detail: String
    switch change {
    case "bidirectional":
      set(Self.text("direction", "bidirectional"))
      detail = "it runs bidirectional; bpkit's LSTM layers run forward only"
    case "clip":
      set(.float("clip", 3))
      detail = "it clips at 3.0; bpkit's LSTM layers do not clip"
    case "input_forget":
      set(.int("input_forget", 1))
      detail = "input_forget = 1 couples its input and forget gates; bpkit's LSTM keeps them apart"
    case "peepholes":
      addInitializer("P", shape: [1, 15], value: 0.5)
      node.input += ["", "", "", "P"]
      detail = "it has peephole weights P; bpkit's LSTM has no peepholes"
    case "g and h":
      set(.strings("activations", ["Sigmoid", "Tanh", "Relu"]))
      detail =
        "its activations g (tanh) and h (relu) differ; bpkit's LSTM, as Keras', applies one activation to the "
        + "candidate and the cell state"
    case "scaled tanh":
      set(.strings("activations", ["Sigmoid", "ScaledTanh", "ScaledTanh"]))
      detail = "its activation g is ScaledTanh (alpha 0.16666667, beta 0.5), which bpkit does not have"
    case "Keras 2 hard sigmoid":
      set(.strings("activations", ["HardSigmoid", "Tanh", "Tanh"]))
      set(.floats("activation_alpha", [0.2]))
      set(.floats("activation_beta", [0.5]))
      detail = "its activation f is HardSigmoid (alpha 0.2, beta 0.5), which bpkit does not have"
    case "Y_c":
      node.output = [node.output[0], node.output[1], "cell"]
      var output = message.graph.output[0]
      output.name = "cell"
      message.graph.output.append(output)
      detail = "it uses the cell state Y_c, which bpkit's LSTM layers do not return"
    case "initial_c":
      addInitializer("c0", shape: [1, 1, 5], value: 1)
      node.input += ["", "", "c0"]
      detail = "its initial_c is not zero; bpkit's LSTM layers start from zero"
    default:
      set(Self.text("direction", "reverse"))
      detail = "it runs reverse; bpkit's GRU layers run forward only"
    }
    message.graph.node[index] = node
    expectReason(
      ONNXError.unsupportedNode(file: "crafted.onnx", opType: node.opType, node: node.name, detail: detail)
    ) { try ONNXImportTests.importing(message) }
  }

  static func text(_ name: String, _ value: String) -> Onnx_AttributeProto {
    var attribute = Onnx_AttributeProto()
    attribute.name = name
    attribute.type = .string
    attribute.s = Data(value.utf8)
    return attribute
  }

  /// bpkit's export of an LSTM (5 units, returning its sequence) under a GRU.
  static func exported() throws -> Onnx_ModelProto {
    let network = ONNXExportTests.gatedNetworks.first { $0.name == "lstm_gru_reset_after_last" }!.network
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.onnx")
    try FormatSamples.model(network, seed: 4).writeONNX(to: url)
    return try Onnx_ModelProto(serializedBytes: try Data(contentsOf: url))
  }
}
