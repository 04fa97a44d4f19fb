import Foundation
import SwiftProtobuf
import Testing
import _BPKitTestSupport

@testable import BPKit

/// ONNX in float64: a float64 model is written as a DOUBLE graph (weights,
/// input and output) that onnxruntime runs, and read back as the same
/// float64 model; layers whose operators onnxruntime runs in float only are
/// refused by name; a DOUBLE graph of another exporter imports as float64
/// when every weight comes through exact, and is rounded with a note otherwise.
@Suite struct ONNXFloat64Tests {
  /// The export networks every layer of which has a DOUBLE form onnxruntime runs.
  static let networks = ONNXExportTests.networks.filter { case_ in
    case_.network.layers.allSatisfy {
      (try? ONNXFloat64Support.check($0, opset: ONNXExportTests.opset(for: case_.network))) != nil
    }
  }

  /// The export networks with a layer that is refused in float64.
  static let refusedNetworks = ONNXExportTests.networks.filter { case_ in !networks.contains { $0.name == case_.name } }

  @Test func theCasesCoverDenseStandardizeAndDropoutAndTheRefusals() {
    #expect(Self.networks.count >= 9, "\(Self.networks.map(\.name))")
    #expect(Self.networks.contains { $0.network.layers.contains { $0.kind == .standardize } })
    #expect(
      Self.networks.contains { $0.network.layers.contains { if case .dropout = $0.kind { true } else { false } } })
    #expect(Self.refusedNetworks.contains { $0.name.hasPrefix("elman_") })
    #expect(Self.refusedNetworks.contains { $0.name == "dense_elu_0.5" })
  }

  @Test(arguments: networks.map(\.name))
  func float64ModelsAreWrittenAsADoubleGraphAndReadBackBitForBit(name: String) throws {
    let network = Self.networks.first { $0.name == name }!.network
    let model = try FormatSamples.float64Model(network, seed: 3)
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.onnx")
    try BPKitFile.model(model).write(
      to: url, format: .onnx, options: FileWriteOptions(onnxOpset: ONNXExportTests.opset(for: network)))
    let message = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: url))
    let double = ONNXElementType.double.rawValue
    #expect(message.graph.input.map(\.type.tensorType.elemType) == [double])
    #expect(message.graph.output.map(\.type.tensorType.elemType) == [double])
    #expect(
      message.graph.initializer.allSatisfy { $0.dataType == double || $0.dataType == ONNXElementType.int64.rawValue })
    #expect(try ONNXFormat.readingNotes(ofFileAtPath: url.path).isEmpty)
    let back = try Model(onnxContentsOf: url)
    #expect(back.dtype == .float64)
    #expect(back.network == model.network)
    #expect(FormatSamples.bits(back.float64Parameters!) == FormatSamples.bits(model.float64Parameters!))
    let x = Tensor<Double>(widening: ONNXExportTests.input(for: network))
    // onnxruntime's double Gelu(tanh) lands 4e-9 from Float64 (measured); every other operator within 3e-15.
    try InterchangeOutputs.keep(
      file: url, name: "onnx_float64_\(name)", float64Input: x, expected: try model.predict(x),
      tolerance: name == "dense_gelu_tanh" ? 1e-8 : 1e-12)
  }

  /// Each refused layer is named, with its operator and the ways out, and nothing is written.
  @Test(arguments: refusedNetworks.map(\.name))
  func layersOnnxruntimeRunsInFloatOnlyAreRefusedByName(name: String) throws {
    let network = Self.refusedNetworks.first { $0.name == name }!.network
    let model = try FormatSamples.float64Model(network, seed: 3)
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.onnx")
    let opset = ONNXExportTests.opset(for: network)
    do {
      try BPKitFile.model(model).write(to: url, format: .onnx, options: FileWriteOptions(onnxOpset: opset))
      Issue.record("\(name): a float64 model with a layer onnxruntime runs in float only was written")
    } catch {
      let text = "\(error)"
      #expect(text.contains("of this float64 model"), "\(text)")
      #expect(text.contains("has no double kernel in onnxruntime"), "\(text)")
      #expect(text.contains("bpkit convert IN OUT.onnx --dtype float32"), "\(text)")
      #expect(error.code == .unsupported)
    }
    #expect(!FileManager.default.fileExists(atPath: url.path))
    // The same model rounded to float32 (convert --dtype float32) is written.
    try model.converted(to: .float32).writeONNX(to: url, opset: opset)
  }

  @Test func theRefusalNamesTheLayerAndItsOperator() throws {
    let network = try NetworkDescription(layerSpecification: "3,4:elu,2")
    let model = try FormatSamples.float64Model(network)
    let folder = try TemporaryDirectory()
    expectReason(
      ONNXError.cannotExport(
        detail: "layer 'dense_1' of this float64 model uses elu, whose ONNX operator Elu has no double kernel in "
          + "onnxruntime, so a DOUBLE ONNX file of it would not run; write it rounded to float32 with "
          + "bpkit convert IN OUT.onnx --dtype float32, or keep float64 in bpkit HDF5, JSON or safetensors")
    ) { try model.writeONNX(to: folder.url.appendingPathComponent("model.onnx")) }
  }

  /// Another exporter's DOUBLE graph (PyTorch's `model.double()`): a
  /// float64 model when every weight is DOUBLE; with a FLOAT weight beside
  /// the DOUBLE ones, Float32 and a note that says so.
  @Test(arguments: ["double", "mixed"])
  func aDoubleGraphOfAnotherExporterImportsAsFloat64(encoding: String) throws {
    var message = try ONNXImportTests.message("mlp_linear_head.torchscript.onnx")
    let original = try Model(onnxContentsOf: ONNXImportTests.fixture("mlp_linear_head.torchscript.onnx"))
    var widened: [String: [Double]] = [:]
    var keptOneFloat = encoding == "double"
    for index in message.graph.initializer.indices {
      var tensor = message.graph.initializer[index]
      guard tensor.dataType == ONNXElementType.float.rawValue else { continue }
      // "mixed": the first FLOAT weight stays FLOAT.
      guard keptOneFloat else {
        keptOneFloat = true
        continue
      }
      let floats = tensor.rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
      // Low bits no Float32 has, so that rounding would show.
      let doubles = floats.map { Double($0) * (1 + 0x1p-35) }
      widened[tensor.name] = doubles
      tensor.dataType = ONNXElementType.double.rawValue
      tensor.rawData = doubles.withUnsafeBytes { Data($0) }
      message.graph.initializer[index] = tensor
    }
    #expect(!widened.isEmpty)
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("\(encoding).onnx")
    try Data(message.serializedBytes() as [UInt8]).write(to: url)
    let model = try Model(onnxContentsOf: url)
    let notes = try ONNXFormat.readingNotes(ofFileAtPath: url.path)
    if encoding == "double" {
      #expect(model.dtype == .float64)
      #expect(notes.isEmpty, "\(notes)")
      // Every weight is one of the file's doubles, moved (transposed) but never rounded.
      let files = Set(widened.values.flatMap { $0.map(\.bitPattern) })
      #expect(model.float64Parameters!.values.allSatisfy { $0.scalars.allSatisfy { files.contains($0.bitPattern) } })
      #expect(model.network == original.network)
    } else {
      #expect(model.dtype == .float32)
      #expect(notes.count == 1 && notes[0].contains("DOUBLE tensors are rounded to Float32"), "\(notes)")
    }
  }

  /// A recurrent layer's DOUBLE weights are read in Float32, with the note.
  @Test func doubleRecurrentWeightsAreRoundedWithANote() throws {
    let network = try #require(ONNXExportTests.networks.first { $0.name == "elman_tanh_last" }).network
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("rnn.onnx")
    try FormatSamples.model(network).writeONNX(to: url)
    var message = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: url))
    for index in message.graph.initializer.indices
    where message.graph.initializer[index].dataType == ONNXElementType.float.rawValue {
      var tensor = message.graph.initializer[index]
      let floats = tensor.rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
      tensor.dataType = ONNXElementType.double.rawValue
      tensor.rawData = floats.map(Double.init).withUnsafeBytes { Data($0) }
      message.graph.initializer[index] = tensor
    }
    try Data(message.serializedBytes() as [UInt8]).write(to: url)
    #expect(try Model(onnxContentsOf: url).dtype == .float32)
    #expect(try ONNXFormat.readingNotes(ofFileAtPath: url.path).count == 1)
  }
}
