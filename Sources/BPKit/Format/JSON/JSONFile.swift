import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reading and writing JSON files: reads map the file instead of copying it,
/// writes go through ``OutputFile``.
enum JSONFile {
  /// Runs `body` on the file's bytes, mapped read-only.
  ///
  /// - Throws: ``BPKitJSONError/unreadable(file:reason:)``, or what `body` throws.
  static func withMappedContents<R>(of path: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
    // Without blocking: a FIFO must be refused as not a regular file, not waited on.
    let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
    guard descriptor >= 0 else { throw BPKitJSONError.unreadable(file: path, reason: String(cString: strerror(errno))) }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw BPKitJSONError.unreadable(file: path, reason: String(cString: strerror(errno)))
    }
    guard (status.st_mode & S_IFMT) == S_IFREG else {
      throw BPKitJSONError.unreadable(file: path, reason: "not a regular file")
    }
    let size = Int(status.st_size)
    guard size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapping != MAP_FAILED else {
      throw BPKitJSONError.unreadable(file: path, reason: String(cString: strerror(errno)))
    }
    defer { munmap(mapping, size) }
    // The parser reads the file front to back once.
    _ = madvise(mapping, size, MADV_SEQUENTIAL)
    return try body(UnsafeRawBufferPointer(start: mapping, count: size))
  }

  /// Writes a file through `body`, by ``OutputFile``: into a temporary file
  /// beside `path`, renamed over `path` (or in place for a device or `-`),
  /// so that a crash never leaves a half-written document in its place.
  ///
  /// - Throws: ``OutputFileError`` when the destination is refused,
  ///   ``BPKitJSONError`` from writing, and whatever `body` throws; the
  ///   destination is then unchanged.
  static func write(toPath path: String, options: FileWriteOptions, _ body: (JSONOutput) throws -> Void) throws {
    let file = try OutputFile(replacing: path, options: options)
    let output = JSONOutput(file: file, path: path)
    try body(output)
    try output.flush()
    do {
      try file.commit()
    } catch {
      throw BPKitJSONError.unwritable(
        file: path, reason: (BPKitError(error).underlying as? OutputFileError)?.reason ?? "\(error)")
    }
  }
}
