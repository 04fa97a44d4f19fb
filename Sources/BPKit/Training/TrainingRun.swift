import Foundation

/// A training run an app starts, resumes, observes, stops and checkpoints,
/// as `bpkit train` does.
///
/// ``run(control:observe:)`` trains until the run completes, its
/// ``TrainingOptions/Output/stopAfterSteps`` are done, its ``TrainingControl``
/// asks it to stop, or the Swift task running it is cancelled. It writes
/// checkpoints on the schedule of ``TrainingOptions/Output`` and whenever it
/// stops early, so that a run resumed from its checkpoint ends with bitwise
/// the same weights as an uninterrupted one. It reports each step, epoch and
/// checkpoint to an observer; ``events(_:control:)`` delivers the same events
/// as an `AsyncSequence`.
///
/// ```swift
/// var options = TrainingOptions(start: .init(layers: "64,32:tanh,10:softmax"))
/// options.data.data = "digits.h5"
/// options.output.checkpoint = "digits.ckpt.h5"
/// let outcome = try TrainingRun(options).run { event in
///   if case .epochCompleted(let record) = event { print(record.epoch, record.trainLoss) }
/// }
/// ```
///
/// The library never prints: the caller reports progress from the events.
public final class TrainingRun {
  /// The resolved run: its starting checkpoint, data and checkpoint path.
  public let plan: TrainingPlan
  /// The session that trains; its ``TrainingSession/checkpoint(createdAt:)`` is the run's current state.
  public let session: TrainingSession
  /// The files the run reads, which none of its checkpoints may replace.
  public let inputs: [String]
  /// A new identifier for each ``TrainingRun``, so that the records of runs
  /// appended to one log (`bpkit train --log-json`) can be told apart.
  public let id = UUID()
  private let output: TrainingOptions.Output
  private var bestLoss: Double
  /// The run's last checkpoint on disk: the one resumed, or the last written.
  private var lastCheckpoint: String?
  /// Held while the run exists: no second writer of its checkpoint (rank 0's, on several ranks).
  private let lock: WriterLock?
  /// The ranks of a distributed run, or `nil`.
  public let communicator: (any Communicator)?

  /// Resolves options into a run ready to train: checks and locks the
  /// checkpoint's path, reads the checkpoint or builds the model, and reads
  /// and fingerprints the data.
  ///
  /// - Throws: ``BPKitError`` when a new run's checkpoint exists
  ///   and ``TrainingOptions/Output/overwrite`` is not set;
  ///   ``BPKitError`` when another process writes that checkpoint;
  ///   ``BPKitError`` for options the run cannot take; the errors
  ///   of the model, checkpoint and data readers for files they refuse.
  ///
  /// With a `communicator`, every rank of the run calls this with the same
  /// options: each reads the checkpoint and the data, and every batch is
  /// split across the ranks, with bitwise the result of one process (see
  /// <doc:RunningOnACluster>). Rank 0 alone checks, locks and writes the
  /// checkpoint. When any rank cannot start, every rank throws: that rank's
  /// own error, the others ``DistributedError/rankFailed(rank:)``.
  public convenience init(_ options: TrainingOptions, communicator: (any Communicator)? = nil)
    throws(BPKitError)
  {
    do {
      let communicator = communicator.flatMap { $0.size > 1 ? $0 : nil }
      let named = [options.data.data, options.data.validation, options.start.model].compactMap { $0 }
      var failure: (any Error)?
      var parts: (TrainingPlan, WriterLock?)?
      do {
        let lock = (communicator?.rank ?? 0) == 0 ? try CheckpointDestination(options).lock : nil
        parts = (try TrainingPlan(options), lock)
      } catch {
        failure = error
      }
      if let communicator { try DistributedError.agree(failed: failure != nil, communicator: communicator) }
      if let failure { throw failure }
      try self.init(
        plan: parts!.0, output: options.output, lock: parts!.1, inputs: named, communicator: communicator)
    } catch {
      throw BPKitError(error)
    }
  }

  /// Creates a run from a resolved plan, locking its checkpoint's path.
  ///
  /// - Throws: ``BPKitError`` when another process writes that
  ///   checkpoint; ``BPKitError`` when the data does not fit the network.
  public convenience init(plan: TrainingPlan, output: TrainingOptions.Output = TrainingOptions.Output())
    throws(BPKitError)
  {
    do {
      try self.init(
        plan: plan, output: output, lock: WriterLock(for: plan.checkpointPath), inputs: [], communicator: nil)

    } catch {
      throw BPKitError(error)
    }
  }

  private init(
    plan: TrainingPlan, output: TrainingOptions.Output, lock: WriterLock?, inputs: [String],
    communicator: (any Communicator)?
  ) throws {
    self.plan = plan
    self.output = output
    self.lock = lock
    self.communicator = communicator
    self.inputs = inputs + [plan.checkpoint.data?.path, plan.checkpoint.validationData?.path].compactMap { $0 }
    session = try TrainingSession(
      checkpoint: plan.checkpoint, training: plan.training, validation: plan.validation, communicator: communicator)
    if let rate = plan.learningRate { try session.setLearningRate(rate) }
    for note in plan.notes { session.addNote(note) }
    lastCheckpoint = plan.resumedFrom
    bestLoss = plan.checkpoint.progress.history.map { $0.validationLoss ?? $0.trainLoss }.min() ?? .infinity
  }

  /// Where the run writes its checkpoints.
  public var checkpointURL: URL { URL(fileURLWithPath: plan.checkpointPath) }

  /// Where the best epoch's checkpoint goes when ``TrainingOptions/Output/saveBest`` is set.
  public var bestCheckpointURL: URL { TrainingLoop.bestURL(for: checkpointURL) }

  /// Trains until the run completes or stops early, writing checkpoints on
  /// schedule and on every early stop.
  ///
  /// Called from a Swift task, it checks the task for cancellation after
  /// every step: a cancelled run writes its checkpoint and returns with
  /// ``TrainingOutcome/Reason/cancelled``.
  ///
  /// - Parameters:
  ///   - control: Asks the run to stop, or to write a checkpoint, after the current step.
  ///   - observe: Called on the training thread with each step, epoch and checkpoint written.
  /// - Returns: Why the run stopped and where it is.
  /// - Throws: ``BPKitError/Code/diverged``
  ///   when the loss is not finite (no checkpoint is written after it; the
  ///   error names the run's last one, if any); the writer's errors;
  ///   what `observe` throws.
  @discardableResult
  public func run(control: TrainingControl? = nil, observe: (TrainingEvent) throws -> Void = { _ in }) throws
    -> TrainingOutcome
  {
    do {
      return try TrainingLoop(plan: plan, output: output, stop: control, inputs: inputs, communicator: communicator)
        .run(
          session, bestLoss: &bestLoss, lastCheckpoint: &lastCheckpoint, observe: observe)

    } catch let error as any BPKitErrorReason {
      throw BPKitError(error)
    }
  }

  /// Writes the run's current state to ``checkpointURL`` now, rotating older
  /// checkpoints when more than one is kept.
  ///
  /// - Throws: The writer's errors.
  public func writeCheckpoint() throws(BPKitError) {
    do {
      try TrainingLoop(plan: plan, output: output, stop: nil, inputs: inputs, communicator: communicator).write(
        session, to: checkpointURL)
      lastCheckpoint = plan.checkpointPath

    } catch {
      throw BPKitError(error)
    }
  }

  /// Starts a run in a new task and delivers its events as they happen,
  /// ending with ``TrainingEvent/finished(_:)``.
  ///
  /// Ending the iteration, or cancelling the task that iterates, cancels the
  /// run: it stops after the current step and writes its checkpoint.
  ///
  /// - Parameters:
  ///   - options: The run to start or resume.
  ///   - control: Asks the run to stop, or to write a checkpoint, after the current step.
  /// - Returns: The run's events; the sequence throws what starting or training the run throws.
  public static func events(_ options: TrainingOptions, control: TrainingControl? = nil) -> AsyncThrowingStream<
    TrainingEvent, any Error
  > {
    AsyncThrowingStream { continuation in
      let task = Task.detached {
        do {
          let outcome = try TrainingRun(options).run(control: control) { continuation.yield($0) }
          continuation.yield(.finished(outcome))
          continuation.finish()
        } catch {
          continuation.finish(throwing: error)
        }
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }
}
