import Foundation
import HDF5

/// The one way BPKit opens a file it did not write in this process.
///
/// Every reader goes through here, in this order (see <doc:LoadingFiles>):
/// 1. **Kind and size**: the path must name a regular, non-empty file this
///    process can read. Devices (`/dev/zero`), FIFOs, directories and the
///    size-0 files of `/proc` and `/sys` are refused before a byte is read,
///    and the file's real size bounds every later allocation.
/// 2. **Signature and checksum**: the content's kind comes from its first
///    bytes; a bpkit HDF5 file's whole-file CRC-32 (``FileChecksum``) must
///    match before libhdf5 sees it.
/// 3. **Containment**: unless the caller trusts the file (``FileTrust``),
///    libhdf5 first parses HDF5 content in a child process (``HDF5Probe``).
/// 4. **Structure**: ``FilePolicy`` walks every object once, cycle-safe,
///    refusing links out of the file, external raw storage, virtual
///    datasets, plugin filters and declared sizes the file cannot hold.
/// 5. **Values**: each reader checks shapes before it allocates and the
///    domain of every value it takes (finite weights, counts in range).
enum OpeningPolicy {
  /// What the first bytes of a file say it is.
  enum Content: Equatable {
    case hdf5
    case zip
    case json
    case other
  }

  /// Checks that `path` names a regular, non-empty file this process can
  /// read, without blocking on FIFOs or devices, and returns its size.
  static func regularFileSize(_ path: String) throws(OpeningError) -> Int {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
    guard descriptor >= 0 else {
      let code = errno
      var status = stat()
      if code == ENOENT || code == ENOTDIR { throw .notFound(file: path) }
      if stat(path, &status) == 0, (status.st_mode & S_IFMT) != S_IFREG {
        throw .notRegularFile(file: path, kind: describe(status.st_mode))
      }
      throw .permissionDenied(file: path)
    }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw .permissionDenied(file: path) }
    guard (status.st_mode & S_IFMT) == S_IFREG else {
      throw .notRegularFile(file: path, kind: describe(status.st_mode))
    }
    guard status.st_size > 0 else { throw .empty(file: path) }
    return Int(status.st_size)
  }

  /// The kind of content, from the first bytes of a regular file.
  static func content(of path: String) throws(OpeningError) -> Content {
    _ = try regularFileSize(path)
    if HDF5Signature.isPresent(atPath: path) { return .hdf5 }
    guard let handle = FileHandle(forReadingAtPath: path) else { throw .permissionDenied(file: path) }
    defer { try? handle.close() }
    let head = [UInt8]((try? handle.read(upToCount: 512)) ?? Data())
    if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .zip }
    let first = head.first { !" \t\r\n".utf8.contains($0) }
    return first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .json : .other
  }

  /// Opens an HDF5 file through every step of the policy.
  ///
  /// - Parameters:
  ///   - trust: Whether to skip the child-process probe.
  ///   - checkStructure: Whether to walk the structure with ``FilePolicy``;
  ///     only listings, which follow no link and read no data, skip it.
  static func openHDF5(_ path: String, trust: FileTrust, checkStructure: Bool = true) throws -> HDF5File {
    let size = try regularFileSize(path)
    // libhdf5 resolves a symbolic link to the name it points to; a
    // descriptor's link to a deleted file (/proc/self/fd/N) points nowhere.
    guard let resolved = realpath(path, nil) else { throw OpeningError.deleted(file: path) }
    free(resolved)
    // A damaged bpkit file is refused here, before libhdf5 parses any of it.
    _ = try FileChecksum.verify(path)
    try FilePolicy.prepareLibrary()
    if trust == .untrusted, HDF5Signature.isPresent(atPath: path) {
      try HDF5Probe.contain(path)
    }
    let file = try FormatError.wrappingHDF5Errors { try HDF5File(openingAtPath: path) }
    if checkStructure {
      try FormatError.wrappingHDF5Errors { try FilePolicy.check(try file.root, fileSize: size, file: path) }
    }
    return file
  }

  /// Opens an HDF5 file held in memory through every step of the policy:
  /// the checksum line if it has one, the probe (which reads the same bytes
  /// from its standard input), and the structural walk, bounded by the
  /// image's size. Nothing is read from or written to disk.
  static func openHDF5(image: Data, name: String, trust: FileTrust) throws -> HDF5File {
    guard !image.isEmpty else { throw OpeningError.empty(file: name) }
    return try image.withUnsafeBytes { bytes in
      _ = try FileChecksum.verify(image: bytes, file: name)
      try FilePolicy.prepareLibrary()
      if trust == .untrusted, HDF5Signature.isPresent(in: bytes) {
        try HDF5Probe.contain(image: bytes, name: name)
      }
      let file = try FormatError.wrappingHDF5Errors { try HDF5File(image: bytes, name: name) }
      try FormatError.wrappingHDF5Errors { try FilePolicy.check(try file.root, fileSize: bytes.count, file: name) }
      return file
    }
  }

  private static func describe(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFDIR: "a directory"
    case S_IFCHR: "a character device"
    case S_IFBLK: "a block device"
    case S_IFIFO: "a FIFO"
    case S_IFSOCK: "a socket"
    case S_IFLNK: "a symbolic link"
    default: "not a regular file"
    }
  }
}
