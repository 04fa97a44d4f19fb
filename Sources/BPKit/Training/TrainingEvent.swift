import Foundation

/// What a ``TrainingRun`` reports while it trains.
public enum TrainingEvent: Sendable {
  /// Training starts (or resumes) on this many samples, writing checkpoints to `checkpoint`.
  case started(trainingSamples: Int, validationSamples: Int?, checkpoint: URL)
  /// A batch was trained (for iRPROP−, a whole epoch).
  case step(TrainingSession.StepReport)
  /// An epoch was completed, and validated when there is validation data.
  case epochCompleted(EpochRecord)
  /// A checkpoint was written; `best` for the best epoch's own checkpoint.
  case checkpointWritten(URL, best: Bool)
  /// The run stopped; the last event of ``TrainingRun/events(_:control:)``.
  case finished(TrainingOutcome)
}
