import Foundation

/// The 8-byte signature that starts every HDF5 superblock.
///
/// The superblock sits at offset 0, or after a user block at 512, 1024, 2048
/// and further powers of two (HDF5 File Format Specification, section II.A).
public enum HDF5Signature {
  /// The signature bytes: `\x89HDF\r\n\x1a\n`.
  public static let bytes: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

  /// Whether the file at `path` carries the HDF5 signature where HDF5 allows it.
  ///
  /// Returns `false` for missing or unreadable files.
  public static func isPresent(atPath path: String) -> Bool {
    (try? check(path, operation: "check file")) != nil
  }

  /// Whether the bytes of a file held in memory carry the HDF5 signature
  /// where HDF5 allows it.
  public static func isPresent(in image: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset + 8 <= image.count {
      if image[offset..<(offset + 8)].elementsEqual(bytes) { return true }
      offset = offset == 0 ? 512 : offset * 2
    }
    return false
  }

  /// Checks that `path` is a readable regular file with the HDF5 signature.
  static func check(_ path: String, operation: String) throws(HDF5Error) {
    var status = stat()
    guard stat(path, &status) == 0 else {
      let kind: HDF5Error.Kind = errno == EACCES ? .permissionDenied : .fileNotFound
      throw HDF5Error(kind, operation: operation, file: path)
    }
    guard (status.st_mode & S_IFMT) == S_IFREG else {
      throw HDF5Error(.notAFile, operation: operation, file: path)
    }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw HDF5Error(.permissionDenied, operation: operation, file: path)
    }
    defer { try? handle.close() }
    let size = UInt64(status.st_size)
    var offset: UInt64 = 0
    while offset + 8 <= size {
      do {
        try handle.seek(toOffset: offset)
        if let data = try handle.read(upToCount: 8), Array(data) == bytes { return }
      } catch {
        throw HDF5Error(
          .libraryFailure, operation: operation, file: path, detail: "\(error.localizedDescription)")
      }
      offset = offset == 0 ? 512 : offset * 2
    }
    throw HDF5Error(.notHDF5, operation: operation, file: path)
  }
}
