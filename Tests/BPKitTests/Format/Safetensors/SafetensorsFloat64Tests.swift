import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@testable import BPKit

/// safetensors in float64: a float64 model is written as F64 tensors and
/// read back as the same float64 model, bit for bit; a file of F64 tensors
/// only (PyTorch's `model.double()` state_dict) imports as a float64 model.
@Suite struct SafetensorsFloat64Tests {
  @Test(arguments: SafetensorsTests.networks.map(\.name))
  func float64ModelsAreWrittenAsF64AndReadBackBitForBit(name: String) throws {
    let network = SafetensorsTests.networks.first { $0.name == name }!.network
    let model = try FormatSamples.float64Model(network, seed: 4)
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.safetensors")
    try BPKitFile.model(model).write(to: url, format: .safetensors)
    #expect(try SafetensorsFormat.elementTypes(ofFileAtPath: url.path) == ["F64"])
    #expect(try SafetensorsFormat.readingNotes(ofFileAtPath: url.path).isEmpty)
    let back = try Model(safetensorsContentsOf: url)
    #expect(back.dtype == .float64)
    #expect(back.network == model.network)
    #expect(FormatSamples.bits(back.float64Parameters!) == FormatSamples.bits(model.float64Parameters!))
    let x = Tensor<Double>(widening: ONNXExportTests.input(for: network))
    try InterchangeOutputs.keep(
      file: url, name: "safetensors_float64_\(name)", float64Input: x, expected: try model.predict(x),
      tolerance: 1e-12)
  }

  /// A float32 model is still written as F32, the same bytes as before.
  @Test func float32ModelsStayF32() throws {
    let network = SafetensorsTests.networks[0].network
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.safetensors")
    try BPKitFile.model(try FormatSamples.model(network)).write(to: url, format: .safetensors)
    #expect(try SafetensorsFormat.elementTypes(ofFileAtPath: url.path) == ["F32"])
    #expect(try Model(safetensorsContentsOf: url).dtype == .float32)
  }

  /// A plain float64 state_dict, given its layers, imports as float64: the
  /// transposition and an LSTM's summed biases stay in Double.
  @Test func aFloat64StateDictImportsAsFloat64() throws {
    let w: [Double] = [0.1, -0.2, 0.3, 1.0 / 3, 2.0 / 3, -1e-300]
    let b: [Double] = [0.7, 0.1 + 0.2]
    let folder = try TemporaryDirectory()
    let url = try Self.denseLayerFile(folder, weight: ("F64", Self.bytes(w)), bias: ("F64", Self.bytes(b)))
    #expect(try SafetensorsFormat.readingNotes(ofFileAtPath: url.path).isEmpty)
    let model = try Model(safetensorsContentsOf: url, network: try NetworkDescription(layerSpecification: "3,2"))
    #expect(model.dtype == .float64)
    let kernel = model.float64Parameters![ParameterKey(layer: "dense_1", name: "kernel")]!
    #expect(kernel.shape == [3, 2])
    #expect(kernel.scalars.map(\.bitPattern) == [0, 3, 1, 4, 2, 5].map { w[$0].bitPattern })
    #expect(model.float64Parameters![ParameterKey(layer: "dense_1", name: "bias")]!.scalars == b)
  }

  /// F64 beside F32 tensors cannot be one float64 model without widening the
  /// F32 ones: the file is read in Float32, and the note says the F64 ones
  /// are rounded.
  @Test func mixedF64AndF32TensorsAreRoundedWithANote() throws {
    let folder = try TemporaryDirectory()
    let url = try Self.denseLayerFile(
      folder, weight: ("F64", Self.bytes([0.1, -0.2, 0.3, 1.0 / 3, 2.0 / 3, 0.25])),
      bias: ("F32", Self.bytes([Float(0.5), 0.75])))
    let notes = try SafetensorsFormat.readingNotes(ofFileAtPath: url.path)
    #expect(notes.count == 1 && notes[0].hasPrefix("F64 tensors are rounded to Float32"))
    #expect(notes.first?.contains("F32 tensors") == true)
    let model = try Model(safetensorsContentsOf: url, network: try NetworkDescription(layerSpecification: "3,2"))
    #expect(model.dtype == .float32)
    #expect(model.parameters[ParameterKey(layer: "dense_1", name: "kernel")]!.scalars.first == Float(0.1))
  }

  /// A safetensors file in `folder` holding one 3-input, 2-unit dense layer
  /// as PyTorch names it: `0.weight` ([2, 3]) then `0.bias` ([2]), each
  /// given as its dtype and its bytes.
  static func denseLayerFile(
    _ folder: TemporaryDirectory, weight: (dtype: String, bytes: [UInt8]), bias: (dtype: String, bytes: [UInt8])
  ) throws -> URL {
    let (split, end) = (weight.bytes.count, weight.bytes.count + bias.bytes.count)
    let header =
      "{\"0.weight\":{\"dtype\":\"\(weight.dtype)\",\"shape\":[2,3],\"data_offsets\":[0,\(split)]},"
      + "\"0.bias\":{\"dtype\":\"\(bias.dtype)\",\"shape\":[2],\"data_offsets\":[\(split),\(end)]}}"
    let url = folder.url.appendingPathComponent("dense.safetensors")
    try Data(SafetensorsTests.file(header: header, data: weight.bytes + bias.bytes)).write(to: url)
    return url
  }

  /// The bytes of `values`, in this machine's order (safetensors' little-endian).
  static func bytes<T>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value) { Array($0) } }
  }

  /// A float64 kernel larger than the writer's and reader's blocks reaches
  /// every place, both ways.
  @Test func float64TensorsOfManyBlocksTransposeExactly() throws {
    let (inputs, units) = (600, 300)
    let network = try NetworkDescription(layerSpecification: "\(inputs),\(units):nobias")
    let kernel = (0..<(inputs * units)).map { Double($0) + 0x1p-30 }
    let model = try Model(
      network: network,
      float64Parameters: [
        ParameterKey(layer: "dense_1", name: "kernel"): Tensor(shape: [inputs, units], scalars: kernel)
      ])
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("large.safetensors")
    try model.writeSafetensors(to: url)
    let header = try SafetensorsHeader(try BinaryFile(reading: url.path), path: url.path)
    let written = try BinaryFile(reading: url.path).read(
      count: kernel.count * 8, at: header.entries[0].range.lowerBound)
    let pyTorch = written.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    var misplaced = 0
    for o in 0..<units {
      for i in 0..<inputs where pyTorch[o * inputs + i] != kernel[i * units + o] { misplaced += 1 }
    }
    #expect(misplaced == 0)
    #expect(try Model(safetensorsContentsOf: url).float64Parameters == model.float64Parameters)
  }
}
