import Foundation
import Glibc

extension BPKitFile {
  /// Whether `path` is a regular file (not a link) that starts with the seal
  /// bpkit writes into every HDF5 file's user block, with the size the seal
  /// declares: a file bpkit wrote, recognised without reading it further.
  ///
  /// It tells bpkit's own files from others before bpkit moves or removes
  /// one (the rotation of `train --keep`); it proves nothing about the
  /// content, which the whole-file checksum verifies on reading.
  public static func isSealed(atPath path: String) -> Bool {
    let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return false }
    var block = [UInt8](repeating: 0, count: 96)
    let count = block.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
    guard count > 0, block.starts(with: FileChecksum.magic.utf8),
      let end = block[..<count].firstIndex(of: UInt8(ascii: "\n"))
    else { return false }
    let fields = String(decoding: block[..<end], as: UTF8.self).split(separator: " ")
    return fields.last.flatMap { Int($0) } == Int(status.st_size)
  }
}
