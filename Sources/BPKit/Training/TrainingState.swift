import Foundation

/// The state of bpkit's random number generator (xoshiro256**): four words.
public struct RandomState: Codable, Hashable, Sendable {
  /// The generator's four state words.
  public var words: [UInt64]

  /// Creates a state from its words.
  public init(words: [UInt64]) {
    self.words = words
  }
}

/// How a run trains: what the user asked for, stored so a resume continues the same way.
public struct TrainingConfiguration: Codable, Hashable, Sendable {
  /// The loss minimised.
  public var loss: Loss
  /// Samples per update; 1 is online (per-pattern) learning.
  public var batchSize: Int
  /// The total number of epochs the run aims for.
  public var epochs: Int
  /// The seed that initialised weights and shuffling.
  public var seed: UInt64
  /// Whether each epoch visits samples in a new random order.
  public var shuffle: Bool
  /// Truncated backpropagation through time: the number of steps gradients
  /// flow back, or `nil` for the full sequence.
  public var bpttSteps: Int?
  /// The fraction of the data held out for validation (0 for none).
  public var validationSplit: Double

  /// Creates a configuration.
  public init(
    loss: Loss, batchSize: Int = 32, epochs: Int = 30, seed: UInt64 = 1, shuffle: Bool = true,
    bpttSteps: Int? = nil, validationSplit: Double = 0
  ) {
    self.loss = loss
    self.batchSize = batchSize
    self.epochs = epochs
    self.seed = seed
    self.shuffle = shuffle
    self.bpttSteps = bpttSteps
    self.validationSplit = validationSplit
  }
}

/// What happened in one epoch.
public struct EpochRecord: Codable, Hashable, Sendable {
  /// The epoch's number, from 1.
  public var epoch: Int
  /// The mean training loss over the epoch.
  public var trainLoss: Double
  /// The training accuracy, for classifiers.
  public var trainAccuracy: Double?
  /// The loss on the validation data, when there is any.
  public var validationLoss: Double?
  /// The accuracy on the validation data, for classifiers.
  public var validationAccuracy: Double?
  /// The learning rate in effect.
  public var learningRate: Double
  /// Wall-clock seconds the epoch took.
  public var seconds: Double
  /// Changes made at this epoch, such as a hyperparameter changed on resume.
  public var notes: [String]

  /// Creates a record.
  public init(
    epoch: Int, trainLoss: Double, trainAccuracy: Double? = nil, validationLoss: Double? = nil,
    validationAccuracy: Double? = nil, learningRate: Double, seconds: Double, notes: [String] = []
  ) {
    self.epoch = epoch
    self.trainLoss = trainLoss
    self.trainAccuracy = trainAccuracy
    self.validationLoss = validationLoss
    self.validationAccuracy = validationAccuracy
    self.learningRate = learningRate
    self.seconds = seconds
    self.notes = notes
  }
}

/// Identifies the data a run trained on, so a resume can refuse other data.
public struct DataFingerprint: Codable, Hashable, Sendable {
  /// The SHA-256 of the training data's bytes, in hexadecimal.
  public var sha256: String
  /// The path the data was read from.
  public var path: String
  /// The number of training samples.
  public var sampleCount: Int
  /// Which part of the file holds the inputs: an HDF5 dataset path, or `nil` for CSV.
  public var inputs: String?
  /// Which part holds the targets: an HDF5 dataset path, or a CSV column name.
  public var targets: String?

  /// Creates a fingerprint.
  public init(sha256: String, path: String, sampleCount: Int, inputs: String? = nil, targets: String? = nil) {
    self.sha256 = sha256
    self.path = path
    self.sampleCount = sampleCount
    self.inputs = inputs
    self.targets = targets
  }
}

/// Where a run is: enough to continue it bit for bit.
public struct TrainingProgress: Hashable, Sendable {
  /// The number of epochs completed.
  public var epoch: Int
  /// The number of batches completed in the current epoch.
  public var stepInEpoch: Int
  /// The order in which the current epoch visits the samples.
  public var order: [Int]
  /// The position in `order` of the next sample.
  public var cursor: Int
  /// The random generator's state.
  public var random: RandomState
  /// One record per completed epoch.
  public var history: [EpochRecord]
  /// The running sum of the current epoch's batch losses and its sample
  /// count, so the epoch's mean loss is exact after a resume.
  public var epochLossSum: Double
  /// The samples that have contributed to `epochLossSum`.
  public var epochSamples: Int
  /// The number of correct predictions counted this epoch (classifiers).
  public var epochCorrect: Int
  /// The number of predictions judged this epoch (0 for regression).
  public var epochJudged: Int
  /// Seconds of training so far, across every resume.
  public var elapsedSeconds: Double

  /// Creates a progress record.
  public init(
    epoch: Int = 0, stepInEpoch: Int = 0, order: [Int] = [], cursor: Int = 0, random: RandomState,
    history: [EpochRecord] = [], epochLossSum: Double = 0, epochSamples: Int = 0, epochCorrect: Int = 0,
    epochJudged: Int = 0, elapsedSeconds: Double = 0
  ) {
    self.epoch = epoch
    self.stepInEpoch = stepInEpoch
    self.order = order
    self.cursor = cursor
    self.random = random
    self.history = history
    self.epochLossSum = epochLossSum
    self.epochSamples = epochSamples
    self.epochCorrect = epochCorrect
    self.epochJudged = epochJudged
    self.elapsedSeconds = elapsedSeconds
  }
}

/// A training checkpoint: the model and everything needed to continue training exactly.
public struct Checkpoint: Hashable, Sendable {
  /// The network and its current weights.
  public var model: Model
  /// The optimizer's configuration, step count and slots.
  public var optimizer: OptimizerState
  /// How the run trains.
  public var configuration: TrainingConfiguration
  /// Where the run is.
  public var progress: TrainingProgress
  /// The training data's fingerprint, when the data came from a file.
  public var data: DataFingerprint?
  /// The validation data's fingerprint, when validation data came from its own file.
  public var validationData: DataFingerprint?
  /// The bpkit version that wrote the checkpoint.
  public var bpkitVersion: String
  /// When the checkpoint was written.
  public var createdAt: Date

  /// Creates a checkpoint.
  public init(
    model: Model, optimizer: OptimizerState, configuration: TrainingConfiguration, progress: TrainingProgress,
    data: DataFingerprint? = nil, validationData: DataFingerprint? = nil, bpkitVersion: String = BPKitVersion.current,
    createdAt: Date = Date()
  ) {
    self.model = model
    self.optimizer = optimizer
    self.configuration = configuration
    self.progress = progress
    self.data = data
    self.validationData = validationData
    self.bpkitVersion = bpkitVersion
    self.createdAt = createdAt
  }
}
