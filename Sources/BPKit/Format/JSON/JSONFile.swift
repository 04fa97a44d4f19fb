import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reading and writing JSON files: reads map the file instead of copying it,
/// writes go to a temporary file that is renamed over the destination.
enum JSONFile {
  /// Runs `body` on the file's bytes, mapped read-only.
  static func withMappedContents<R>(
    of path: String, _ body: (UnsafeRawBufferPointer) throws(BPKitJSONError) -> R
  ) throws(BPKitJSONError) -> R {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw .unreadable(file: path, reason: String(cString: strerror(errno))) }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw .unreadable(file: path, reason: String(cString: strerror(errno)))
    }
    guard (status.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(file: path, reason: "not a regular file") }
    let size = Int(status.st_size)
    guard size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapping != MAP_FAILED else {
      throw .unreadable(file: path, reason: String(cString: strerror(errno)))
    }
    defer { munmap(mapping, size) }
    // The parser reads the file front to back once.
    _ = madvise(mapping, size, MADV_SEQUENTIAL)
    return try body(UnsafeRawBufferPointer(start: mapping, count: size))
  }

  /// Writes a file through `body`: into a temporary file beside `path`,
  /// then renamed over `path`, so that a crash never leaves a half-written
  /// document in its place. With `synchronize`, the file is flushed to disk
  /// before the rename and the folder after it, as bpkit's HDF5 writes are.
  static func write(
    toPath path: String, synchronize: Bool, _ body: (JSONOutput) throws(BPKitJSONError) -> Void
  ) throws(BPKitJSONError) {
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp").path
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw .unwritable(file: path, reason: String(cString: strerror(errno))) }
    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    do throws(BPKitJSONError) {
      let output = JSONOutput(handle: handle, path: path)
      try body(output)
      try output.flush()
      if synchronize, fsync(descriptor) != 0 {
        throw BPKitJSONError.unwritable(file: path, reason: String(cString: strerror(errno)))
      }
      guard rename(temporary, path) == 0 else {
        throw BPKitJSONError.unwritable(file: path, reason: String(cString: strerror(errno)))
      }
      if synchronize {
        let folder = open(url.deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if folder >= 0 {
          _ = fsync(folder)
          close(folder)
        }
      }
    } catch {
      unlink(temporary)
      throw error
    }
  }
}
