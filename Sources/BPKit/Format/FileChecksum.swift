import Foundation

/// The checksum of a whole bpkit HDF5 file, kept in the file's user block and
/// verified before libhdf5 reads a byte of the file.
///
/// libhdf5 trusts the structure of the files it opens: a damaged object
/// header or B-tree can make it read out of bounds, crash or loop forever
/// (h5py#1183, h5py#2569, HDFGroup/hdf5#1707; the suite in RELIABILITY.md
/// found several with single flipped bytes). The per-dataset CRC-32s are
/// checked only after libhdf5 has parsed that structure, and attributes have
/// none. So bpkit reserves HDF5's user block, 512 bytes at the start of the
/// file that libhdf5, h5py and h5dump skip, and writes there one line of
/// ASCII followed by zero bytes:
///
/// ```
/// bpkit-file-checksum 1 crc32 8c736521 bytes 0000000000031880\n
/// ```
///
/// the CRC-32 (zlib's) of every byte after the user block, and the file's
/// total size. A file whose line is present but whose bytes do not match is
/// refused as damaged without being handed to libhdf5. A damaged file then
/// never reaches libhdf5; a file crafted on purpose with a correct checksum
/// still goes through ``FilePolicy``.
enum FileChecksum {
  /// The user block's size: HDF5's smallest.
  static let userBlockSize = 512
  static let magic = "bpkit-file-checksum 1 "

  /// What ``verify(_:)`` found.
  enum Verification: Equatable {
    /// The file has the checksum line and every byte matches it.
    case verified
    /// The file has no checksum line: written by another program or by an
    /// earlier bpkit, whose files begin with the HDF5 signature.
    case absent
  }

  /// A run of the file's bytes whose CRC-32 is already known: a dataset's
  /// raw data, which ``FileWriter`` checksummed from memory as it wrote it.
  struct KnownSpan: Equatable {
    var offset: Int
    var count: Int
    var crc: UInt32
  }

  /// Writes the checksum line into the user block of the closed HDF5 file at
  /// `path`, which was created with a user block of ``userBlockSize``.
  ///
  /// The bytes of `known` spans are not read again: their CRC-32s are
  /// combined with those of the bytes between them (HDF5's metadata), so
  /// sealing a 400 MB checkpoint reads a few kilobytes back, not 400 MB.
  static func seal(_ path: String, known: [KnownSpan] = []) throws {
    let descriptor = open(path, O_RDWR | O_CLOEXEC)
    guard descriptor >= 0 else { throw failure(path, "opening it to write its checksum") }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw failure(path, "reading its size") }
    let size = Int(status.st_size)
    let crc = try checksum(descriptor, size: size, file: path, known: known) {
      failure(path, "reading it back to compute its checksum")
    }
    var block = [UInt8](repeating: 0, count: userBlockSize)
    let line = Array(line(crc: crc, size: size).utf8)
    block.replaceSubrange(0..<line.count, with: line)
    let written = block.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, userBlockSize, 0) }
    guard written == userBlockSize else { throw failure(path, "writing its checksum") }
  }

  /// Writes the checksum line into the user block of a file held in memory
  /// (``FileWriter/image(named:kind:bpkitVersion:expectedBytes:_:)``), whose
  /// first ``userBlockSize`` bytes are zero; `known` spans are combined from
  /// their CRC-32s, as in ``seal(_:known:)``.
  static func seal(image: inout [UInt8], file: String, known: [KnownSpan] = []) throws {
    guard image.count > userBlockSize else {
      throw FormatError.fileDamaged(file: file, reason: "it is \(image.count) bytes long, too short for an HDF5 file")
    }
    var crc = CRC32()
    image.withUnsafeBytes { bytes in
      var offset = userBlockSize
      for span in known.sorted(by: { $0.offset < $1.offset })
      where span.count > 0 && span.offset >= offset && span.offset + span.count <= bytes.count {
        crc.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<span.offset]))
        crc.append(crc: span.crc, count: span.count)
        offset = span.offset + span.count
      }
      crc.update(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
    }
    let line = Array(line(crc: crc.value, size: image.count).utf8)
    image.replaceSubrange(0..<line.count, with: line)
  }

  static func line(crc: UInt32, size: Int) -> String {
    let hex = String(crc, radix: 16)
    let digits = String(size)
    return magic + "crc32 " + String(repeating: "0", count: 8 - hex.count) + hex + " bytes "
      + String(repeating: "0", count: max(0, 16 - digits.count)) + digits + "\n"
  }

  /// Checks the file at `path` against its checksum line, if it has one.
  ///
  /// - Throws: ``FormatError/fileDamaged(file:reason:)`` when the line is
  ///   present and the file's size or bytes do not match it. Files that cannot
  ///   be opened are left to the caller, which reports them.
  static func verify(_ path: String) throws -> Verification {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return .absent }
    defer { close(descriptor) }
    return try verify(descriptor: descriptor, file: path)
  }

  /// Checks the open file `descriptor` (named `path` in errors) against its
  /// checksum line, if it has one.
  static func verify(descriptor: Int32, file path: String) throws -> Verification {
    var status = stat()
    guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return .absent }
    let size = Int(status.st_size)
    var block = [UInt8](repeating: 0, count: userBlockSize)
    let read = block.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, userBlockSize, 0) }
    guard read > magic.utf8.count, let line = try line(in: block, size: size, file: path) else { return .absent }
    let computed = try checksum(descriptor, size: size, file: path) {
      FormatError.readFailed(
        file: path, operation: "reading it to verify its checksum", reason: String(cString: strerror(errno)))
    }
    try compare(computed, line.stored, file: path)
    return .verified
  }

  /// Checks a file held in memory (named `path` in errors) against its
  /// checksum line, if it has one.
  static func verify(image: UnsafeRawBufferPointer, file path: String) throws -> Verification {
    let block = Array(image.prefix(userBlockSize))
    guard block.count > magic.utf8.count, let line = try line(in: block, size: image.count, file: path) else {
      return .absent
    }
    guard image.count > userBlockSize else {
      throw FormatError.fileDamaged(file: path, reason: "it is \(image.count) bytes long, too short for an HDF5 file")
    }
    try compare(CRC32.checksum(UnsafeRawBufferPointer(rebasing: image[userBlockSize...])), line.stored, file: path)
    return .verified
  }

  /// The checksum line of a user block, checked against the file's `size`;
  /// `nil` when the block holds none.
  private static func line(in block: [UInt8], size: Int, file path: String) throws -> (stored: UInt32, declared: Int)? {
    guard block.starts(with: magic.utf8) else { return nil }
    let end = block.firstIndex(of: UInt8(ascii: "\n")) ?? block.count
    let text = String(decoding: block[..<end], as: UTF8.self)
    let fields = text.dropFirst(magic.count).split(separator: " ")
    guard fields.count == 4, fields[0] == "crc32", fields[2] == "bytes", let stored = UInt32(fields[1], radix: 16),
      let declared = Int(fields[3]), end < block.count, block[(end + 1)...].allSatisfy({ $0 == 0 })
    else {
      throw FormatError.fileDamaged(file: path, reason: "its checksum line in the first 512 bytes is damaged")
    }
    guard size == declared else {
      throw FormatError.fileDamaged(
        file: path,
        reason: size < declared
          ? "it is truncated: \(size) bytes of the \(declared) written"
          : "it is \(size) bytes long, but \(declared) were written")
    }
    return (stored, declared)
  }

  private static func compare(_ computed: UInt32, _ stored: UInt32, file path: String) throws {
    guard computed == stored else {
      throw FormatError.fileDamaged(
        file: path,
        reason: "its bytes have CRC-32 \(hexadecimal(computed)), but \(hexadecimal(stored)) was written")
    }
  }

  /// The CRC-32 of the bytes after the user block, read in slices small
  /// enough to stay in the processor's cache while the CRC runs over them;
  /// the `known` spans (sorted or not, not overlapping, inside the file)
  /// are combined from their CRC-32s instead of read.
  private static func checksum(
    _ descriptor: Int32, size: Int, file: String, known: [KnownSpan] = [], failure: () -> FormatError
  ) throws -> UInt32 {
    guard size > userBlockSize else {
      throw FormatError.fileDamaged(file: file, reason: "it is \(size) bytes long, too short for an HDF5 file")
    }
    var crc = CRC32()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
    defer { buffer.deallocate() }
    func read(upTo end: Int, from start: Int) throws {
      var offset = start
      while offset < end {
        let count = pread(descriptor, buffer.baseAddress, min(buffer.count, end - offset), off_t(offset))
        guard count > 0 else {
          if count == 0 { throw FormatError.fileDamaged(file: file, reason: "it ended while being read") }
          throw failure()
        }
        crc.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        offset += count
      }
    }
    var offset = userBlockSize
    for span in known.sorted(by: { $0.offset < $1.offset })
    where span.count > 0 && span.offset >= offset && span.offset + span.count <= size {
      try read(upTo: span.offset, from: offset)
      crc.append(crc: span.crc, count: span.count)
      offset = span.offset + span.count
    }
    try read(upTo: size, from: offset)
    return crc.value
  }

  private static func hexadecimal(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
  }

  private static func failure(_ file: String, _ operation: String) -> FormatError {
    .writeFailed(file: file, operation: operation, reason: String(cString: strerror(errno)))
  }
}
