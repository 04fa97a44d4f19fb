import Foundation
import SwiftProtobuf

/// Writes an ``ONNXExportPlan`` as an ONNX file, one weight tensor at a time.
///
/// Protobuf parsers merge a message that occurs twice in the input, and
/// append to repeated fields (protobuf's encoding guide, "Last One Wins"
/// and merging of embedded messages), so the concatenation of serialized
/// `ModelProto`s is the serialization of their merge. The file is the model
/// without weights, followed by one `ModelProto { graph { initializer } }`
/// per weight, each serialized by swift-protobuf with its `raw_data` taken
/// from the tensor's storage without a copy. So the whole message never
/// sits in memory: the largest extra allocation is one serialized tensor
/// (in ``ONNXSerializedBytes``, which swift-protobuf fills without a zero
/// fill first).
///
/// Models with more than ``ONNXFormat/externalDataThreshold`` bytes of
/// weights are written in ONNX's external-data form instead: the weights
/// go raw into `NAME.data` beside the model, and each initializer names its
/// `location`, `offset` and `length` there (onnx.proto, "external_data").
enum ONNXFileWriter {
  static func write(
    _ plan: ONNXExportPlan, to url: URL, options: FileWriteOptions,
    externalDataThreshold: Int = ONNXFormat.externalDataThreshold
  ) throws {
    let weightBytes = plan.initializers.reduce(0) { $0 + $1.scalars.count * MemoryLayout<Float>.size }
    if weightBytes > externalDataThreshold {
      try writeExternal(plan, to: url, options: options, weightBytes: weightBytes)
      return
    }
    try OutputFile.create(url.relativePath, options: options, reservingBytes: weightBytes + (1 << 20)) { temporary in
      let file = try BinaryFile(creating: temporary, displayPath: url.path)
      try serialized(plan.model, url).withUnsafeBytes { try file.write($0) }
      for initializer in plan.initializers {
        try initializer.scalars.withUnsafeBytes { bytes in
          var piece = Onnx_ModelProto()
          piece.graph.initializer = [tensorProto(initializer, rawData: borrowedData(bytes))]
          try serialized(piece, url).withUnsafeBytes { try file.write($0) }
        }
      }
    }
  }

  /// The external-data form: the data file first, then the model naming it,
  /// each replaced atomically.
  private static func writeExternal(
    _ plan: ONNXExportPlan, to url: URL, options: FileWriteOptions, weightBytes: Int
  ) throws {
    let dataName = url.lastPathComponent + ".data"
    let dataURL = url.deletingLastPathComponent().appendingPathComponent(dataName)
    var model = plan.model
    var offset = 0
    try OutputFile.create(dataURL.relativePath, options: options, reservingBytes: weightBytes) { temporary in
      let file = try BinaryFile(creating: temporary, displayPath: dataURL.path)
      for initializer in plan.initializers {
        let length = initializer.scalars.count * MemoryLayout<Float>.size
        try initializer.scalars.withUnsafeBytes { try file.write($0) }
        var tensor = tensorProto(initializer, rawData: nil)
        tensor.dataLocation = .external
        tensor.externalData = [
          entry("location", dataName), entry("offset", String(offset)), entry("length", String(length)),
        ]
        model.graph.initializer.append(tensor)
        offset += length
      }
    }
    try OutputFile.create(url.relativePath, options: options) { temporary in
      let file = try BinaryFile(creating: temporary, displayPath: url.path)
      try serialized(model, url).withUnsafeBytes { try file.write($0) }
    }
  }

  private static func tensorProto(_ initializer: ONNXExportPlan.Initializer, rawData: Data?) -> Onnx_TensorProto {
    var tensor = Onnx_TensorProto()
    tensor.name = initializer.name
    tensor.dims = initializer.shape.map(Int64.init)
    tensor.dataType = ONNXElementType.float.rawValue
    if let rawData { tensor.rawData = rawData }
    return tensor
  }

  /// `bytes` as `Data` without copying them; valid only while `bytes` is.
  private static func borrowedData(_ bytes: UnsafeRawBufferPointer) -> Data {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return Data() }
    return Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
  }

  private static func entry(_ key: String, _ value: String) -> Onnx_StringStringEntryProto {
    var entry = Onnx_StringStringEntryProto()
    entry.key = key
    entry.value = value
    return entry
  }

  private static func serialized(_ message: Onnx_ModelProto, _ url: URL) throws -> ONNXSerializedBytes {
    do {
      return try message.serializedBytes()
    } catch {
      throw ONNXError.cannotExport(detail: "protobuf could not encode the model for '\(url.path)': \(error)")
    }
  }
}
