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
  /// Early stopping's watch (see ``TrainingConfiguration/earlyStopping``).
  public var earlyStopping = EarlyStopping.State()
  /// Reduce-on-plateau's watch (see ``TrainingConfiguration/reduceLearningRateOnPlateau``).
  public var plateau = ReduceLearningRateOnPlateau.State()

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
