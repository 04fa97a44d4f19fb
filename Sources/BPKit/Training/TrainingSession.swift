import Foundation

/// A training run that advances one batch at a time and can be stopped and
/// resumed at any batch with bit-for-bit the same result.
///
/// Everything the next batch depends on is in the session's ``checkpoint(createdAt:)``:
/// the weights, the optimizer's slots and step count, the random generator's
/// state, the current epoch's sample order and the position in it, and the
/// running sums of the epoch's loss. The session draws random numbers only
/// to shuffle, once at the start of each epoch; dropout masks are a function
/// of the run's seed, the epoch and each sample's position in it (``DropoutMasks``).
///
/// An epoch visits the training samples in `progress.order` in batches of
/// `configuration.batchSize` (the last batch may be smaller). iRPROP− is a
/// full-batch method: its epoch is one update from the whole epoch's
/// gradient, so its checkpoints fall on epoch boundaries.
///
/// The library never prints: the caller reports progress from the values
/// ``step()`` returns.
public final class TrainingSession {
  /// How the run trains.
  public private(set) var configuration: TrainingConfiguration
  /// Where the run is.
  public private(set) var progress: TrainingProgress
  /// The training data's fingerprint, stored in checkpoints.
  public let data: DataFingerprint?
  /// The validation data's fingerprint, when it came from its own file.
  public let validationData: DataFingerprint?

  /// The ranks that share each batch, or `nil` for one process.
  public let communicator: (any Communicator)?

  private let engine: any SessionEngine
  /// The model's precision, in which the engine takes its samples.
  private let dtype: DType
  private let training: any SessionData
  private let validation: (any SessionData)?
  private var random: Xoshiro256StarStar
  private var batch: PreparedData.Batch
  private var pendingNotes: [String] = []
  private var epochSeconds: Double = 0

  /// What one call to ``step()`` did.
  public struct StepReport: Sendable {
    /// The epoch being trained (0-based).
    public var epoch: Int
    /// The batch just completed in the epoch (1-based).
    public var step: Int
    /// The number of samples in the batch.
    public var samples: Int
    /// The batch's mean loss.
    public var loss: Double
    /// The epoch's running mean loss so far.
    public var epochLoss: Double
    /// The epoch's running accuracy so far; `nil` when the loss has no classes.
    public var epochAccuracy: Double?
    /// The number of samples in an epoch.
    public var epochSamples: Int
    /// How many of the epoch's samples are done.
    public var samplesDone: Int
    /// The record of the epoch when this step completed it.
    public var completedEpoch: EpochRecord?
  }

  /// The rows a streamed epoch keeps together: the order shuffles blocks of
  /// this many rows, then the rows within each block.
  public static let streamedBlockRows = 16_384

  /// Continues a run from a checkpoint with samples held in memory.
  ///
  /// - Parameters:
  ///   - checkpoint: The model, optimizer state, configuration and progress.
  ///   - training: The training samples.
  ///   - validation: Samples to evaluate after each epoch, or `nil`.
  /// - Throws: ``BPKitError`` when data and network do not fit, or an
  ///   engine error when `BPKIT_KERNELS` names no usable path or the loss does not suit the output layer.
  public convenience init(checkpoint: Checkpoint, training: Dataset, validation: Dataset?) throws(BPKitError) {
    do {
      try self.init(checkpoint: checkpoint, training: .inMemory(training), validation: validation.map { .inMemory($0) })

    } catch {
      throw BPKitError(error)
    }
  }

  /// Continues a run from a checkpoint (a new run is a checkpoint at epoch 0),
  /// with samples in memory or streamed from HDF5.
  ///
  /// An epoch visits blocks of ``streamedBlockRows`` samples in a random
  /// order, and the samples of each block in a random order, so an epoch
  /// over streamed samples reads the file once while batches still mix the data.
  ///
  /// With a `communicator` of more than one rank, every rank makes the same
  /// session from the same checkpoint and data; each batch is then split
  /// across the ranks, each rank reads only its samples of it, and every
  /// rank applies the same update, bitwise the one a single process applies
  /// (see <doc:RunningOnACluster>). Validation data is evaluated whole by every rank.
  public init(
    checkpoint: Checkpoint, training: TrainingData, validation: TrainingData?,
    communicator: (any Communicator)? = nil
  ) throws(BPKitError) {
    self.communicator = communicator.flatMap { $0.size > 1 ? $0 : nil }
    do {
      configuration = checkpoint.configuration
      progress = checkpoint.progress
      data = checkpoint.data
      validationData = checkpoint.validationData
      guard configuration.batchSize >= 1 else {
        throw TrainingError.invalidSetting("the batch size must be at least 1, not \(configuration.batchSize)")
      }
      guard training.sampleCount > 0 else { throw TrainingError.noTrainingSamples }
      let network = checkpoint.model.network
      let loss = checkpoint.configuration.loss
      let dtype = checkpoint.model.dtype
      self.dtype = dtype
      func prepare(_ data: TrainingData, role: String) throws -> any SessionData {
        switch data {
        case .inMemory(let dataset):
          return try PreparedData(dataset, network: network, loss: loss, role: role, dtype: dtype)
        case .streamed(let reader, let rows):
          return try StreamedData(
            reader: reader, rows: rows, blockRows: Self.streamedBlockRows, network: network, loss: loss, role: role,
            dtype: dtype)
        }
      }
      self.training = try prepare(training, role: "training data")
      self.validation = try validation.map { try prepare($0, role: "validation data") }
      let order = checkpoint.progress.order
      let sampleCount = training.sampleCount
      if !order.isEmpty {
        guard order.count == sampleCount, checkpoint.progress.cursor <= order.count,
          Set(order).count == order.count, order.allSatisfy({ $0 < sampleCount })
        else {
          throw TrainingError.inputsDoNotFit(
            "the checkpoint's epoch order covers \(order.count) samples, the data has \(sampleCount)")
        }
      }
      random = try Xoshiro256StarStar(state: progress.random)
      engine = try makeSessionEngine(
        model: checkpoint.model, optimizer: checkpoint.optimizer, loss: configuration.loss,
        bpttSteps: configuration.bpttSteps, classWeights: configuration.classWeights,
        probabilityClip: configuration.probabilityClip)
      batch = PreparedData.Batch()

    } catch {
      throw BPKitError(error)
    }
  }

  /// Whether the run has trained all its epochs.
  public var isComplete: Bool { progress.epoch >= configuration.epochs || progress.earlyStopping.stoppedEpoch > 0 }

  /// The network's current weights.
  public var model: Model { engine.model }

  /// Changes the total number of epochs, for example when resuming a run to train longer.
  public func setEpochs(_ epochs: Int) {
    configuration.epochs = epochs
  }

  /// Changes the learning rate from the next batch on, noting it in the history.
  ///
  /// - Throws: ``BPKitError`` (``BPKitError/Code/invalidSetting``) when the rate follows a schedule.
  public func setLearningRate(_ rate: Double) throws(BPKitError) {
    if let schedule = engine.optimizerConfiguration.schedule {
      throw BPKitError(
        TrainingError.invalidSetting(
          "the learning rate follows the schedule \(schedule.summary); it cannot be set on its own"))
    }
    guard rate != engine.learningRate else { return }
    pendingNotes.append("learning rate changed from \(engine.learningRate) to \(rate)")
    engine.learningRate = rate
  }

  /// Adds a note to the current epoch's history record.
  public func addNote(_ note: String) {
    pendingNotes.append(note)
  }

  /// Trains one batch (for iRPROP−, one whole epoch).
  ///
  /// - Throws: ``BPKitError/Code/diverged`` when the loss is
  ///   not finite; the session must not be checkpointed after that.
  @discardableResult
  public func step() throws(BPKitError) -> StepReport {
    do {
      let started = Date()
      if progress.order.isEmpty {
        progress.order = makeOrder()
        progress.random = random.state
      }
      let fullBatch = engine.optimizerConfiguration.kind == .rprop
      var batchSamples = 0
      var batchLoss = 0.0
      repeat {
        let end = min(progress.cursor + configuration.batchSize, training.count)
        // Dropout masks follow from where the batch is, not from a generator's state.
        engine.dropoutMasks = DropoutMasks(seed: configuration.seed, epoch: progress.epoch, position: progress.cursor)
        let metrics: BatchMetrics
        if let communicator {
          // This rank reads and trains only its part of the batch.
          let share = BatchShare(total: end - progress.cursor, communicator: communicator)
          let first = progress.cursor + share.range.lowerBound
          try training.gather(progress.order[first..<(first + share.localCount)], into: &batch)
          metrics = try engine.train(&batch, count: share.localCount, share: share, accumulate: fullBatch)
        } else {
          try training.gather(progress.order[progress.cursor..<end], into: &batch)
          metrics = try engine.train(&batch, count: end - progress.cursor, share: nil, accumulate: fullBatch)
        }
        guard metrics.loss.isFinite else {
          throw TrainingError.diverged(
            epoch: progress.epoch, step: progress.stepInEpoch, loss: metrics.loss, keptCheckpoint: nil)
        }
        progress.epochLossSum += metrics.loss * Double(metrics.samples)
        progress.epochSamples += metrics.samples
        progress.epochCorrect += metrics.correct
        progress.epochJudged += metrics.judged
        batchSamples += metrics.samples
        batchLoss += metrics.loss * Double(metrics.samples)
        progress.cursor = end
      } while fullBatch && progress.cursor < training.count
      if fullBatch { try engine.applyAccumulatedGradients() }
      progress.stepInEpoch += 1
      let elapsed = Date().timeIntervalSince(started)
      progress.elapsedSeconds += elapsed
      epochSeconds += elapsed
      var report = StepReport(
        epoch: progress.epoch, step: progress.stepInEpoch, samples: batchSamples,
        loss: batchLoss / Double(batchSamples),
        epochLoss: progress.epochLossSum / Double(max(progress.epochSamples, 1)),
        epochAccuracy: progress.epochJudged > 0 ? Double(progress.epochCorrect) / Double(progress.epochJudged) : nil,
        epochSamples: training.count, samplesDone: progress.cursor, completedEpoch: nil)
      if progress.cursor == training.count { report.completedEpoch = try finishEpoch() }
      return report

    } catch {
      throw BPKitError(error)
    }
  }

  /// The order of a new epoch: file order, or shuffled by blocks.
  ///
  /// Blocks of ``streamedBlockRows`` samples are visited in a random order,
  /// and the samples of each block in a random order. For up to that many
  /// samples this is one full shuffle; for more it lets streamed data be
  /// read once per epoch. In-memory and streamed data get the same order, so
  /// a run can resume either way.
  private func makeOrder() -> [Int] {
    guard configuration.shuffle else { return Array(0..<training.count) }
    let blockRows = Self.streamedBlockRows
    var blocks = Array(0..<((training.count + blockRows - 1) / blockRows))
    random.shuffle(&blocks)
    var order: [Int] = []
    order.reserveCapacity(training.count)
    for block in blocks {
      var rows = Array((block * blockRows)..<min(training.count, (block + 1) * blockRows))
      random.shuffle(&rows)
      order += rows
    }
    return order
  }

  /// Evaluates the current weights on a data set: mean loss and accuracy.
  public func evaluate(_ data: Dataset) throws(BPKitError) -> BatchMetrics {
    do {
      let prepared = try PreparedData(
        data, network: engine.network, loss: configuration.loss, role: "evaluation data", dtype: dtype)
      return try prepared.evaluate(with: engine)

    } catch {
      throw BPKitError(error)
    }
  }

  /// The run's complete state, to write as a checkpoint.
  public func checkpoint(createdAt: Date = Date()) -> Checkpoint {
    Checkpoint(
      model: engine.model, optimizer: engine.optimizerState, configuration: configuration, progress: progress,
      data: data, validationData: validationData, createdAt: createdAt)
  }

  /// Keras' `on_epoch_end` of reduce-on-plateau, then of early stopping;
  /// what they do is noted in the epoch's record.
  private func watch(_ record: inout EpochRecord) throws {
    if let policy = configuration.reduceLearningRateOnPlateau,
      let rate = policy.update(&progress.plateau, after: record, learningRate: engine.learningRate)
    {
      record.notes.append(
        "learning rate reduced from \(engine.learningRate) to \(rate): \(policy.monitor.rawValue) on a plateau")
      engine.learningRate = rate
    }
    guard let policy = configuration.earlyStopping else { return }
    let stops = policy.update(&progress.earlyStopping, after: record, model: { engine.model })
    if stops {
      record.notes.append(
        "stopped early: \(policy.monitor.rawValue) has not improved for \(progress.earlyStopping.wait) epochs")
    }
    // Keras' on_train_end: the best weights come back at the run's end, stopped early or not.
    if policy.restoreBestWeights, stops || record.epoch >= configuration.epochs,
      let best = try progress.earlyStopping.bestModel(of: engine.network)
    {
      try engine.setParameters(best)
      record.notes.append(
        "the weights of epoch \(progress.earlyStopping.bestEpoch) restored (best \(policy.monitor.rawValue))")
    }
  }

  private func finishEpoch() throws -> EpochRecord {
    let validationMetrics = try validation?.evaluate(with: engine)
    let started = Date()
    var record = EpochRecord(
      epoch: progress.epoch + 1,
      trainLoss: progress.epochLossSum / Double(max(progress.epochSamples, 1)),
      trainAccuracy: progress.epochJudged > 0 ? Double(progress.epochCorrect) / Double(progress.epochJudged) : nil,
      validationLoss: validationMetrics?.loss, validationAccuracy: validationMetrics?.accuracy,
      learningRate: engine.learningRateInForce, seconds: epochSeconds, notes: pendingNotes)
    try watch(&record)
    progress.history.append(record)
    progress.epoch += 1
    progress.stepInEpoch = 0
    progress.cursor = 0
    progress.order = []
    progress.epochLossSum = 0
    progress.epochSamples = 0
    progress.epochCorrect = 0
    progress.epochJudged = 0
    pendingNotes = []
    epochSeconds = 0
    progress.elapsedSeconds += Date().timeIntervalSince(started)
    return record
  }
}
