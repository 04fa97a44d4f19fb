/// Training that cannot start or continue.
package enum TrainingError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The loss became NaN or infinite: training diverged. `keptCheckpoint`
  /// is the run's last checkpoint, written before it and left as it was, or
  /// `nil` when the run has none (it diverged before writing one).
  case diverged(epoch: Int, step: Int, loss: Double, keptCheckpoint: String?)
  /// The data on resume is not the data the checkpoint was trained on.
  case dataChanged(checkpoint: DataFingerprint, now: DataFingerprint)
  /// A data path stored in a checkpoint does not name the data the
  /// checkpoint recorded, so it is not opened.
  case storedDataUnconfirmed(role: String, path: String, reason: String)
  /// There are no training samples (after the validation split).
  case noTrainingSamples
  /// Targets do not fit the network's outputs.
  case targetsDoNotFit(String)
  /// The data's samples do not fit the network's input.
  case inputsDoNotFit(String)
  /// A setting cannot be used.
  case invalidSetting(String)

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    switch self {
    case .diverged(let epoch, let step, let loss, let kept):
      "training diverged: the loss became \(loss) in epoch \(epoch + 1), step \(step + 1); "
        + (kept.map { "the last checkpoint written before it, \($0), is kept as it was" }
          ?? "no checkpoint was written before it")
        + ". Lower the learning rate (--lr) or standardize the inputs (--standardize)"
    case .dataChanged(let checkpoint, let now):
      "the training data has changed since the checkpoint was written (checkpoint: \(checkpoint.path), "
        + "sha256 \(checkpoint.sha256.prefix(12))…, \(checkpoint.sampleCount) samples; now: \(now.path), sha256 "
        + "\(now.sha256.prefix(12))…, \(now.sampleCount) samples); pass --allow-data-change to resume anyway"
    case .storedDataUnconfirmed(let role, let path, let reason):
      "the checkpoint names '\(path)' as its \(role), but that is not the file it trained on (\(reason)), so bpkit "
        + "did not open it; give the \(role) with \(role == "training data" ? "--data" : "--validation")"
    case .noTrainingSamples:
      "there are no training samples left; lower --validation-split or add data"
    case .targetsDoNotFit(let detail):
      "the targets do not fit the network's outputs: \(detail)"
    case .inputsDoNotFit(let detail):
      "the data does not fit the network's input: \(detail)"
    case .invalidSetting(let detail):
      detail
    }
  }
}
