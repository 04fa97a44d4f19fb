/// The tags and lengths that put one weight tensor's bytes into an ONNX
/// file as `ModelProto { graph { initializer { ..., raw_data } } }`, so
/// that the bytes go to the file from the tensor's storage and are never
/// copied into a serialized message first (``ONNXFileWriter``).
///
/// swift-protobuf still encodes every field of the `TensorProto` but
/// `raw_data` (its name, dims and data type); this adds only what surrounds
/// that encoding: the key and length of `ModelProto.graph` (field 7),
/// `GraphProto.initializer` (field 5) and `TensorProto.raw_data` (field 9),
/// each length-delimited (wire type 2), as protobuf's encoding guide lays
/// out a key (`field << 3 | wire type`) and a base-128 varint length.
/// `raw_data` has the highest field number of those set, so it comes last,
/// where swift-protobuf would put it: the bytes are the same as swift-protobuf's
/// serialization of the whole piece (a test checks it).
struct ONNXInitializerFraming {
  /// Every byte of the piece before the tensor's raw data.
  let prefix: [UInt8]

  /// The framing of a tensor whose fields but `raw_data` swift-protobuf
  /// encoded as `tensorFields`, around `rawByteCount` bytes of raw data.
  init(tensorFields: [UInt8], rawByteCount: Int) {
    // proto3 leaves an empty bytes field out, as swift-protobuf does.
    let rawKey = rawByteCount > 0 ? Self.key(ONNXModelFile.rawDataField) + Self.varint(rawByteCount) : []
    let tensorLength = tensorFields.count + rawKey.count + rawByteCount
    let initializerKey = Self.key(ONNXModelFile.initializerField) + Self.varint(tensorLength)
    let graphLength = initializerKey.count + tensorLength
    prefix = Self.key(ONNXModelFile.graphField) + Self.varint(graphLength) + initializerKey + tensorFields + rawKey
  }

  /// The key of a length-delimited field: its number shifted past the wire type, 2.
  private static func key(_ field: Int) -> [UInt8] { varint(field << 3 | 2) }

  /// `value` as a base-128 varint, least significant group first.
  private static func varint(_ value: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    var rest = UInt64(value)
    while rest >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
      rest >>= 7
    }
    bytes.append(UInt8(rest))
    return bytes
  }
}
