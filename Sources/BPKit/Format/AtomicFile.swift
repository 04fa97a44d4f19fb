import Foundation

/// Replaces a file so that, whenever the writer is killed, the destination
/// holds either the complete old file or the complete new one.
///
/// The new file is written under a temporary name in the destination's
/// folder (`.NAME.tmp-PID-RANDOM`, hidden and recognisable), flushed, synced
/// with `fsync`, and renamed over the destination; then the folder is synced,
/// so the rename itself is durable (rename(2) is atomic within a file system;
/// see also "Files are hard", Dan Luu, 2015). Temporaries left behind by
/// writers that were killed are removed by the next write to the same
/// destination. A plain HDF5 file killed mid-write is unreadable as a whole,
/// which is why bpkit never writes a destination in place.
enum AtomicFile {
  /// Writes `destination` by calling `body` with the temporary path to create.
  ///
  /// - Parameter reservingBytes: An upper bound of the new file's size. When
  ///   the folder has no room for it, the write fails before `body` runs.
  static func write(
    to destination: URL, options: FileWriteOptions, reservingBytes: Int = 0, _ body: (String) throws -> Void
  ) throws {
    let destinationPath = destination.standardizedFileURL.path
    let folder = (destinationPath as NSString).deletingLastPathComponent
    let name = (destinationPath as NSString).lastPathComponent
    removeStaleTemporaries(of: name, in: folder)
    let temporary = (folder as NSString).appendingPathComponent(temporaryName(for: name))
    if reservingBytes > 0 { try reserve(reservingBytes, at: temporary, destination: destinationPath) }
    do {
      try body(temporary)
      if options.synchronize { try sync(temporary, destination: destinationPath, directory: false) }
      guard rename(temporary, destinationPath) == 0 else {
        throw failure(destinationPath, "renaming the new file over it")
      }
    } catch {
      unlink(temporary)
      throw error
    }
    if options.synchronize { try sync(folder, destination: destinationPath, directory: true) }
  }

  /// Makes sure the file system has room for `bytes` at `temporary`, by
  /// allocating them (`posix_fallocate`, which also counts quotas) and
  /// freeing them again just before the real file is written.
  ///
  /// libhdf5 cannot recover from a failed write: after "No space left on
  /// device" its handles can no longer be closed, and the library's own
  /// clean-up at exit then dereferences a null pointer (H5D_close from
  /// H5_term_library, libhdf5 1.10.8). So a full disk must be found before
  /// libhdf5 writes anything. Another process may still take the space in
  /// between; this makes the common case, a disk that is simply full, a
  /// clean error.
  static func reserve(_ bytes: Int, at temporary: String, destination: String) throws {
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw failure(destination, "creating its temporary file") }
    defer { unlink(temporary) }
    let status = posix_fallocate(descriptor, 0, off_t(bytes))
    close(descriptor)
    guard status == 0 else {
      throw FormatError.writeFailed(
        file: destination, operation: "reserving \(bytes) bytes for it", reason: String(cString: strerror(status)))
    }
  }

  /// The prefix of every temporary written for `name`.
  static func temporaryPrefix(for name: String) -> String { ".\(name).tmp-" }

  static func temporaryName(for name: String) -> String {
    let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
    return temporaryPrefix(for: name) + "\(getpid())-\(random)"
  }

  /// Removes temporaries for `name` whose writing process no longer exists.
  /// Those of live processes (another writer still at work) are kept.
  static func removeStaleTemporaries(of name: String, in folder: String) {
    let prefix = temporaryPrefix(for: name)
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
    for entry in entries where entry.hasPrefix(prefix) {
      let rest = entry.dropFirst(prefix.count)
      guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0 else { continue }
      if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
        unlink((folder as NSString).appendingPathComponent(entry))
      }
    }
  }

  private static func sync(_ path: String, destination: String, directory: Bool) throws {
    let descriptor = open(path, directory ? O_RDONLY | O_DIRECTORY : O_RDONLY)
    guard descriptor >= 0 else {
      throw failure(destination, directory ? "opening its folder to sync it" : "opening the new file to sync it")
    }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else {
      throw failure(destination, directory ? "syncing its folder (fsync)" : "syncing the new file (fsync)")
    }
  }

  private static func failure(_ file: String, _ operation: String) -> FormatError {
    .writeFailed(file: file, operation: operation, reason: String(cString: strerror(errno)))
  }
}
