import BPKit
import Foundation
import HDF5

/// The whole-file checksum of bpkit HDF5 files, computed here from its
/// description in Schemas/FORMAT.md, independently of the library: tests
/// use it to check the library's line, and to re-seal files they change on
/// purpose, as someone crafting a hostile file would.
public enum FileSeal {
  /// The line bpkit writes at the start of the user block for `bytes`.
  public static func line(for bytes: Data) -> String {
    let crc = bytes.dropFirst(512).withUnsafeBytes { CRC32.checksum($0) }
    let hex = String(crc, radix: 16)
    let size = String(bytes.count)
    return "bpkit-file-checksum 1 crc32 " + String(repeating: "0", count: 8 - hex.count) + hex + " bytes "
      + String(repeating: "0", count: 16 - size.count) + size
  }

  /// Rewrites the checksum line of the file at `path` to match its bytes;
  /// files without a user block (HDF5 from other programs) are left alone.
  public static func reseal(_ path: String) throws {
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    guard !bytes.starts(with: HDF5Signature.bytes) else { return }
    var block = [UInt8](repeating: 0, count: 512)
    let line = Array((line(for: bytes) + "\n").utf8)
    block.replaceSubrange(0..<line.count, with: line)
    bytes.replaceSubrange(0..<512, with: block)
    try bytes.write(to: URL(fileURLWithPath: path))
  }
}
