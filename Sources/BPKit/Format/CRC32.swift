internal import CCRC32

/// The CRC-32 of zlib, gzip and PNG, which bpkit stores beside every dataset.
///
/// It equals Python's `zlib.crc32`, so h5py users can check a dataset
/// without bpkit: `zlib.crc32(dataset[()].tobytes()) == dataset.attrs["crc32"]`.
/// On processors with carry-less multiplication it runs at memory speed
/// (see `Sources/CCRC32`).
public struct CRC32: Hashable, Sendable {
  /// The checksum so far.
  public private(set) var value: UInt32 = 0

  /// Starts a checksum of no bytes (value 0).
  public init() {}

  /// Adds bytes to the checksum.
  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress else { return }
    value = bpk_crc32(value, base, bytes.count)
  }

  /// Adds bytes whose own checksum, `crc`, is already known: the result
  /// equals updating with those `count` bytes, in O(log count) time
  /// (zlib's `crc32_combine`).
  public mutating func append(crc: UInt32, count: Int) {
    value = bpk_crc32_combine(value, crc, Int64(count))
  }

  /// The checksum of `bytes`.
  public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var crc = CRC32()
    crc.update(bytes)
    return crc.value
  }

  /// The implementation chosen for this processor, for benchmark reports.
  public static var implementation: String { String(cString: bpk_crc32_implementation()) }
}
