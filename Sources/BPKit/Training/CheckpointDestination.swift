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
    lock = try WriterLock(for: path)
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
public struct CheckpointExistsError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
  /// The existing file: the checkpoint, or the best epoch's checkpoint beside it.
  public var file: String
  /// Whether the run resumes another checkpoint.
  public var resuming: Bool

  /// Creates the error for `file`.
  ///
  /// - Parameters:
  ///   - file: The existing file.
  ///   - resuming: Whether the run resumes another checkpoint.
  public init(file: String, resuming: Bool) {
    self.file = file
    self.resuming = resuming
  }

  /// The error as one line: what went wrong, where, and the way out.
  public var description: String {
    let quoted = file.allSatisfy { $0.isLetter || $0.isNumber || "._-/+".contains($0) } ? file : "'\(file)'"
    return "'\(file)' already exists"
      + (resuming ? " and is not the checkpoint being resumed" : "")
      + "; continue that run with --resume \(quoted), replace it with --overwrite, "
      + "or give this run its own --checkpoint FILE"
  }

  /// The same line as `description`, for `LocalizedError`.
  public var errorDescription: String? { description }
}
