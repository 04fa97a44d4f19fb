import SwiftProtobuf

/// Storage for the bytes swift-protobuf encodes a message into, before
/// they go to the file (``ONNXFileWriter``).
///
/// swift-protobuf asks its output type for `count` zero bytes and then
/// writes every one of them (`Message.serializedBytes`: the encoder fills
/// exactly the size it computed first). An `[UInt8]` would zero-fill a
/// weight-sized buffer 4 KiB page by page before the encoder overwrites
/// it; this storage skips the zero fill and asks for 2 MiB pages
/// (``HugePages``), so that the bytes are written to memory once.
struct ONNXSerializedBytes: SwiftProtobufContiguousBytes {
  private final class Storage {
    let bytes: UnsafeMutableRawBufferPointer

    init(count: Int) {
      // Large buffers start on a 2 MiB boundary, so that all of them can be huge pages.
      bytes = .allocate(byteCount: count, alignment: count >= 2 * HugePages.size ? HugePages.size : 16)
      HugePages.advise(bytes)
    }

    deinit { bytes.deallocate() }
  }

  private var storage: Storage

  /// `count` bytes, set to `repeating` only when it is not zero: swift-protobuf overwrites every byte it asks for.
  init(repeating: UInt8, count: Int) {
    storage = Storage(count: count)
    if repeating != 0 { storage.bytes.initializeMemory(as: UInt8.self, repeating: repeating) }
  }

  init<S: Sequence>(_ sequence: S) where S.Element == UInt8 {
    let bytes = Array(sequence)
    storage = Storage(count: bytes.count)
    bytes.withUnsafeBytes { storage.bytes.copyMemory(from: $0) }
  }

  var count: Int { storage.bytes.count }

  func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try body(UnsafeRawBufferPointer(storage.bytes))
  }

  mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
    try body(storage.bytes)
  }
}
