/// Float64 tensors (format 1.6): `{"dtype": "float64", ...}`, as numbers in
/// `Double.description`'s shortest round-trip digits or as the base64 of
/// their little-endian bytes, 8 per element. Kept apart from the float32
/// path, whose speed matters for large models.
extension TensorJSON {
  // MARK: Writing

  static func write(
    _ tensor: Tensor<Double>, encoding: BPKitJSON.WeightEncoding, to writer: JSONWriter
  ) throws(BPKitJSONError) {
    // JSON numbers cannot hold NaN or the infinities: such a tensor goes out in base64.
    let base64 = encoding == .base64 || !tensor.scalars.allSatisfy(\.isFinite)
    try writeObject(
      dtype: DType.float64.rawValue, shape: tensor.shape, isEmpty: tensor.scalars.isEmpty, base64: base64, to: writer,
      base64Data: { () throws(BPKitJSONError) in try writeBase64(tensor.scalars, to: writer.output) },
      numbers: { () throws(BPKitJSONError) in try writeNumbers(tensor.scalars, to: writer.output) })
  }

  private static func writeNumbers(_ scalars: [Double], to output: JSONOutput) throws(BPKitJSONError) {
    let widest = Float64Text.maximumLength + 2
    let chunk = JSONOutput.directLimit / 2 / widest
    var offset = 0
    while offset < scalars.count {
      let end = min(offset + chunk, scalars.count)
      try output.appendDirect(maximumCount: (end - offset) * widest) { storage in
        let text = storage.assumingMemoryBound(to: UInt8.self)
        var written = 0
        for index in offset..<end {
          if index > 0 {
            text[written] = UInt8(ascii: ",")
            text[written + 1] = UInt8(ascii: " ")
            written += 2
          }
          written += Float64Text.write(scalars[index], to: text + written)
        }
        return written
      }
      offset = end
    }
  }

  private static func writeBase64(_ scalars: [Double], to output: JSONOutput) throws(BPKitJSONError) {
    #if _endian(big)
      let scalars = scalars.map { Double(bitPattern: $0.bitPattern.littleEndian) }
    #endif
    try output.append(byte: UInt8(ascii: "\""))
    try rethrowing(BPKitJSONError.self) {
      try scalars.withUnsafeBytes { bytes in try writeBase64(bytes, to: output) }
    }
    try output.append(byte: UInt8(ascii: "\""))
  }

  private static func writeBase64(_ bytes: UnsafeRawBufferPointer, to output: JSONOutput) throws(BPKitJSONError) {
    let chunk = (JSONOutput.directLimit / 4) * 3
    var offset = 0
    while offset < bytes.count {
      let end = min(offset + chunk, bytes.count)
      let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
      try output.appendDirect(maximumCount: Base64.encodedCount(slice.count)) { Base64.encode(slice, into: $0) }
      offset = end
    }
  }

  // MARK: Reading

  /// Reads a float64 tensor, which must have `expectedShape` when one is given.
  static func readFloat64(_ cursor: JSONCursor, expectedShape: [Int]?) throws(BPKitJSONError) -> Tensor<Double> {
    let header = try Header(cursor, dtype: .float64, expectedShape: expectedShape)
    let scalars =
      header.base64
      ? try readFloat64Base64(header.data, count: header.count)
      : try readFloat64Numbers(header.data, count: header.count)
    return Tensor(shape: header.shape, scalars: scalars)
  }

  private static func readFloat64Numbers(_ cursor: JSONCursor, count: Int) throws(BPKitJSONError) -> [Double] {
    let base = cursor.bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
    switch cursor.value {
    case .numbers(let range, let elementCount, _):
      guard elementCount == count else {
        throw cursor.violation("expected \(count) numbers to fill the shape, found \(elementCount)")
      }
      guard count > 0, let base else { return [] }
      var next = UnsafePointer(base + range.lowerBound)
      let end = UnsafePointer(base + range.upperBound)
      var scalars: [Double] = []
      scalars.reserveCapacity(count)
      for index in 0..<count {
        while JSONCursor.isSeparator(next.pointee) { next += 1 }
        guard let scalar = Float64Text.parse(&next, limit: end) else {
          throw JSONCursor(value: .null, path: cursor.path.appending(index), bytes: cursor.bytes)
            .violation("expected a number within the range of a 64-bit float")
        }
        scalars.append(scalar)
      }
      return scalars
    case .array(let elements):
      guard elements.count == count else {
        throw cursor.violation("expected \(count) numbers to fill the shape, found \(elements.count)")
      }
      var scalars: [Double] = []
      for element in try cursor.array() {
        guard case .number(let range) = element.value, let base else {
          throw element.violation("expected a number, found \(element.value.typeName)")
        }
        var next = UnsafePointer(base + range.lowerBound)
        guard let scalar = Float64Text.parse(&next, limit: UnsafePointer(base + range.upperBound)) else {
          throw element.violation("expected a number within the range of a 64-bit float")
        }
        scalars.append(scalar)
      }
      return scalars
    default:
      throw cursor.violation("expected an array of numbers (encoding numbers), found \(cursor.value.typeName)")
    }
  }

  private static func readFloat64Base64(_ cursor: JSONCursor, count: Int) throws(BPKitJSONError) -> [Double] {
    guard case .string(let range, let escapes) = cursor.value, !escapes else {
      throw cursor.violation("expected a base64 string (encoding base64), found \(cursor.value.typeName)")
    }
    let text = UnsafeRawBufferPointer(rebasing: cursor.bytes[range])
    guard let byteCount = Base64.decodedCount(text), byteCount == count * 8 else {
      throw cursor.violation(
        "expected the base64 of \(count * 8) bytes (\(count) float64 values), found \(text.count) characters")
    }
    var failure: Int?
    let scalars = [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
      failure = Base64.decode(text, into: UnsafeMutableRawBufferPointer(buffer))
      initialized = failure == nil ? count : 0
    }
    if let failure { throw cursor.violation("not base64: unexpected character at offset \(failure)") }
    cursor.release(range)
    return scalars.map { Double(bitPattern: UInt64(littleEndian: $0.bitPattern)) }
  }
}
