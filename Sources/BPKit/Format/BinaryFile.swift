import Foundation

/// A file written or read as raw bytes with `write(2)` and `pread(2)`, for
/// the formats whose tensors go to and from disk straight from their
/// storage (ONNX, safetensors). Errors name the file the user gave
/// (`displayPath`), not the temporary being written.
struct BinaryFile: ~Copyable {
  let descriptor: Int32
  let displayPath: String

  /// Creates `path` for writing: the path ``OutputFile/create(_:options:reservingBytes:_:)`` gives.
  init(creating path: String, displayPath: String) throws {
    descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    self.displayPath = displayPath
    guard descriptor >= 0 else {
      throw FormatError.writeFailed(
        file: displayPath, operation: "creating it", reason: String(cString: strerror(errno)))
    }
  }

  /// Opens `path` for reading.
  init(reading path: String) throws {
    descriptor = open(path, O_RDONLY | O_CLOEXEC)
    displayPath = path
    guard descriptor >= 0 else {
      throw FormatError.readFailed(file: path, operation: "opening it", reason: String(cString: strerror(errno)))
    }
  }

  deinit { close(descriptor) }

  /// The file's size in bytes.
  func size() throws -> Int {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw FormatError.readFailed(
        file: displayPath, operation: "reading its size", reason: String(cString: strerror(errno)))
    }
    return Int(status.st_size)
  }

  /// Appends every byte of `bytes`.
  func write(_ bytes: UnsafeRawBufferPointer) throws {
    var offset = 0
    while offset < bytes.count {
      let written = Glibc.write(descriptor, bytes.baseAddress! + offset, min(bytes.count - offset, 1 << 30))
      if written < 0 {
        if errno == EINTR { continue }
        throw FormatError.writeFailed(
          file: displayPath, operation: "writing it", reason: String(cString: strerror(errno)))
      }
      offset += written
    }
  }

  func write(_ bytes: [UInt8]) throws {
    try bytes.withUnsafeBytes { try write($0) }
  }

  /// Fills `buffer` from the file's bytes at `offset`.
  func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
    var done = 0
    while done < buffer.count {
      let count = pread(descriptor, buffer.baseAddress! + done, min(buffer.count - done, 1 << 30), off_t(offset + done))
      if count < 0 {
        if errno == EINTR { continue }
        throw FormatError.readFailed(
          file: displayPath, operation: "reading it", reason: String(cString: strerror(errno)))
      }
      guard count > 0 else {
        throw FormatError.readFailed(
          file: displayPath, operation: "reading \(buffer.count) bytes at offset \(offset)",
          reason: "the file ends after \(offset + done) bytes")
      }
      done += count
    }
  }

  /// The `count` bytes at `offset`.
  func read(count: Int, at offset: Int) throws -> [UInt8] {
    try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      try read(into: UnsafeMutableRawBufferPointer(buffer), at: offset)
      initialized = count
    }
  }
}
