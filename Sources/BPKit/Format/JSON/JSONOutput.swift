import Foundation

/// A buffered byte stream that JSON documents are written into. With a file
/// it flushes every four megabytes, so a large document never sits in memory whole.
final class JSONOutput {
  private static let capacity = 4 << 20
  private let storage: UnsafeMutableRawPointer
  private var count = 0
  private let file: OutputFile?
  private let path: String
  /// Everything written, when there is no file.
  private(set) var collected: [UInt8] = []

  /// An output into `file`, named `path` in errors; into memory when `file` is `nil`.
  init(file: OutputFile?, path: String) {
    self.file = file
    self.path = path
    storage = .allocate(byteCount: Self.capacity, alignment: 16)
  }

  deinit { storage.deallocate() }

  func append(_ text: String) throws(BPKitJSONError) {
    var text = text
    try rethrowing(BPKitJSONError.self) { try text.withUTF8 { try append(UnsafeRawBufferPointer($0)) } }
  }

  func append(_ bytes: UnsafeRawBufferPointer) throws(BPKitJSONError) {
    if count + bytes.count > Self.capacity { try flush() }
    if bytes.count > Self.capacity {
      try send(bytes)
      return
    }
    if let base = bytes.baseAddress { (storage + count).copyMemory(from: base, byteCount: bytes.count) }
    count += bytes.count
  }

  func append(byte: UInt8) throws(BPKitJSONError) {
    if count == Self.capacity { try flush() }
    storage.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
    count += 1
  }

  /// Appends `text` as a JSON string literal.
  func appendLiteral(_ text: String) throws(BPKitJSONError) {
    var literal: [UInt8] = []
    JSONStrings.appendLiteral(text, to: &literal)
    try rethrowing(BPKitJSONError.self) { try literal.withUnsafeBytes { try append($0) } }
  }

  /// Lets `body` write up to `maximumCount` bytes (at most a megabyte)
  /// straight into the buffer; `body` returns how many it wrote.
  func appendDirect(maximumCount: Int, _ body: (UnsafeMutableRawPointer) -> Int) throws(BPKitJSONError) {
    precondition(maximumCount <= Self.capacity)
    if count + maximumCount > Self.capacity { try flush() }
    count += body(storage + count)
  }

  /// Sends `bytes` on after what is buffered, without copying them into
  /// the buffer: for large pieces of text made elsewhere.
  func appendUnbuffered(_ bytes: UnsafeRawBufferPointer) throws(BPKitJSONError) {
    try flush()
    try send(bytes)
  }

  /// Flushes when the buffer is nearly full; writers call it between large values.
  func flushIfFull() throws(BPKitJSONError) {
    if count > Self.capacity / 2 { try flush() }
  }

  /// The largest `maximumCount` that ``appendDirect(maximumCount:_:)`` takes.
  static var directLimit: Int { capacity }

  /// Sends the buffered bytes on.
  func flush() throws(BPKitJSONError) {
    try send(UnsafeRawBufferPointer(start: storage, count: count))
    count = 0
  }

  private func send(_ bytes: UnsafeRawBufferPointer) throws(BPKitJSONError) {
    guard !bytes.isEmpty else { return }
    guard let file else {
      collected.append(contentsOf: bytes)
      return
    }
    do {
      try file.write(bytes)
    } catch {
      throw .unwritable(file: path, reason: (BPKitError(error).underlying as? OutputFileError)?.reason ?? "\(error)")
    }
  }
}
