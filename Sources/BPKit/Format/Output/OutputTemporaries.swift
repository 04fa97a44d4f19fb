import Foundation
import Synchronization

/// The names of the temporary files ``OutputFile`` writes new content into,
/// and the removal of those that killed writers left behind.
///
/// A temporary for `NAME` is `.NAME.tmp-PID-RANDOM`, hidden, beside the file
/// it replaces (so that the final rename stays within one file system), and
/// recognisable: the writer's process id tells whether it is still at work.
/// A name too long for that is shortened, with a hash of the whole name so
/// that different names keep different prefixes: every temporary name fits
/// in the 255 bytes a file name may have.
enum OutputTemporaries {
  /// The longest file name most file systems take (`NAME_MAX`).
  static let nameLimit = 255
  /// Room for `.`, `.tmp-`, a process id, `-`, 16 hex digits and a suffix.
  static let reserved = 48

  /// The part every temporary for `name` starts with.
  static func prefix(for name: String) -> String { hiddenName(name, suffix: ".tmp-") }

  /// `.NAME` followed by `suffix` (at most 16 bytes), NAME shortened when
  /// the whole would not leave room for a process id and a random number.
  static func hiddenName(_ name: String, suffix: String) -> String {
    let bytes = Array(name.utf8)
    guard bytes.count > nameLimit - reserved else { return ".\(name)\(suffix)" }
    // Cut on a character boundary and add the name's CRC-32, so the prefix is
    // still readable and two long names that share a start do not collide.
    var cut = nameLimit - reserved - 10
    while cut > 0 && (bytes[cut] & 0xC0) == 0x80 { cut -= 1 }
    let head = String(decoding: bytes[..<cut], as: UTF8.self)
    let hash = String(bytes.withUnsafeBytes { CRC32.checksum($0) }, radix: 16)
    return ".\(head)~\(hash)\(suffix)"
  }

  /// A fresh temporary name for `name`, owned by this process.
  static func name(for name: String) -> String {
    prefix(for: name) + "\(getpid())-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
  }

  /// Removes the temporaries for `name` in `folder` whose writing process no
  /// longer exists; those of live processes (another writer at work) stay.
  /// Only regular files are removed, never links or folders.
  ///
  /// The folder is read as a stream, never held whole in memory.
  static func removeStale(of name: String, in folder: String) {
    removeStale(withPrefix: prefix(for: name), in: folder)
  }

  /// ``removeStale(of:in:)``, the first time this process writes `name`
  /// in `folder`: temporaries are left behind by writers that died before
  /// this process began or while it ran, and a run that replaces its
  /// checkpoint every epoch need not read the whole folder every epoch to
  /// find them. Those of a writer that dies while this process runs are
  /// removed by the next process that writes the name.
  static func removeStaleOnce(of name: String, in folder: String) {
    let key = folder + "/" + name
    guard swept.withLock({ $0.insert(key).inserted }) else { return }
    removeStale(of: name, in: folder)
  }

  private static let swept = Mutex<Set<String>>([])

  static func removeStale(withPrefix prefix: String, in folder: String) {
    guard let directory = opendir(folder) else { return }
    defer { closedir(directory) }
    let descriptor = dirfd(directory)
    while let entry = readdir(directory) {
      let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
      }
      guard entryName.hasPrefix(prefix) else { continue }
      let rest = entryName.dropFirst(prefix.count)
      guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0, pid != getpid() else {
        continue
      }
      guard kill(pid, 0) != 0 && errno == ESRCH else { continue }
      var status = stat()
      guard fstatat(descriptor, entryName, &status, AT_SYMLINK_NOFOLLOW) == 0, (status.st_mode & S_IFMT) == S_IFREG
      else { continue }
      unlinkat(descriptor, entryName, 0)
    }
  }
}
