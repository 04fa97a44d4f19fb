import Foundation

/// Asks Linux to back large buffers with 2 MiB pages.
///
/// Reading a file into freshly allocated memory costs one page fault per
/// 4 KiB page the kernel zero-fills, which halves the speed of reading from
/// the page cache. With transparent huge pages in their usual "madvise" mode,
/// a buffer marked `MADV_HUGEPAGE` before its first touch faults once per
/// 2 MiB instead (measured here: 1.5 GB/s to 3.0 GB/s reading 400 MB).
enum HugePages {
  static let size = 2 << 20

  /// Marks the 2 MiB-aligned part of `buffer` for huge pages; a hint only,
  /// ignored where the kernel does not support it.
  static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
    #if os(Linux)
      guard let base = buffer.baseAddress, buffer.count >= 2 * size else { return }
      let start = (UInt(bitPattern: base) + UInt(size - 1)) & ~UInt(size - 1)
      let end = (UInt(bitPattern: base) + UInt(buffer.count)) & ~UInt(size - 1)
      guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
      _ = madvise(pointer, Int(end - start), Int32(MADV_HUGEPAGE))
    #endif
  }
}
