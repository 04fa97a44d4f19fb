import Foundation

/// How a call to ``TrainingRun/run(control:observe:)`` ended.
public struct TrainingOutcome: Sendable {
  /// Why the run stopped.
  public enum Reason: Sendable, Hashable {
    /// It trained all its epochs.
    case completed
    /// It had trained all its epochs before this call; nothing was trained.
    case alreadyComplete
    /// Its ``TrainingControl`` asked it to stop.
    case stopRequested
    /// The Swift task running it was cancelled.
    case cancelled
    /// It trained ``TrainingOptions/Output/stopAfterSteps`` steps.
    case stepLimit
  }

  /// Why the run stopped.
  public var reason: Reason
  /// The steps trained in this call.
  public var steps: Int
  /// The run's total number of epochs.
  public var epochs: Int
  /// Where the run is: epoch, step in it, history, time spent training.
  public var progress: TrainingProgress
  /// Where the run's checkpoints are written.
  public var checkpoint: URL

  /// Whether the run stopped before training all its epochs.
  public var isEarly: Bool { reason != .completed && reason != .alreadyComplete }
}
