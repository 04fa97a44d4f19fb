import Foundation

/// `train --keep K`: before a new checkpoint replaces NAME.h5, the current
/// one becomes NAME.1.h5, NAME.1.h5 becomes NAME.2.h5, and so on, up to
/// NAME.(K-1).h5; the oldest beyond that is removed.
///
/// Rotation moves and removes only regular files that bpkit wrote,
/// recognised by their seal (``BPKitFile/isSealed(atPath:)``): a folder,
/// a link or another program's file under a numbered name is left alone and
/// ends the chain there. It looks at the numbered files that exist, one
/// after the other, so its cost is that of the files kept, whatever K is.
struct CheckpointRotation {
  let destination: String
  let keep: Int

  /// NAME.h5 with `tag` before its extension: NAME.TAG.h5.
  static func sibling(of path: String, tag: String) -> String {
    let name = path as NSString
    let base = name.deletingPathExtension
    return name.pathExtension.isEmpty ? "\(base).\(tag)" : "\(base).\(tag).\(name.pathExtension)"
  }

  func numbered(_ index: Int) -> String { Self.sibling(of: destination, tag: String(index)) }

  func rotate() {
    guard keep > 1, BPKitFile.isSealed(atPath: destination) else { return }
    // The chain of bpkit's own files NAME.1 … NAME.count, each present.
    var count = 0
    while count < keep - 1, BPKitFile.isSealed(atPath: numbered(count + 1)) { count += 1 }
    var top = count
    if count > 0 && (count == keep - 1 || Self.exists(numbered(count + 1))) {
      // The oldest has no room above it: the chain is full, or the next name
      // holds something that is not bpkit's.
      unlink(numbered(count))
      top = count - 1
    }
    if top >= 1 {
      for index in stride(from: top, through: 1, by: -1) { rename(numbered(index), numbered(index + 1)) }
    }
    // A hard link keeps the current checkpoint under its old name at no cost;
    // the next write then renames a new file over the destination. Where
    // NAME.1 is not bpkit's, the link fails and leaves it alone.
    link(destination, numbered(1))
  }

  private static func exists(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) == 0
  }
}
