import Synchronization

/// Asks a running ``TrainingRun`` to stop or to write a checkpoint after
/// its current step, from any thread or task (a signal handler, a button).
public final class TrainingControl: Sendable {
  private let stopRequested = Atomic<Bool>(false)
  private let checkpointRequested = Atomic<Bool>(false)

  /// Creates a control that has asked for nothing yet.
  public init() {}

  /// Asks the run to stop after the current step; it writes a checkpoint first.
  public func requestStop() {
    stopRequested.store(true, ordering: .relaxed)
  }

  /// Asks the run to write a checkpoint after the current step and go on.
  public func requestCheckpoint() {
    checkpointRequested.store(true, ordering: .relaxed)
  }

  /// Whether a stop has been asked for.
  public var isStopRequested: Bool { stopRequested.load(ordering: .relaxed) }

  /// Whether a checkpoint was asked for, clearing the request.
  func takeCheckpointRequest() -> Bool {
    checkpointRequested.exchange(false, ordering: .relaxed)
  }
}
