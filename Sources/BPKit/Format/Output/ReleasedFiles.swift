import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The files that replaced outputs leave behind, freed away from the writer.
///
/// When a rename drops an old file's last link, the kernel frees its pages
/// and blocks inside rename(2): on this project's ext4 (mounted with
/// `discard`) 0.3-1.3 s for a 400 MB checkpoint, as long as writing the new
/// one. So ``OutputFile`` opens the file it replaces before the rename,
/// which then only unlinks it, and closes that descriptor here, on a
/// background thread, where the kernel frees the file. Nothing of the old
/// file remains visible: it has no name, and a process that exits closes
/// the descriptor anyway.
///
/// A writer that needs room on a file system first waits for the files
/// still being freed (``waitUntilFreed()``), so a disk with room for one
/// checkpoint still takes its replacement.
enum ReleasedFiles {
  private static let queue = DispatchQueue(label: "bpkit.released-files", qos: .utility)

  /// Files of at least this many bytes are freed on the background thread
  /// and have their cached pages dropped before their replacement is
  /// written. A smaller file is freed inside rename(2) in microseconds,
  /// and handing it over cost more: an `open`, a `posix_fadvise` (which
  /// drains every CPU's page lists) and a wake-up of the background
  /// thread, on every checkpoint of a run that writes one each epoch.
  static let largeFileBytes = 8 << 20

  /// Whether a file of `bytes` is one ``largeFileBytes`` is for.
  static func isLarge(_ bytes: Int) -> Bool { bytes >= largeFileBytes }

  /// Closes `descriptor`, the last reference to a file with no name left, on the background thread.
  static func close(later descriptor: Int32) {
    queue.async { _ = Glibc.close(descriptor) }
  }

  /// Drops the page-cache pages of the file about to be replaced, on the
  /// background thread, while its replacement is written; its content stays
  /// on disk, where a reader still finds it.
  ///
  /// A new file written while the old one's pages stay cached needs as many
  /// pages again, and pages the kernel has not handed out recently are
  /// expensive to fill: on this project's virtual machine, writing a
  /// 400 MB checkpoint beside a cached one ran at 0.15-0.3 GB/s, against
  /// 1.4 GB/s into pages just freed. Dropping 400 MB of pages takes about
  /// 25 ms itself (`strace -T`), which the replacing writer paid before it
  /// wrote a byte; on the background thread it overlaps the writing (see
  /// BENCHMARKS.md, checkpoints). The file is opened here, before anything
  /// is renamed over its name. Pages that are dirty (an unsynced write) are
  /// only queued for writing back, and stay.
  static func dropCachedPages(of path: String) {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW)
    guard descriptor >= 0 else { return }
    queue.async {
      _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED)
      _ = Glibc.close(descriptor)
    }
  }

  /// Returns once every file handed to ``close(later:)`` is closed and
  /// every ``dropCachedPages(of:)`` is done.
  static func waitUntilFreed() {
    queue.sync {}
  }
}
