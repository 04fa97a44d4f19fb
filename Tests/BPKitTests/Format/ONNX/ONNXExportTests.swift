import Foundation
import SwiftProtobuf
import Testing
import _BPKitTestSupport

@testable import BPKit

/// ONNX export: every layer and activation, every opset, read back bit for
/// bit; each file is also kept for `make test`'s onnx checker and
/// onnxruntime run (Scripts/check_interchange.py).
@Suite struct ONNXExportTests {
  /// Networks covering every layer kind, every activation and both Elman outputs.
  static let networks: [(name: String, network: NetworkDescription)] = {
    var cases: [(String, NetworkDescription)] = []
    for activation in Activation.allDefaults + [.leakyReLU(alpha: 0.3), .elu(alpha: 0.5)]
    where ONNXActivation.minimumOpset(activation) != nil {
      let label = activation.name + (activation.alpha.map { "_\($0)" } ?? "")
      cases.append(
        (
          "dense_\(label)",
          NetworkDescription(
            input: .vector(features: 5),
            layers: [
              Layer(name: "scale", kind: .standardize),
              Layer(name: "hidden", kind: .dense(units: 6, activation: activation, useBias: true)),
              Layer(name: "out", kind: .dense(units: 3, activation: .linear, useBias: false)),
            ])
        ))
      // Only some activations exist inside ONNX's RNN operator.
      guard ONNXActivation.recurrent(activation) != nil else { continue }
      cases.append(
        (
          "elman_\(label)_last",
          NetworkDescription(
            input: .sequence(steps: 4, features: 3),
            layers: [
              Layer(name: "rnn", kind: .elman(units: 5, activation: activation, useBias: true, returnSequences: false)),
              Layer(name: "head", kind: .dense(units: 2, activation: .sigmoid, useBias: true)),
            ])
        ))
      cases.append(
        (
          "elman_\(label)_sequences",
          NetworkDescription(
            input: .sequence(steps: nil, features: 3),
            layers: [
              Layer(name: "scale", kind: .standardize),
              Layer(
                name: "rnn_1", kind: .elman(units: 5, activation: activation, useBias: true, returnSequences: true)),
              Layer(name: "rnn_2", kind: .elman(units: 4, activation: .tanh, useBias: false, returnSequences: true)),
              Layer(name: "per_step", kind: .dense(units: 3, activation: .softmax, useBias: true)),
            ])
        ))
    }
    cases += gatedNetworks
    cases += dropoutNetworks
    return cases
  }()

  /// Dropout layers (ONNX `Dropout`, the identity in inference) after dense
  /// layers, on an LSTM's sequence and after an Elman layer's last state.
  static let dropoutNetworks: [(name: String, network: NetworkDescription)] = [
    (
      "dropout_dense",
      NetworkDescription(
        input: .vector(features: 5),
        layers: [
          Layer(name: "in_drop", kind: .dropout(rate: 0.2)),
          Layer(name: "hidden", kind: .dense(units: 6, activation: .relu, useBias: true)),
          Layer(name: "drop", kind: .dropout(rate: 0.5)),
          Layer(name: "out", kind: .dense(units: 3, activation: .softmax, useBias: true)),
        ])
    ),
    (
      "dropout_sequences",
      NetworkDescription(
        input: .sequence(steps: 4, features: 3),
        layers: [
          Layer(
            name: "lstm", kind: .lstm(GatedRecurrentSettings(units: 5, returnSequences: true), unitForgetBias: true)),
          Layer(name: "drop", kind: .dropout(rate: 0.25)),
          Layer(name: "rnn", kind: .elman(units: 4, activation: .tanh, useBias: true, returnSequences: false)),
          Layer(name: "drop_last", kind: .dropout(rate: 0.1)),
          Layer(name: "head", kind: .dense(units: 2, activation: .linear, useBias: true)),
        ])
    ),
  ]

  /// LSTM and GRU layers: both GRU forms, last-step and sequence outputs,
  /// stacked, without bias, and activations ONNX's operators take with and
  /// without alpha and beta (hard_sigmoid gates, linear as Affine, ELU).
  static let gatedNetworks: [(name: String, network: NetworkDescription)] = {
    func lstm(
      _ units: Int, _ activation: Activation = .tanh, _ gates: Activation = .sigmoid, bias: Bool = true,
      sequences: Bool
    ) -> LayerKind {
      .lstm(
        GatedRecurrentSettings(
          units: units, activation: activation, recurrentActivation: gates, useBias: bias, returnSequences: sequences),
        unitForgetBias: false)
    }
    func gru(
      _ units: Int, _ activation: Activation = .tanh, _ gates: Activation = .sigmoid, bias: Bool = true,
      sequences: Bool, resetAfter: Bool
    ) -> LayerKind {
      .gru(
        GatedRecurrentSettings(
          units: units, activation: activation, recurrentActivation: gates, useBias: bias, returnSequences: sequences),
        resetAfter: resetAfter)
    }
    var cases: [(String, NetworkDescription)] = []
    for resetAfter in [true, false] {
      let form = resetAfter ? "reset_after" : "reset_before"
      cases.append(
        (
          "lstm_gru_\(form)_last",
          NetworkDescription(
            input: .sequence(steps: nil, features: 3),
            layers: [
              Layer(name: "scale", kind: .standardize),
              Layer(name: "lstm", kind: lstm(5, .tanh, .hardSigmoid, sequences: true)),
              Layer(name: "gru", kind: gru(4, sequences: false, resetAfter: resetAfter)),
              Layer(name: "head", kind: .dense(units: 2, activation: .softmax, useBias: true)),
            ])
        ))
      cases.append(
        (
          "gru_lstm_\(form)_sequences",
          NetworkDescription(
            input: .sequence(steps: 5, features: 2),
            layers: [
              Layer(name: "gru", kind: gru(4, .relu, .hardSigmoid, sequences: true, resetAfter: resetAfter)),
              Layer(name: "gru_nobias", kind: gru(3, .linear, bias: false, sequences: true, resetAfter: resetAfter)),
              Layer(name: "lstm", kind: lstm(3, .elu(alpha: 0.5), bias: false, sequences: true)),
              Layer(name: "per_step", kind: .dense(units: 2, activation: .linear, useBias: true)),
            ])
        ))
    }
    cases.append(
      (
        "lstm_only_last",
        NetworkDescription(
          input: .sequence(steps: nil, features: 4),
          layers: [Layer(name: "lstm", kind: lstm(6, .linear, .sigmoid, sequences: false))])
      ))
    return cases
  }()

  static func input(for network: NetworkDescription, batch: Int = 3, steps: Int = 6, seed: UInt64 = 7) -> Tensor<Float>
  {
    var generator = FormatSamples.Generator(seed: seed)
    var shape = [batch, network.input.features]
    if case .sequence(let fixed, _) = network.input { shape.insert(fixed ?? steps, at: 1) }
    return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in generator.float() * 2 })
  }

  @Test(arguments: networks.map(\.name))
  func exportsReadBackBitForBitAndAreKeptForOnnxruntime(name: String) throws {
    let network = Self.networks.first { $0.name == name }!.network
    let model = try FormatSamples.model(network, seed: 3)
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.onnx")
    let opset = Self.opset(for: network)
    try model.writeONNX(to: url, opset: opset)
    let back = try Model(onnxContentsOf: url)
    #expect(back.network == model.network)
    #expect(FormatSamples.bits(back.parameters) == FormatSamples.bits(model.parameters))
    let x = Self.input(for: network)
    try InterchangeOutputs.keep(file: url, name: "onnx_\(name)", input: x, expected: try model.predict(x))
    // −0, subnormals and infinities come back bit for bit too; a std of 0 is
    // written as the 1 bpkit divides by (NetworkPlan+Forward), so none is given.
    var special = try FormatSamples.model(network, seed: 3, special: true)
    for (key, tensor) in special.parameters where key.name == "std" {
      try special.setParameter(Tensor(shape: tensor.shape, scalars: tensor.scalars.map { $0 == 0 ? 2 : $0 }), for: key)
    }
    try special.writeONNX(to: url, opset: opset)
    #expect(FormatSamples.bits(try Model(onnxContentsOf: url).parameters) == FormatSamples.bits(special.parameters))
  }

  /// The default opset, or the first that has every activation's operator (Gelu 20, Mish 18, HardSwish 14).
  static func opset(for network: NetworkDescription) -> Int {
    network.layers.compactMap { $0.kind.activation.flatMap(ONNXActivation.minimumOpset) }.reduce(
      ONNXFormat.defaultOpset, max)
  }

  /// An activation without an ONNX operator, or whose operator needs a later
  /// opset, is refused naming the layer, the activation and the way out.
  @Test func refusesActivationsWithoutAnOperatorInTheOpset() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.onnx")
    func model(_ activation: Activation) throws -> Model {
      try FormatSamples.model(
        NetworkDescription(
          input: .vector(features: 3),
          layers: [Layer(name: "hidden", kind: .dense(units: 4, activation: activation, useBias: true))]))
    }
    expectReason(
      ONNXError.cannotExport(
        detail: "layer 'hidden' uses silu, for which ONNX opsets up to 21 have no operator; export it to Keras "
          + "(--to keras) instead")
    ) { try model(.silu).writeONNX(to: url) }
    expectReason(
      ONNXError.cannotExport(
        detail: "layer 'hidden' uses relu6, for which ONNX opsets up to 21 have no operator; export it to Keras "
          + "(--to keras) instead")
    ) { try model(.relu6).writeONNX(to: url) }
    expectReason(
      ONNXError.cannotExport(
        detail: "layer 'hidden' uses gelu, whose ONNX operator needs opset 20; write with --opset 20 or later")
    ) { try model(.gelu).writeONNX(to: url, opset: 19) }
    expectReason(
      ONNXError.cannotExport(
        detail: "layer 'hidden' uses hard_silu, whose ONNX operator needs opset 14; write with --opset 14 or later")
    ) { try model(.hardSilu).writeONNX(to: url, opset: 13) }
    #expect(!FileManager.default.fileExists(atPath: url.path))
    try model(.geluTanh).writeONNX(to: url, opset: 20)
    let message = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: url))
    let gelu = try #require(message.graph.node.first { $0.opType == "Gelu" })
    #expect(gelu.attribute.map { String(decoding: $0.s, as: UTF8.self) } == ["tanh"])
    #expect(try Model(onnxContentsOf: url).network.layers[0].kind.activation == .geluTanh)
  }

  @Test(arguments: [13, 14, 15, 18, 19, 20, 21])
  func everyOpsetWritesAModelOnnxruntimeRuns(opset: Int) throws {
    let folder = try TemporaryDirectory()
    for (name, network) in Self.networks where ["dense_elu", "elman_relu_last", "elman_tanh_sequences"].contains(name) {
      let model = try FormatSamples.model(network, seed: 5)
      let url = folder.url.appendingPathComponent("\(name).onnx")
      try model.writeONNX(to: url, opset: opset)
      let message = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: url))
      #expect(message.opsetImport.map(\.version) == [Int64(opset)])
      #expect(message.irVersion == ONNXFormat.irVersion(forOpset: opset))
      #expect(try Model(onnxContentsOf: url) == model)
      let x = Self.input(for: network)
      try InterchangeOutputs.keep(
        file: url, name: "onnx_opset\(opset)_\(name)", input: x, expected: try model.predict(x))
    }
  }

  @Test func theFileNamesItsProducerInputOutputAndNetwork() throws {
    let model = try FormatSamples.model(FormatSamples.recurrentNetwork())
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.onnx")
    try model.writeONNX(to: url)
    let message = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: url))
    #expect(message.producerName == "bpkit")
    #expect(message.producerVersion == BPKitVersion.current)
    #expect(message.graph.input.map(\.name) == ["input"])
    #expect(message.graph.output.map(\.name) == ["output"])
    let inputDimensions = message.graph.input[0].type.tensorType.shape.dim.map(\.value)
    #expect(inputDimensions == [.dimParam("batch"), .dimParam("steps"), .dimValue(4)])
    let network = message.metadataProps.first { $0.key == "bpkit.network" }?.value ?? ""
    #expect(try JSONDecoder().decode(NetworkDescription.self, from: Data(network.utf8)) == model.network)
    #expect(message.graph.node.map(\.opType).contains("RNN"))
  }

  @Test func frozenLayersStayFrozenThroughTheFilesMetadata() throws {
    var network = FormatSamples.recurrentNetwork()
    network.layers[0].trainable = false
    let model = try FormatSamples.model(network)
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.onnx")
    try model.writeONNX(to: url)
    let back = try Model(onnxContentsOf: url)
    #expect(back.network.layers.map(\.trainable) == network.layers.map(\.trainable))
    #expect(back.network == model.network)
  }

  @Test func largeModelsKeepTheirWeightsInAnExternalDataFile() throws {
    let network = NetworkDescription(
      input: .sequence(steps: nil, features: 3),
      layers: [
        Layer(name: "rnn", kind: .elman(units: 8, activation: .tanh, useBias: true, returnSequences: false)),
        Layer(name: "head", kind: .dense(units: 2, activation: .softmax, useBias: true)),
      ])
    let model = try FormatSamples.model(network, seed: 9)
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.onnx")
    try model.writeONNX(to: url, opset: 17, options: .init(), externalDataThreshold: 64)
    let message = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: url))
    let external = message.graph.initializer.filter { $0.dataLocation == .external }
    #expect(external.count == 5)
    #expect(external.allSatisfy { $0.rawData.isEmpty })
    #expect(FileManager.default.fileExists(atPath: folder.path("model.onnx.data")))
    #expect(try Model(onnxContentsOf: url) == model)
    let x = Self.input(for: network)
    try InterchangeOutputs.keep(file: url, name: "onnx_external_data", input: x, expected: try model.predict(x))
  }

  @Test func refusesWhatONNXCannotExpress() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.onnx")
    let softmaxRNN = NetworkDescription(
      input: .sequence(steps: 3, features: 2),
      layers: [Layer(name: "rnn", kind: .elman(units: 2, activation: .softmax, useBias: true, returnSequences: false))])
    let model = try FormatSamples.model(softmaxRNN)
    expectReason(ONNXError.self) { try model.writeONNX(to: url) }
    expectReason(ONNXError.unsupportedOpset(12)) { try model.writeONNX(to: url, opset: 12) }
    expectReason(ONNXError.unsupportedOpset(22)) { try model.writeONNX(to: url, opset: 22) }
    #expect(!FileManager.default.fileExists(atPath: url.path))
  }

  /// Keras → bpkit → ONNX: onnxruntime must predict what Keras did (checked by make test).
  @Test(arguments: KerasPredictionTests.cases)
  func kerasModelsGoToONNX(name: String) throws {
    let imported = try KerasModel(contentsOfFile: Fixtures.path("keras/\(name).keras"))
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.onnx")
    try imported.model.writeONNX(to: url)
    let (x, y) = try KerasPredictionTests.reference(Fixtures.path("keras/\(name).ref.h5"))
    try InterchangeOutputs.keep(file: url, name: "keras_to_onnx_\(name)", input: x, expected: y, source: "keras")
    #expect(try Model(onnxContentsOf: url) == imported.model)
  }
}
