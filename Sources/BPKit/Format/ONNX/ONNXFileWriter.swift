import Foundation
import SwiftProtobuf

/// Writes an ``ONNXExportPlan`` as an ONNX file, one weight tensor at a time.
///
/// Protobuf parsers merge a message that occurs twice in the input, and
/// append to repeated fields (protobuf's encoding guide, "Last One Wins"
/// and merging of embedded messages), so the concatenation of serialized
/// `ModelProto`s is the serialization of their merge. The file is the model
/// without weights, serialized by swift-protobuf, followed by one
/// `ModelProto { graph { initializer } }` per weight: swift-protobuf encodes
/// the initializer's name, dims and type, ``ONNXInitializerFraming`` the
/// tags and lengths around them and its `raw_data`, and the raw bytes go
/// to the file with `write(2)` straight from the tensor's storage. So the
/// weights are copied once, into the page cache, as a raw write copies
/// them, and no serialized message larger than a tensor's header is ever
/// in memory.
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
    let weightBytes = plan.initializers.reduce(0) { $0 + $1.values.byteCount }
    if weightBytes > externalDataThreshold {
      try writeExternal(plan, to: url, options: options, weightBytes: weightBytes)
      return
    }
    try OutputFile.create(url.relativePath, options: options, reservingBytes: weightBytes + (1 << 20)) { temporary in
      let file = try BinaryFile(creating: temporary, displayPath: url.path)
      try file.write(serialized(plan.model, url))
      for initializer in plan.initializers {
        try initializer.values.withUnsafeBytes { bytes in
          let fields: [UInt8] = try serialized(tensorProto(initializer), url)
          try file.write(ONNXInitializerFraming(tensorFields: fields, rawByteCount: bytes.count).prefix)
          try file.write(bytes)
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
        let length = initializer.values.byteCount
        try initializer.values.withUnsafeBytes { try file.write($0) }
        var tensor = tensorProto(initializer)
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
      try file.write(serialized(model, url))
    }
  }

  /// The initializer's name, dims and type; its numbers go apart (raw data or external data).
  static func tensorProto(_ initializer: ONNXExportPlan.Initializer) -> Onnx_TensorProto {
    var tensor = Onnx_TensorProto()
    tensor.name = initializer.name
    tensor.dims = initializer.shape.map(Int64.init)
    tensor.dataType = initializer.values.elementType.rawValue
    return tensor
  }

  private static func entry(_ key: String, _ value: String) -> Onnx_StringStringEntryProto {
    var entry = Onnx_StringStringEntryProto()
    entry.key = key
    entry.value = value
    return entry
  }

  private static func serialized<M: Message>(_ message: M, _ url: URL) throws -> [UInt8] {
    do {
      return try message.serializedBytes()
    } catch {
      throw ONNXError.cannotExport(detail: "protobuf could not encode the model for '\(url.path)': \(error)")
    }
  }
}
