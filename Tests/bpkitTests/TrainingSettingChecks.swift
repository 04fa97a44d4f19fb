import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// The checks every training setting's command tests make the same way
/// (`--class-weight`, `--clip-probabilities`): a setting that means nothing
/// is refused as a usage error, and a stopped run resumes to the bits of
/// the uninterrupted one, keeping the setting.
enum TrainingSettingChecks {
  /// A refused setting: exit 2, one line of standard error holding
  /// `message`, and no checkpoint written at `checkpoint`.
  static func expectUsageError(
    _ result: ProcessResult, _ message: String, writing checkpoint: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(result.status == 2, sourceLocation: sourceLocation)
    #expect(result.error.contains(message), "\(result.error)", sourceLocation: sourceLocation)
    #expect(result.error.split(separator: "\n").count == 1, "\(result.error)", sourceLocation: sourceLocation)
    #expect(!FileManager.default.fileExists(atPath: checkpoint), sourceLocation: sourceLocation)
  }

  /// Trains `whole.h5` and, stopped after `steps`, `parts.h5` in `folder`
  /// with `train(name, extra arguments)`, resumes the second and expects
  /// the two to be equal bit for bit; then a resume given `again` (the same
  /// setting spelled out) must finish, and one given `changed` must be a
  /// usage error saying the setting "cannot change on resume. Drop `flag`".
  ///
  /// - Returns: The resumed checkpoint, before the `again` resume, for the
  ///   caller's checks of the setting it keeps.
  static func expectStoppedRunResumesBitwise(
    in folder: TemporaryDirectory, stoppingAfter steps: Int, again: [String], changed: [String], flag: String,
    sourceLocation: SourceLocation = #_sourceLocation, train: (String, [String]) throws -> ProcessResult
  ) throws -> Checkpoint {
    let whole = try train("whole.h5", [])
    #expect(whole.status == 0, "\(whole.error)", sourceLocation: sourceLocation)
    let first = try train("parts.h5", ["--stop-after-steps", String(steps)])
    #expect(first.status == 0, "\(first.error)", sourceLocation: sourceLocation)
    let resumed = try BPKitBinary.run("train", "--resume", folder.path("parts.h5"), "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)", sourceLocation: sourceLocation)
    let parts = try CheckpointComparison.load(folder.path("parts.h5"))
    let differences = CheckpointComparison.differences(try CheckpointComparison.load(folder.path("whole.h5")), parts)
    #expect(differences == [], sourceLocation: sourceLocation)
    let accepted = try BPKitBinary.run(arguments: ["train", "--resume", folder.path("parts.h5"), "--quiet"] + again)
    #expect(accepted.status == 0, "\(accepted.error)", sourceLocation: sourceLocation)
    let refused = try BPKitBinary.run(arguments: ["train", "--resume", folder.path("parts.h5"), "--quiet"] + changed)
    #expect(refused.status == 2, sourceLocation: sourceLocation)
    #expect(
      refused.error.contains("cannot change on resume. Drop \(flag)"), "\(refused.error)",
      sourceLocation: sourceLocation)
    return parts
  }
}
