import Foundation

/// Where a run writes its checkpoints, checked and locked before any data is
/// read: a new run never replaces a checkpoint it was not told to continue
/// (``TrainingOptions/Start/resume``) or to replace
/// (``TrainingOptions/Output/overwrite``), and two runs never write the same
/// checkpoint at once (``WriterLock``).
struct CheckpointDestination {
  let path: String
  /// Held for the whole run.
  let lock: WriterLock

  init(_ options: TrainingOptions) throws {
    let output = options.output
    let resume = options.start.resume
    path = output.checkpoint ?? resume ?? TrainingPlan.defaultCheckpointPath
    if let checkpoint = output.checkpoint { try Self.requireHDF5Name(checkpoint) }
    // A device or FIFO is written in place and has no folder of its own:
    // `NAME.best.h5` or `NAME.1.h5` beside it would be files among devices.
    var status = stat()
    if output.saveBest || output.keep > 1, stat(path, &status) == 0, (status.st_mode & S_IFMT) != S_IFREG {
      throw TrainingError.invalidSetting(
        "the checkpoint '\(path)' is not a file, so there is no room beside it for the best epoch's or older "
          + "checkpoints; drop --save-best and --keep, or name a checkpoint file")
    }
    // A checkpoint that is one of the run's own inputs is refused before
    // anything is read, whatever else was asked.
    for input in [options.data.data, options.data.validation, options.start.model].compactMap({ $0 })
    where Self.isSameFile(path, input) && Self.isRegularFile(path) {
      throw OutputFileError.isAnInput(file: path, input: input)
    }
    if !output.overwrite && !Self.isSameFile(path, resume) {
      for existing in [path] + (output.saveBest ? [TrainingLoop.bestURL(for: URL(fileURLWithPath: path)).path] : [])
      where Self.isRegularFile(existing) {
        throw CheckpointExistsError(file: existing, resuming: resume != nil)
      }
    }
    try Self.requireFolder(of: path)
    lock = try WriterLock(for: path)
  }

  /// Checkpoint names whose extension is another format's: a checkpoint is
  /// always written in bpkit's HDF5 format.
  static let otherFormats = ["json", "keras", "onnx", "safetensors"]

  /// Refuses a checkpoint name that promises another format.
  ///
  /// - Throws: ``TrainingError/invalidSetting(_:)`` naming the way to that format.
  static func requireHDF5Name(_ path: String) throws(TrainingError) {
    let suffix = URL(fileURLWithPath: path).pathExtension.lowercased()
    guard otherFormats.contains(suffix) else { return }
    let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    throw .invalidSetting(
      "checkpoints are bpkit HDF5 files, but '\(path)' names a .\(suffix) file; give --checkpoint \(base).h5 and "
        + "convert it afterwards (bpkit convert \(base).h5 \(URL(fileURLWithPath: path).lastPathComponent))")
  }

  /// Checks, before any data is read, that the checkpoint's folder exists
  /// and can take new files, so that a run does not fail at its first checkpoint.
  private static func requireFolder(of path: String) throws {
    let parent = (path as NSString).deletingLastPathComponent
    let folder = parent.isEmpty ? "." : parent
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
      throw OutputFileError.failed(
        file: path, operation: "checking its folder",
        reason: "the folder '\(folder)' does not exist; create it, or give --checkpoint a file in an existing folder")
    }
    guard isFolder.boolValue else {
      throw OutputFileError.failed(file: path, operation: "checking its folder", reason: "'\(folder)' is not a folder")
    }
    guard access(folder, W_OK | X_OK) == 0 else {
      throw OutputFileError.failed(
        file: path, operation: "checking its folder",
        reason: "the folder '\(folder)' is not writable (\(String(cString: strerror(errno)))); give --checkpoint a "
          + "file in a folder you can write")
    }
  }

  private static func isRegularFile(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
  }

  /// Whether `path` and `other` name one file (device and inode).
  private static func isSameFile(_ path: String, _ other: String?) -> Bool {
    guard let other else { return false }
    var first = stat()
    var second = stat()
    guard stat(path, &first) == 0, stat(other, &second) == 0 else { return path == other }
    return first.st_dev == second.st_dev && first.st_ino == second.st_ino
  }
}

/// A new run's checkpoint file already exists, and the run was told neither
/// to resume it nor to replace it.
package struct CheckpointExistsError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
  /// The existing file: the checkpoint, or the best epoch's checkpoint beside it.
  package var file: String
  /// Whether the run resumes another checkpoint.
  package var resuming: Bool

  /// Creates the error for `file`.
  ///
  /// - Parameters:
  ///   - file: The existing file.
  ///   - resuming: Whether the run resumes another checkpoint.
  package init(file: String, resuming: Bool) {
    self.file = file
    self.resuming = resuming
  }

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    let quoted = file.allSatisfy { $0.isLetter || $0.isNumber || "._-/+".contains($0) } ? file : "'\(file)'"
    return "'\(file)' already exists"
      + (resuming ? " and is not the checkpoint being resumed" : "")
      + "; continue that run with --resume \(quoted), replace it with --overwrite, "
      + "or give this run its own --checkpoint FILE"
  }

  /// The same line as `description`, for `LocalizedError`.
  package var errorDescription: String? { description }
}
