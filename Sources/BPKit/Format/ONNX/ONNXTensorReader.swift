import Foundation

/// The numbers of an ONNX `TensorProto`, checked against its declared shape
/// and type before they are copied.
///
/// Float tensors may be FLOAT (native), DOUBLE (rounded to Float32, as bpkit
/// stores weights), FLOAT16 or BFLOAT16 (widened exactly); integer tensors
/// (shapes, axes, indices) INT64 or INT32. Data comes from `raw_data`
/// (little-endian), the typed lists, or ONNX's external data in a file
/// beside the model.
struct ONNXTensorReader {
  let file: String
  /// The folder external data is read from.
  let folder: URL

  /// The declared shape, checked for negative sizes and overflow.
  func shape(of tensor: Onnx_TensorProto) throws -> (shape: [Int], count: Int) {
    var count = 1
    for dimension in tensor.dims {
      guard dimension >= 0 else { throw invalid(tensor, "it declares a negative dimension \(dimension)") }
      let (product, overflow) = count.multipliedReportingOverflow(by: Int(dimension))
      guard !overflow, product <= Int(Int32.max) * 64 else { throw invalid(tensor, "it declares too many elements") }
      count = product
    }
    return (tensor.dims.map { Int($0) }, count)
  }

  /// The tensor's numbers as Float32.
  func floats(_ tensor: Onnx_TensorProto) throws -> Tensor<Float> {
    let (shape, count) = try shape(of: tensor)
    let raw = try rawBytes(tensor, count: count)
    switch ONNXElementType(rawValue: tensor.dataType) {
    case .float:
      if let raw { return Tensor(shape: shape, scalars: Self.decode(raw, count: count, as: Float.self) { $0 }) }
      try expect(tensor.floatData.count, count, tensor)
      return Tensor(shape: shape, scalars: tensor.floatData)
    case .double:
      if let raw { return Tensor(shape: shape, scalars: Self.decode(raw, count: count, as: Double.self) { Float($0) }) }
      try expect(tensor.doubleData.count, count, tensor)
      return Tensor(shape: shape, scalars: tensor.doubleData.map { Float($0) })
    case .float16, .bfloat16:
      let widen: (UInt16) -> Float =
        tensor.dataType == ONNXElementType.float16.rawValue
        ? { HalfPrecision.float(half: $0) } : { HalfPrecision.float(bfloat16: $0) }
      if let raw { return Tensor(shape: shape, scalars: Self.decode(raw, count: count, as: UInt16.self, widen)) }
      // The typed form keeps each value's 16 bits in an int32 (onnx.proto).
      try expect(tensor.int32Data.count, count, tensor)
      return Tensor(shape: shape, scalars: tensor.int32Data.map { widen(UInt16(truncatingIfNeeded: $0)) })
    default:
      throw invalid(tensor, "its element type \(tensor.dataType) is not a floating-point type bpkit reads")
    }
  }

  /// The tensor's numbers as integers (INT64, INT32; floats that are whole numbers).
  func integers(_ tensor: Onnx_TensorProto) throws -> (shape: [Int], values: [Int64]) {
    let (shape, count) = try shape(of: tensor)
    let raw = try rawBytes(tensor, count: count)
    switch ONNXElementType(rawValue: tensor.dataType) {
    case .int64:
      if let raw { return (shape, Self.decode(raw, count: count, as: Int64.self) { $0 }) }
      try expect(tensor.int64Data.count, count, tensor)
      return (shape, tensor.int64Data)
    case .int32:
      if let raw { return (shape, Self.decode(raw, count: count, as: Int32.self) { Int64($0) }) }
      try expect(tensor.int32Data.count, count, tensor)
      return (shape, tensor.int32Data.map(Int64.init))
    default:
      throw invalid(tensor, "its element type \(tensor.dataType) is not an integer type")
    }
  }

  /// Whether the tensor holds integers.
  static func isInteger(_ tensor: Onnx_TensorProto) -> Bool {
    [ONNXElementType.int64.rawValue, ONNXElementType.int32.rawValue].contains(tensor.dataType)
  }

  private static func byteWidth(_ type: Int32) -> Int? {
    switch ONNXElementType(rawValue: type) {
    case .float, .int32: 4
    case .double, .int64: 8
    case .float16, .bfloat16: 2
    default: nil
    }
  }

  /// The raw little-endian bytes, from `raw_data` or external data, of the
  /// size the shape and type imply; `nil` when the typed lists hold the data.
  private func rawBytes(_ tensor: Onnx_TensorProto, count: Int) throws -> Data? {
    guard let width = Self.byteWidth(tensor.dataType) else {
      throw invalid(tensor, "its element type \(tensor.dataType) is not one bpkit reads")
    }
    let expected = count * width
    if tensor.dataLocation == .external {
      return try externalBytes(tensor, expected: expected)
    }
    guard !tensor.rawData.isEmpty else { return nil }
    guard tensor.rawData.count == expected else {
      throw invalid(tensor, "raw_data holds \(tensor.rawData.count) bytes; its shape and type need \(expected)")
    }
    return tensor.rawData
  }

  /// External data: `location` must name a file in the model's folder (no
  /// path leaves it), and `offset` and `length` must lie inside that file.
  private func externalBytes(_ tensor: Onnx_TensorProto, expected: Int) throws -> Data {
    var entries: [String: String] = [:]
    for entry in tensor.externalData { entries[entry.key] = entry.value }
    guard let location = entries["location"], !location.isEmpty, !location.hasPrefix("/"),
      !location.split(separator: "/").contains("..")
    else {
      throw invalid(tensor, "its external data location '\(entries["location"] ?? "")' is not a file beside the model")
    }
    let offset = Int(entries["offset"] ?? "0") ?? -1
    let length = Int(entries["length"] ?? String(expected)) ?? -1
    guard offset >= 0, length == expected else {
      throw invalid(
        tensor, "its external data has offset \(offset) and length \(length); its shape needs \(expected) bytes")
    }
    let path = folder.appendingPathComponent(location).path
    let data = try BinaryFile(reading: path)
    let size = try data.size()
    guard offset <= size, expected <= size - offset else {
      throw invalid(tensor, "its external data (\(expected) bytes at offset \(offset)) lies past the end of \(path)")
    }
    return Data(try data.read(count: expected, at: offset))
  }

  private static func decode<Element, Result>(
    _ raw: Data, count: Int, as: Element.Type, _ convert: (Element) -> Result
  ) -> [Result] {
    raw.withUnsafeBytes { bytes in
      [Result](unsafeUninitializedCapacity: count) { buffer, initialized in
        if Element.self == Result.self {
          // Float32 little-endian, as bpkit stores it: one copy.
          UnsafeMutableRawBufferPointer(buffer).copyMemory(
            from: UnsafeRawBufferPointer(rebasing: bytes[0..<(count * MemoryLayout<Element>.size)]))
          initialized = count
          return
        }
        for index in 0..<count {
          buffer[index] = convert(
            bytes.loadUnaligned(fromByteOffset: index * MemoryLayout<Element>.size, as: Element.self))
        }
        initialized = count
      }
    }
  }

  private func expect(_ found: Int, _ expected: Int, _ tensor: Onnx_TensorProto) throws {
    guard found == expected else {
      throw invalid(tensor, "it holds \(found) values; its shape declares \(expected)")
    }
  }

  private func invalid(_ tensor: Onnx_TensorProto, _ detail: String) -> ONNXError {
    .invalidTensor(file: file, name: tensor.name, detail: detail)
  }
}
