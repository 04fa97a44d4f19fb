import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@testable import BPKit

/// safetensors both ways: bpkit's files read back bit for bit and are kept
/// for `make test`'s check in Python; PyTorch's state_dicts import with
/// --layers against PyTorch's outputs; hostile headers are refused before
/// any tensor is allocated.
@Suite struct SafetensorsTests {
  /// The networks of ONNXExportTests but those with a `reset_before` GRU, which PyTorch cannot express.
  static let networks = ONNXExportTests.networks.filter { case_ in
    !case_.network.layers.contains { if case .gru(_, resetAfter: false) = $0.kind { true } else { false } }
  }

  /// The PyTorch fixtures: nn.Linear and nn.RNN networks, and nn.LSTM and nn.GRU networks.
  static let pyTorchCases = ONNXImportTests.cases + ONNXGatedTests.cases

  @Test(arguments: networks.map(\.name))
  func exportsReadBackBitForBitAndAreKeptForPython(name: String) throws {
    let network = ONNXExportTests.networks.first { $0.name == name }!.network
    let model = try FormatSamples.model(network, seed: 4, special: true)
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.safetensors")
    try model.writeSafetensors(to: url)
    let back = try Model(safetensorsContentsOf: url)
    #expect(back.network == model.network)
    #expect(FormatSamples.bits(back.parameters) == FormatSamples.bits(model.parameters))
    let finite = try FormatSamples.model(network, seed: 4)
    try finite.writeSafetensors(to: url)
    let x = ONNXExportTests.input(for: network)
    try InterchangeOutputs.keep(file: url, name: "safetensors_\(name)", input: x, expected: try finite.predict(x))
  }

  @Test func tensorsAreNamedAsNNSequentialNamesThem() throws {
    let network = NetworkDescription(
      input: .sequence(steps: nil, features: 3),
      layers: [
        Layer(name: "scale", kind: .standardize),
        Layer(name: "rnn", kind: .elman(units: 4, activation: .relu, useBias: true, returnSequences: false)),
        Layer(name: "hidden", kind: .dense(units: 5, activation: .tanh, useBias: true)),
        Layer(name: "out", kind: .dense(units: 2, activation: .linear, useBias: false)),
      ])
    let layout = try PyTorchLayout(sequential: network, file: "model.safetensors")
    #expect(
      layout.items.map(\.name) == [
        "0.mean", "0.std", "1.weight_ih_l0", "1.weight_hh_l0", "1.bias_ih_l0", "1.bias_hh_l0", "2.weight", "2.bias",
        "4.weight",
      ])
    #expect(layout.items.map(\.shape) == [[3], [3], [4, 3], [4, 4], [4], [4], [5, 4], [5], [2, 5]])
  }

  @Test(arguments: pyTorchCases)
  func pyTorchStateDictsImportWithLayersAndPredictAsPyTorchDoes(name: String) throws {
    let reference = Fixtures.path("pytorch/\(name).ref.h5")
    let (x, y) = try KerasPredictionTests.reference(reference)
    let layers = try HDF5File(openingAtPath: reference).root.stringAttribute("layers")
    let network = try NetworkDescription(layerSpecification: layers)
    let model = try Model(safetensorsContentsOf: ONNXImportTests.fixture("\(name).safetensors"), network: network)
    #expect(KerasPredictionTests.largestDifference(try model.predict(x), y) <= 1e-5)
    // The state_dict and the ONNX export hold the same weights.
    let onnx = try Model(onnxContentsOf: ONNXImportTests.fixture("\(name).torchscript.onnx"))
    #expect(model == onnx)
  }

  /// The files the snippet of Schemas/PYTORCH.md was checked on are what this bpkit writes.
  @Test(arguments: pyTorchCases)
  func theSnippetsFilesAreWhatBPKitWrites(name: String) throws {
    let model = try Model(onnxContentsOf: ONNXImportTests.fixture("\(name).torchscript.onnx"))
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.safetensors")
    try model.writeSafetensors(to: url)
    #expect(try Data(contentsOf: url) == Data(contentsOf: ONNXImportTests.fixture("\(name).bpkit.safetensors")))
  }

  /// nn.LSTM's gate order is Keras' (i, f, g, o and i, f, c, o); nn.GRU's
  /// r, z, n is Keras' z, r, h with the first two swapped, biases included.
  @Test func gatesAreWrittenInPyTorchOrder() throws {
    let network = NetworkDescription(
      input: .sequence(steps: nil, features: 1),
      layers: [
        Layer(name: "lstm", kind: .lstm(GatedRecurrentSettings(units: 1, returnSequences: true), unitForgetBias: true)),
        Layer(name: "gru", kind: .gru(GatedRecurrentSettings(units: 1), resetAfter: true)),
      ])
    var model = try FormatSamples.model(network)
    try model.setParameter(
      Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]), for: ParameterKey(layer: "lstm", name: "kernel"))
    try model.setParameter(Tensor(shape: [1, 3], scalars: [1, 2, 3]), for: ParameterKey(layer: "gru", name: "kernel"))
    try model.setParameter(
      Tensor(shape: [1, 3], scalars: [4, 5, 6]), for: ParameterKey(layer: "gru", name: "recurrent_kernel"))
    try model.setParameter(
      Tensor(shape: [2, 3], scalars: [7, 8, 9, 10, 11, 12]), for: ParameterKey(layer: "gru", name: "bias"))
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.safetensors")
    try model.writeSafetensors(to: url)
    let header = try SafetensorsHeader(try BinaryFile(reading: url.path), path: url.path)
    let file = try BinaryFile(reading: url.path)
    func scalars(_ name: String) throws -> [Float] {
      let entry = header.entries.first { $0.name == name }!
      return try file.read(count: entry.range.count, at: entry.range.lowerBound).withUnsafeBytes {
        Array($0.bindMemory(to: Float.self))
      }
    }
    #expect(try scalars("0.weight_ih_l0") == [1, 2, 3, 4])
    #expect(try scalars("1.weight_ih_l0") == [2, 1, 3])
    #expect(try scalars("1.weight_hh_l0") == [5, 4, 6])
    #expect(try scalars("1.bias_ih_l0") == [8, 7, 9])
    #expect(try scalars("1.bias_hh_l0") == [11, 10, 12])
    #expect(try Model(safetensorsContentsOf: url) == model)
  }

  /// A GRU with reset_after=False has no nn.GRU form: refused by layer name, both ways, and nothing is written.
  @Test func aResetBeforeGRUIsRefusedByName() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.safetensors")
    let network = try NetworkDescription(layerSpecification: "?x2,gru4:reset_before:seq,3")
    let detail =
      "is a GRU with reset_after=False (gruN:reset_before), which PyTorch's nn.GRU cannot express (it applies the "
      + "reset gate after the recurrent product, as reset_after=True does); convert the model to HDF5, Keras or "
      + "ONNX instead"
    expectReason(SafetensorsError.unsupportedLayer(file: url.path, layer: "gru_1", detail: detail)) {
      try FormatSamples.model(network).writeSafetensors(to: url)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == [])
    let stateDict = ONNXImportTests.fixture("gru_every_step.safetensors")
    expectReason(SafetensorsError.unsupportedLayer(file: stateDict.path, layer: "gru_1", detail: detail)) {
      try Model(safetensorsContentsOf: stateDict, network: network)
    }
  }

  /// nn.RNN, nn.LSTM and nn.GRU share their tensor names: a layer of another kind than the module is told by shape.
  @Test func aRecurrentLayerOfAnotherKindIsRefusedByShape() throws {
    let file = ONNXImportTests.fixture("gru_every_step.safetensors")
    expectReason(
      SafetensorsError.shapeMismatch(
        file: file.path, name: "rnn.weight_ih_l0", layer: "lstm_1", expected: [16, 2], found: [12, 2])
    ) { try Model(safetensorsContentsOf: file, network: try NetworkDescription(layerSpecification: "?x2,lstm4:seq,3")) }
  }

  @Test func missingExtraAndMisshapedTensorsAreRefusedByName() throws {
    let file = ONNXImportTests.fixture("rnn_tanh_stacked_last.safetensors")
    let path = file.path
    func importing(_ spec: String) throws {
      _ = try Model(safetensorsContentsOf: file, network: try NetworkDescription(layerSpecification: spec))
    }
    expectReason(
      SafetensorsError.shapeMismatch(
        file: path, name: "rnn.weight_ih_l1", layer: "elman_2", expected: [4, 5], found: [5, 5])
    ) { try importing("?x3,rnn5:tanh:seq,rnn4:tanh,2") }
    expectReason(
      SafetensorsError.unexpectedTensors(
        file: path, names: ["rnn.bias_hh_l1", "rnn.bias_ih_l1", "rnn.weight_hh_l1", "rnn.weight_ih_l1"])
    ) { try importing("?x3,rnn5:tanh:seq,2") }
    expectReason(SafetensorsError.missingTensor(file: path, name: "an nn.Linear's weight", layer: "dense_2")) {
      try importing("?x3,rnn5:tanh:seq,rnn5:tanh,2,2")
    }
    expectReason(SafetensorsError.needsLayers(file: path)) { try Model(safetensorsContentsOf: file) }
  }

  @Test(arguments: ["F64", "F16", "BF16"])
  func otherFloatTypesAreWidenedOrRounded(dtype: String) throws {
    let values: [Float] = [0.5, -1.25, 3.0, 0.099975586, 65504, -0.0]
    var data: [UInt8] = []
    for value in values {
      switch dtype {
      case "F64": withUnsafeBytes(of: Double(value)) { data += $0 }
      case "F16": withUnsafeBytes(of: Float16(value).bitPattern) { data += $0 }
      default: withUnsafeBytes(of: UInt16(value.bitPattern >> 16)) { data += $0 }
      }
    }
    let header = "{\"0.weight\":{\"dtype\":\"\(dtype)\",\"shape\":[2,3],\"data_offsets\":[0,\(data.count)]}}"
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("typed.safetensors")
    try Data(Self.file(header: header, data: data)).write(to: url)
    #expect(try SafetensorsFormat.elementTypes(ofFileAtPath: url.path) == [dtype])
    let model = try Model(safetensorsContentsOf: url, network: try NetworkDescription(layerSpecification: "3,2:nobias"))
    // A file of F64 tensors only is a float64 model (SafetensorsFloat64Tests); its Float32 view rounds.
    #expect(model.dtype == (dtype == "F64" ? .float64 : .float32))
    let expected: [Float] = dtype == "BF16" ? values.map { Float(bitPattern: $0.bitPattern & 0xFFFF_0000) } : values
    // [out, in] = [2, 3] becomes bpkit's [in, out] = [3, 2].
    let kernel = model.parameters[ParameterKey(layer: "dense_1", name: "kernel")]!
    #expect(kernel.shape == [3, 2])
    #expect(kernel.scalars.map(\.bitPattern) == [0, 3, 1, 4, 2, 5].map { expected[$0].bitPattern })
  }

  /// Tensors larger than the reader's and writer's blocks are transposed a
  /// block of rows at a time: every element must reach its place, in F32 and
  /// in a widened type.
  @Test(arguments: ["F32", "F16"])
  func tensorsOfManyBlocksTransposeExactly(dtype: String) throws {
    let (inputs, units) = (600, 1_100)
    let network = try NetworkDescription(layerSpecification: "\(inputs),\(units):nobias")
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("large.safetensors")
    // PyTorch's [out, in] weight, element (o, i) = o * inputs + i, exact in F16 below 2048.
    let count = inputs * units
    let pyTorch = (0..<count).map { Float(dtype == "F16" ? $0 % 2_048 : $0) }
    if dtype == "F32" {
      var kernel = [Float](repeating: 0, count: count)
      for o in 0..<units { for i in 0..<inputs { kernel[i * units + o] = pyTorch[o * inputs + i] } }
      let model = try Model(
        network: network,
        parameters: [ParameterKey(layer: "dense_1", name: "kernel"): Tensor(shape: [inputs, units], scalars: kernel)])
      try model.writeSafetensors(to: url)
      let header = try SafetensorsHeader(try BinaryFile(reading: url.path), path: url.path)
      let written = try BinaryFile(reading: url.path).read(count: count * 4, at: header.entries[0].range.lowerBound)
      #expect(written.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } == pyTorch)
      #expect(try Model(safetensorsContentsOf: url) == model)
    } else {
      var data: [UInt8] = []
      data.reserveCapacity(count * 2)
      for value in pyTorch { withUnsafeBytes(of: Float16(value).bitPattern) { data += $0 } }
      let header =
        "{\"0.weight\":{\"dtype\":\"F16\",\"shape\":[\(units),\(inputs)],\"data_offsets\":[0,\(data.count)]}}"
      try Data(Self.file(header: header, data: data)).write(to: url)
      let kernel = try Model(safetensorsContentsOf: url, network: network).parameters[
        ParameterKey(layer: "dense_1", name: "kernel")]!
      var mismatches = 0
      for o in 0..<units {
        for i in 0..<inputs where kernel.scalars[i * units + o] != pyTorch[o * inputs + i] { mismatches += 1 }
      }
      #expect(mismatches == 0)
    }
  }

  /// Hostile headers, each refused with the error for what is wrong.
  static let hostile: [(label: String, bytes: [UInt8], expected: String)] = {
    let weight = [UInt8](repeating: 0, count: 24)
    func entry(_ offsets: String, shape: String = "[2,3]", dtype: String = "F32") -> String {
      "{\"0.weight\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}}"
    }
    func header(_ bytes: [UInt8], length: UInt64) -> [UInt8] {
      var length = length.littleEndian
      return withUnsafeBytes(of: &length) { Array($0) } + bytes
    }
    let isLayout = "invalidLayout"
    let isTensor = "invalidTensor"
    return [
      ("a header length of 2^63", header(Array("{}".utf8), length: 1 << 63), "headerTooLarge"),
      ("a header longer than the file", header(Array("{}".utf8), length: 4096), "headerTooLarge"),
      ("offsets past the end", file(header: entry("[0,2400000000]", shape: "[600000000]"), data: weight), isLayout),
      (
        "a shape that needs more bytes than its offsets",
        file(header: entry("[0,24]", shape: "[1000000,1000000]"), data: weight), isTensor
      ),
      (
        "a shape that overflows",
        file(header: entry("[0,24]", shape: "[4294967296,4294967296,4294967296]"), data: weight), isTensor
      ),
      (
        "overlapping tensors",
        file(
          header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}", data: weight), isLayout
      ),
      (
        "a gap between tensors",
        file(
          header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}", data: weight), isLayout
      ),
      ("bytes after the last tensor", file(header: entry("[0,16]", shape: "[4]"), data: weight), isLayout),
      ("an unknown dtype", file(header: entry("[0,24]", dtype: "I64"), data: weight), isTensor),
      ("negative offsets", file(header: entry("[-8,16]"), data: weight), isTensor),
      ("a header that is not JSON", header(Array("{{{{".utf8), length: 4) + weight, "invalidHeader"),
    ]
  }()

  @Test(arguments: hostile.indices)
  func hostileHeadersAreRefusedBeforeAnyAllocation(index: Int) throws {
    let (label, bytes, expected) = Self.hostile[index]
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("hostile.safetensors")
    try Data(bytes).write(to: url)
    do {
      _ = try Model(safetensorsContentsOf: url, network: try NetworkDescription(layerSpecification: "3,2:nobias"))
      Issue.record("\(label) was accepted")
    } catch {
      let kind =
        (reason(of: error) as? SafetensorsError).flatMap { Mirror(reflecting: $0).children.first?.label } ?? "\(error)"
      #expect(kind == expected, "\(label): \(error)")
    }
  }

  /// A safetensors file: the header's length, the header, the data.
  static func file(header: String, data: [UInt8]) -> [UInt8] {
    var length = UInt64(header.utf8.count).littleEndian
    return withUnsafeBytes(of: &length) { Array($0) } + Array(header.utf8) + data
  }
}
