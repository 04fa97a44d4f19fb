import Foundation

/// How tensors appear in bpkit JSON documents:
/// `{"dtype": "float32", "shape": [4, 8], "data": [0.5, ...]}` with numbers, or
/// `{"dtype": "float32", "shape": [4, 8], "encoding": "base64", "data": "AAAA..."}`
/// with the little-endian bytes in base64. `data` is row-major either way.
enum TensorJSON {
  static let members: Set<String> = ["dtype", "shape", "encoding", "data"]

  // MARK: Writing

  static func write(
    _ tensor: Tensor<Float>, encoding: BPKitJSON.WeightEncoding, to writer: JSONWriter
  ) throws(BPKitJSONError) {
    // JSON numbers cannot hold NaN or the infinities: such a tensor goes out
    // in base64, so the conversion stays bit-exact.
    let base64 = encoding == .base64 || !tensor.scalars.allSatisfy(\.isFinite)
    try writeObject(
      dtype: "float32", shape: tensor.shape, isEmpty: tensor.scalars.isEmpty, base64: base64, to: writer,
      base64Data: { () throws(BPKitJSONError) in try writeBase64(tensor.scalars, to: writer.output) },
      numbers: { () throws(BPKitJSONError) in try writeNumbers(tensor.scalars, to: writer.output) })
  }

  /// Writes a tensor's object, the same for every dtype: `dtype`, `shape`,
  /// `encoding` (base64 only), then `data` as a base64 string or a number
  /// array, whose text the given writers append raw to the output.
  static func writeObject(
    dtype: String, shape: [Int], isEmpty: Bool, base64: Bool, to writer: JSONWriter,
    base64Data: () throws(BPKitJSONError) -> Void, numbers: () throws(BPKitJSONError) -> Void
  ) throws(BPKitJSONError) {
    try beginObject(dtype: dtype, shape: shape, base64: base64, to: writer)
    if base64 {
      try writer.beginRawValue()
      try base64Data()
    } else {
      try writer.beginArray(inline: true)
      if !isEmpty {
        try writer.beginRawValue()
        try numbers()
      }
      try writer.endArray()
    }
    try writer.endObject()
  }

  /// Opens a tensor's object and writes its members up to the key `data`.
  static func beginObject(dtype: String, shape: [Int], base64: Bool, to writer: JSONWriter) throws(BPKitJSONError) {
    try writer.beginObject(inline: true)
    try writer.key("dtype")
    try writer.string(dtype)
    try writer.key("shape")
    try writer.beginArray(inline: true)
    for dimension in shape { try writer.integer(dimension) }
    try writer.endArray()
    if base64 {
      try writer.key("encoding")
      try writer.string("base64")
    }
    try writer.key("data")
  }

  /// Writes the scalars' little-endian bytes as a base64 string literal,
  /// encoding chunk by chunk straight into the output buffer.
  private static func writeBase64(_ scalars: [Float], to output: JSONOutput) throws(BPKitJSONError) {
    try output.append(byte: UInt8(ascii: "\""))
    try withLittleEndianBytes(scalars) { (bytes) throws(BPKitJSONError) in
      let chunk = (JSONOutput.directLimit / 4) * 3
      var offset = 0
      while offset < bytes.count {
        let end = min(offset + chunk, bytes.count)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
        try output.appendDirect(maximumCount: Base64.encodedCount(slice.count)) {
          Base64.encode(slice, into: $0)
        }
        offset = end
      }
    }
    try output.append(byte: UInt8(ascii: "\""))
  }

  /// Writes the scalars as `a, b, c`, each as its shortest round-trip
  /// decimal (`Float.description`'s text, which reads back as the same bits,
  /// -0.0 and subnormals included), straight into the output buffer.
  private static func writeNumbers(_ scalars: [Float], to output: JSONOutput) throws(BPKitJSONError) {
    let widest = Float32Text.maximumLength + 2
    let chunk = JSONOutput.directLimit / 2 / widest
    let threads = conversionThreads(scalars.count)
    try rethrowing(BPKitJSONError.self) {
      try scalars.withUnsafeBufferPointer { scalars in
        if threads > 1 {
          try writeNumbers(scalars, to: output, threads: threads, piece: 1 << 16)
        } else {
          try writeNumbers(scalars, to: output, chunk: chunk, widest: widest)
        }
      }
    }
  }

  private static func writeNumbers(
    _ scalars: UnsafeBufferPointer<Float>, to output: JSONOutput, chunk: Int, widest: Int
  ) throws(BPKitJSONError) {
    do {
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
            written += Float32Text.write(scalars[index], to: text + written)
          }
          return written
        }
        offset = end
      }
    }
  }

  private static func withLittleEndianBytes<R>(
    _ scalars: [Float], _ body: (UnsafeRawBufferPointer) throws(BPKitJSONError) -> R
  ) throws(BPKitJSONError) -> R {
    #if _endian(big)
      let swapped = scalars.map { Float(bitPattern: $0.bitPattern.littleEndian) }
      return try rethrowing(BPKitJSONError.self) { try swapped.withUnsafeBytes { try body($0) } }
    #else
      return try rethrowing(BPKitJSONError.self) { try scalars.withUnsafeBytes { try body($0) } }
    #endif
  }

  // MARK: Reading

  /// Reads a float32 tensor, which must have `expectedShape` when one is given.
  static func read(_ cursor: JSONCursor, expectedShape: [Int]?) throws(BPKitJSONError) -> Tensor<Float> {
    let header = try Header(cursor, dtype: .float32, expectedShape: expectedShape)
    let scalars =
      header.base64
      ? try readBase64(header.data, count: header.count) : try readNumbers(header.data, count: header.count)
    return Tensor(shape: header.shape, scalars: scalars)
  }

  /// A tensor's members before its data: checked against the dtype the
  /// document declares and the shape the network description declares.
  struct Header {
    var shape: [Int]
    var count: Int
    var base64: Bool
    var data: JSONCursor

    init(_ cursor: JSONCursor, dtype: DType, expectedShape: [Int]?) throws(BPKitJSONError) {
      let object = try cursor.object(allowing: members)
      let dtypeCursor = try object.required("dtype")
      let text = try dtypeCursor.string(oneOf: DType.allCases.map(\.rawValue))
      guard text == dtype.rawValue else {
        throw dtypeCursor.violation(
          "expected \(dtype), the model's dtype (the document's member \"dtype\", float32 when absent), found \(text)")
      }
      let shapeCursor = try object.required("shape")
      var shape: [Int] = []
      for dimension in try shapeCursor.array() { shape.append(try dimension.integer(in: 0...Int(Int32.max))) }
      if let expectedShape, shape != expectedShape {
        throw shapeCursor.violation("expected \(expectedShape), the shape the network description declares")
      }
      let (count, overflow) = shape.reduce((1, false)) { partial, dimension in
        let (product, overflow) = partial.0.multipliedReportingOverflow(by: dimension)
        return (product, partial.1 || overflow)
      }
      guard !overflow, count <= Int(Int32.max) * 4 else {
        throw shapeCursor.violation("the shape holds too many elements")
      }
      self.shape = shape
      self.count = count
      base64 = try object.optional("encoding")?.string(oneOf: ["numbers", "base64"]) == "base64"
      data = try object.required("data")
    }
  }

  static func readNumbers(_ cursor: JSONCursor, count: Int) throws(BPKitJSONError) -> [Float] {
    if case .numbers(let range, let elementCount, let marks) = cursor.value {
      guard elementCount == count else {
        throw cursor.violation("expected \(count) numbers to fill the shape, found \(elementCount)")
      }
      return try readNumberText(cursor, range, count: count, marks: marks)
    }
    guard case .array(let elements) = cursor.value else {
      throw cursor.violation("expected an array of numbers (encoding numbers), found \(cursor.value.typeName)")
    }
    guard elements.count == count else {
      throw cursor.violation("expected \(count) numbers to fill the shape, found \(elements.count)")
    }
    var scalars: [Float] = []
    scalars.reserveCapacity(count)
    for (index, element) in elements.enumerated() {
      guard case .number(let range) = element,
        let scalar = Float(String(decoding: UnsafeRawBufferPointer(rebasing: cursor.bytes[range]), as: UTF8.self)),
        scalar.isFinite
      else {
        let item = JSONCursor(value: element, path: cursor.path.appending(index), bytes: cursor.bytes)
        if case .number = element { throw item.violation("expected a number within the range of a 32-bit float") }
        throw item.violation("expected a number, found \(element.typeName)")
      }
      scalars.append(scalar)
    }
    return scalars
  }

  /// The text of a float32 tensor's base64 `data` and where it lies in the
  /// document, checked to be a string without escapes that decodes to `count` values.
  static func base64Text(
    _ cursor: JSONCursor, count: Int
  ) throws(BPKitJSONError) -> (text: UnsafeRawBufferPointer, range: Range<Int>) {
    guard case .string(let range, let escapes) = cursor.value, !escapes else {
      throw cursor.violation("expected a base64 string (encoding base64), found \(cursor.value.typeName)")
    }
    let text = UnsafeRawBufferPointer(rebasing: cursor.bytes[range])
    guard let byteCount = Base64.decodedCount(text), byteCount == count * 4 else {
      throw cursor.violation(
        "expected the base64 of \(count * 4) bytes (\(count) float32 values), found \(text.count) characters")
    }
    return (text, range)
  }

  private static func readBase64(_ cursor: JSONCursor, count: Int) throws(BPKitJSONError) -> [Float] {
    let (text, range) = try base64Text(cursor, count: count)
    // Decode four megabytes of text at a time and let the text behind go, so that a mapped document and its decoded weights are
    // not both held in full.
    let chunk = 4 << 20
    let chunks = (text.count + chunk - 1) / chunk
    nonisolated(unsafe) let failures = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(chunks, 1))
    failures.initialize(repeating: -1)
    defer { failures.deallocate() }
    let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      HugePages.advise(UnsafeMutableRawBufferPointer(buffer))
      nonisolated(unsafe) let output = UnsafeMutableRawBufferPointer(buffer)
      nonisolated(unsafe) let text = text
      nonisolated(unsafe) let cursor = cursor
      let decode: @Sendable (Int) -> Void = { index in
        let offset = index * chunk
        let end = min(offset + chunk, text.count)
        let piece = UnsafeRawBufferPointer(rebasing: text[offset..<end])
        // Padding belongs only at the end of the whole text: in an earlier
        // piece it would be read as that piece's end and lose its bytes.
        if end < text.count, let padding = piece.suffix(2).firstIndex(of: UInt8(ascii: "=")) {
          failures[index] = offset + padding
          return
        }
        let written = offset / 4 * 3
        let pieceBytes = Base64.decodedCount(piece) ?? 0
        let target = UnsafeMutableRawBufferPointer(rebasing: output[written..<written + pieceBytes])
        failures[index] = Base64.decode(piece, into: target).map { offset + $0 } ?? -1
        cursor.release(range.lowerBound + offset..<range.lowerBound + end)
      }
      // Pieces decode into their own parts of the tensor: on every thread.
      if conversionThreads(count) > 1 {
        DispatchQueue.concurrentPerform(iterations: chunks, execute: decode)
      } else {
        for index in 0..<chunks { decode(index) }
      }
      initialized = failures.allSatisfy { $0 < 0 } ? count : 0
    }
    let failure = failures.first { $0 >= 0 }
    if let failure { throw cursor.violation("not base64: unexpected character at offset \(failure)") }
    #if _endian(big)
      return scalars.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
    #else
      return scalars
    #endif
  }
}
