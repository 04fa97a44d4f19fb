import Foundation

/// Where a training run stands, from its checkpoint: the position in the
/// run, the last and best epochs, the data it trained on. (The optimizer is
/// in ``FileSummary/optimizer``.)
public struct CheckpointSummary: Sendable, Encodable {
  /// One epoch's figures.
  public struct EpochFigures: Hashable, Sendable, Encodable {
    /// The epoch's number, from 1.
    public var epoch: Int
    /// The mean training loss.
    public var trainLoss: Double
    /// The training accuracy, for classifiers.
    public var trainAccuracy: Double?
    /// The validation loss, when the run had validation data.
    public var validationLoss: Double?
    /// The validation accuracy, for classifiers with validation data.
    public var validationAccuracy: Double?

    init(_ record: EpochRecord) {
      epoch = record.epoch
      trainLoss = record.trainLoss
      trainAccuracy = record.trainAccuracy
      validationLoss = record.validationLoss
      validationAccuracy = record.validationAccuracy
    }

    enum CodingKeys: String, CodingKey {
      case epoch
      case trainLoss = "train_loss"
      case trainAccuracy = "train_accuracy"
      case validationLoss = "validation_loss"
      case validationAccuracy = "validation_accuracy"
    }

    /// Encodes the summary as `bpkit inspect --json` prints it.
    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(epoch, forKey: .epoch)
      try container.encode(trainLoss, forKey: .trainLoss)
      try container.encode(trainAccuracy, forKey: .trainAccuracy)
      try container.encode(validationLoss, forKey: .validationLoss)
      try container.encode(validationAccuracy, forKey: .validationAccuracy)
    }
  }

  /// The loss minimised.
  public var loss: String
  /// Samples per update.
  public var batchSize: Int
  /// The epochs completed.
  public var epoch: Int
  /// The epochs the run aims for.
  public var plannedEpochs: Int
  /// The batches completed in the current (unfinished) epoch.
  public var stepInEpoch: Int
  /// The seed of initialisation and shuffling.
  public var seed: UInt64
  /// The fraction of the training data held out for validation (0 for none).
  public var validationSplit: Double
  /// The seed that drew the held-out samples, or `nil` when the split holds out the last samples.
  public var validationSplitSeed: UInt64?
  /// How many samples a seeded split holds out, or `nil` without a seed.
  public var validationHeldOut: Int?
  /// Early stopping's settings in `--early-stopping` form, or `nil` without it.
  public var earlyStopping: String?
  /// Where early stopping's watch is: the best value and its epoch, the
  /// epochs waited, the epoch it stopped at; `nil` without early stopping.
  public var earlyStoppingState: String?
  /// Reduce-on-plateau's settings in `--reduce-lr-on-plateau` form, or `nil` without it.
  public var reduceLearningRateOnPlateau: String?
  /// Where reduce-on-plateau's watch is; `nil` without it.
  public var reduceLearningRateOnPlateauState: String?
  /// The weight of each class in the training loss, by class index, or `nil` for none.
  public var classWeights: [Double]?
  /// Keras' probability clip ε of the loss (see ``ProbabilityClip``), or `nil` for none.
  public var probabilityClip: Double?
  /// The last completed epoch, or `nil` before the first one ends.
  public var last: EpochFigures?
  /// The epoch with the lowest validation loss, or the lowest training loss
  /// when the run had no validation data.
  public var best: EpochFigures?
  /// The training data's fingerprint.
  public var data: DataFingerprint?
  /// The validation data's fingerprint, when it came from its own file.
  public var validationData: DataFingerprint?
  /// Seconds of training, across every resume.
  public var elapsedSeconds: Double
  /// The bpkit version that wrote the checkpoint.
  public var bpkitVersion: String
  /// When the checkpoint was written.
  public var createdAt: Date

  /// Summarises a checkpoint.
  public init(_ checkpoint: Checkpoint) {
    let progress = checkpoint.progress
    loss = checkpoint.configuration.loss.rawValue
    batchSize = checkpoint.configuration.batchSize
    epoch = progress.epoch
    plannedEpochs = checkpoint.configuration.epochs
    stepInEpoch = progress.stepInEpoch
    seed = checkpoint.configuration.seed
    validationSplit = checkpoint.configuration.validationSplit
    validationSplitSeed = checkpoint.configuration.validationSplitSeed
    validationHeldOut = checkpoint.configuration.validationRows?.count
    earlyStopping = checkpoint.configuration.earlyStopping?.summary
    earlyStoppingState = checkpoint.configuration.earlyStopping.map { _ in progress.earlyStopping.summary }
    reduceLearningRateOnPlateau = checkpoint.configuration.reduceLearningRateOnPlateau?.summary
    reduceLearningRateOnPlateauState = checkpoint.configuration.reduceLearningRateOnPlateau.map { _ in
      progress.plateau.summary
    }
    classWeights = checkpoint.configuration.classWeights
    probabilityClip = checkpoint.configuration.probabilityClip
    last = progress.history.last.map(EpochFigures.init)
    let judged = progress.history.filter { ($0.validationLoss ?? $0.trainLoss).isFinite }
    best = judged.min { ($0.validationLoss ?? $0.trainLoss) < ($1.validationLoss ?? $1.trainLoss) }
      .map(EpochFigures.init)
    data = checkpoint.data
    validationData = checkpoint.validationData
    elapsedSeconds = progress.elapsedSeconds
    bpkitVersion = checkpoint.bpkitVersion
    createdAt = checkpoint.createdAt
  }

  enum CodingKeys: String, CodingKey {
    case loss, epoch, seed, last, best, data
    case batchSize = "batch_size"
    case plannedEpochs = "planned_epochs"
    case stepInEpoch = "step_in_epoch"
    case validationData = "validation_data"
    case validationSplit = "validation_split"
    case validationSplitSeed = "validation_split_seed"
    case validationHeldOut = "validation_held_out"
    case earlyStopping = "early_stopping"
    case earlyStoppingState = "early_stopping_state"
    case reduceLearningRateOnPlateau = "reduce_lr_on_plateau"
    case reduceLearningRateOnPlateauState = "reduce_lr_on_plateau_state"
    case classWeights = "class_weights"
    case probabilityClip = "probability_clip"
    case elapsedSeconds = "elapsed_seconds"
    case bpkitVersion = "bpkit_version"
    case createdAt = "created_at"
  }

  private enum FingerprintKeys: String, CodingKey {
    case sha256, path, inputs, targets
    case sampleCount = "sample_count"
    case sampleWeights = "sample_weights"
  }

  /// Encodes the summary as `bpkit inspect --json` prints it.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(loss, forKey: .loss)
    try container.encode(batchSize, forKey: .batchSize)
    try container.encode(epoch, forKey: .epoch)
    try container.encode(plannedEpochs, forKey: .plannedEpochs)
    try container.encode(stepInEpoch, forKey: .stepInEpoch)
    try container.encode(seed, forKey: .seed)
    try container.encode(validationSplit, forKey: .validationSplit)
    try container.encode(validationSplitSeed, forKey: .validationSplitSeed)
    try container.encode(validationHeldOut, forKey: .validationHeldOut)
    try container.encode(earlyStopping, forKey: .earlyStopping)
    try container.encode(earlyStoppingState, forKey: .earlyStoppingState)
    try container.encode(reduceLearningRateOnPlateau, forKey: .reduceLearningRateOnPlateau)
    try container.encode(reduceLearningRateOnPlateauState, forKey: .reduceLearningRateOnPlateauState)
    try container.encode(classWeights, forKey: .classWeights)
    try container.encode(probabilityClip, forKey: .probabilityClip)
    try container.encode(last, forKey: .last)
    try container.encode(best, forKey: .best)
    for (fingerprint, key) in [(data, CodingKeys.data), (validationData, .validationData)] {
      guard let fingerprint else {
        try container.encodeNil(forKey: key)
        continue
      }
      var nested = container.nestedContainer(keyedBy: FingerprintKeys.self, forKey: key)
      try nested.encode(fingerprint.sha256, forKey: .sha256)
      try nested.encode(fingerprint.path, forKey: .path)
      try nested.encode(fingerprint.sampleCount, forKey: .sampleCount)
      try nested.encode(fingerprint.inputs, forKey: .inputs)
      try nested.encode(fingerprint.targets, forKey: .targets)
      try nested.encodeIfPresent(fingerprint.sampleWeights, forKey: .sampleWeights)
    }
    try container.encode(elapsedSeconds, forKey: .elapsedSeconds)
    try container.encode(bpkitVersion, forKey: .bpkitVersion)
    try container.encode(RFC3339.string(from: createdAt), forKey: .createdAt)
  }
}
