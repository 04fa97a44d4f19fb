import Foundation

/// The numbers of an ONNX `TensorProto`, checked against its declared shape
/// and type before they are copied.
///
/// Float tensors may be FLOAT (native), DOUBLE (rounded to Float32 by
/// ``floats(_:rawData:)``, exact by ``doubles(_:rawData:)``), FLOAT16 or
/// BFLOAT16 (widened exactly); integer tensors
/// (shapes, axes, indices) INT64 or INT32. Data comes from `raw_data`
/// (little-endian: in the message, or left in the model file by
/// ``ONNXModelFile``), the typed lists, or ONNX's external data in a file
/// beside the model. FLOAT data in a file is read straight into the tensor
/// that keeps it.
struct ONNXTensorReader {
  let file: String
  /// The folder external data is read from.
  let folder: URL

  /// Where a tensor's little-endian bytes are.
  enum RawBytes {
    /// In the message's `raw_data`.
    case inline(Data)
    /// In a file (the model's, or its external data), from an offset.
    case file(path: String, offset: Int)
  }

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

  /// The tensor's numbers as Float32; `rawData`, when given, is where the
  /// model file holds its `raw_data` (``ONNXModelFile``).
  func floats(_ tensor: Onnx_TensorProto, rawData: Range<Int>? = nil) throws -> Tensor<Float> {
    let (shape, count) = try shape(of: tensor)
    let raw = try rawBytes(tensor, count: count, inFile: rawData)
    switch ONNXElementType(rawValue: tensor.dataType) {
    case .float:
      if case .file(let path, let offset) = raw {
        // Float32 little-endian, as bpkit keeps it: read straight into the tensor.
        let source = try BinaryFile(reading: path)
        return Tensor(
          shape: shape,
          scalars: try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            HugePages.advise(UnsafeMutableRawBufferPointer(buffer))
            try source.read(into: UnsafeMutableRawBufferPointer(buffer), at: offset)
            initialized = count
          })
      }
      if let raw { return Tensor(shape: shape, scalars: try Self.decode(raw, count: count, as: Float.self) { $0 }) }
      try expect(tensor.floatData.count, count, tensor)
      return Tensor(shape: shape, scalars: tensor.floatData)
    case .double:
      if let raw {
        return Tensor(shape: shape, scalars: try Self.decode(raw, count: count, as: Double.self) { Float($0) })
      }
      try expect(tensor.doubleData.count, count, tensor)
      return Tensor(shape: shape, scalars: tensor.doubleData.map { Float($0) })
    case .float16, .bfloat16:
      let widen: (UInt16) -> Float =
        tensor.dataType == ONNXElementType.float16.rawValue
        ? { HalfPrecision.float(half: $0) } : { HalfPrecision.float(bfloat16: $0) }
      if let raw { return Tensor(shape: shape, scalars: try Self.decode(raw, count: count, as: UInt16.self, widen)) }
      // The typed form keeps each value's 16 bits in an int32 (onnx.proto).
      try expect(tensor.int32Data.count, count, tensor)
      return Tensor(shape: shape, scalars: tensor.int32Data.map { widen(UInt16(truncatingIfNeeded: $0)) })
    default:
      throw invalid(tensor, "its element type \(tensor.dataType) is not a floating-point type bpkit reads")
    }
  }

  /// A DOUBLE tensor's numbers as stored (a float64 model's weights).
  func doubles(_ tensor: Onnx_TensorProto, rawData: Range<Int>? = nil) throws -> Tensor<Double> {
    let (shape, count) = try shape(of: tensor)
    guard tensor.dataType == ONNXElementType.double.rawValue else {
      throw invalid(tensor, "its element type \(tensor.dataType) is not DOUBLE")
    }
    if let raw = try rawBytes(tensor, count: count, inFile: rawData) {
      return Tensor(shape: shape, scalars: try Self.decode(raw, count: count, as: Double.self) { $0 })
    }
    try expect(tensor.doubleData.count, count, tensor)
    return Tensor(shape: shape, scalars: tensor.doubleData)
  }

  /// The tensor's numbers as integers (INT64, INT32; floats that are whole numbers).
  func integers(_ tensor: Onnx_TensorProto, rawData: Range<Int>? = nil) throws -> (shape: [Int], values: [Int64]) {
    let (shape, count) = try shape(of: tensor)
    let raw = try rawBytes(tensor, count: count, inFile: rawData)
    switch ONNXElementType(rawValue: tensor.dataType) {
    case .int64:
      if let raw { return (shape, try Self.decode(raw, count: count, as: Int64.self) { $0 }) }
      try expect(tensor.int64Data.count, count, tensor)
      return (shape, tensor.int64Data)
    case .int32:
      if let raw { return (shape, try Self.decode(raw, count: count, as: Int32.self) { Int64($0) }) }
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

  /// Where the raw little-endian bytes are, from `raw_data` (in the message
  /// or at `inFile` in the model file) or external data, checked to be the
  /// size the shape and type imply; `nil` when the typed lists hold the data.
  private func rawBytes(_ tensor: Onnx_TensorProto, count: Int, inFile: Range<Int>?) throws -> RawBytes? {
    guard let width = Self.byteWidth(tensor.dataType) else {
      throw invalid(tensor, "its element type \(tensor.dataType) is not one bpkit reads")
    }
    let expected = count * width
    if tensor.dataLocation == .external {
      return try externalBytes(tensor, expected: expected)
    }
    if let inFile, !inFile.isEmpty {
      guard inFile.count == expected else {
        throw invalid(tensor, "raw_data holds \(inFile.count) bytes; its shape and type need \(expected)")
      }
      return .file(path: file, offset: inFile.lowerBound)
    }
    guard !tensor.rawData.isEmpty else { return nil }
    guard tensor.rawData.count == expected else {
      throw invalid(tensor, "raw_data holds \(tensor.rawData.count) bytes; its shape and type need \(expected)")
    }
    return .inline(tensor.rawData)
  }

  /// External data: `location` must name a file in the model's folder (no
  /// path leaves it), and `offset` and `length` must lie inside that file.
  private func externalBytes(_ tensor: Onnx_TensorProto, expected: Int) throws -> RawBytes {
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
    let size = try BinaryFile(reading: path).size()
    guard offset <= size, expected <= size - offset else {
      throw invalid(tensor, "its external data (\(expected) bytes at offset \(offset)) lies past the end of \(path)")
    }
    return .file(path: path, offset: offset)
  }

  /// `count` elements of the raw bytes, each converted.
  private static func decode<Element, Result>(
    _ raw: RawBytes, count: Int, as: Element.Type, _ convert: (Element) -> Result
  ) throws -> [Result] {
    let byteCount = count * MemoryLayout<Element>.size
    func converted(_ bytes: UnsafeRawBufferPointer) -> [Result] {
      [Result](unsafeUninitializedCapacity: count) { buffer, initialized in
        for index in 0..<count {
          buffer[index] = convert(
            bytes.loadUnaligned(fromByteOffset: index * MemoryLayout<Element>.size, as: Element.self))
        }
        initialized = count
      }
    }
    switch raw {
    case .inline(let data):
      return data.withUnsafeBytes { converted(UnsafeRawBufferPointer(rebasing: $0[0..<byteCount])) }
    case .file(let path, let offset):
      return try BinaryFile(reading: path).read(count: byteCount, at: offset).withUnsafeBytes { converted($0) }
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
