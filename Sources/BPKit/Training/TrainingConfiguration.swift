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
  /// The seed of a shuffled validation split (see ``ValidationSplit``);
  /// `nil` holds out the data's last samples.
  public var validationSplitSeed: UInt64?
  /// The rows a seeded validation split holds out of the training data
  /// file, ascending, as drawn when the run started; `nil` without a seed.
  /// A resumed run validates on exactly these rows.
  public var validationRows: [Int]?
  /// Stops the run once a figure stops improving (Keras' `EarlyStopping`), or `nil`.
  public var earlyStopping: EarlyStopping?
  /// Reduces the learning rate once a figure stops improving (Keras' `ReduceLROnPlateau`), or `nil`.
  public var reduceLearningRateOnPlateau: ReduceLearningRateOnPlateau?
  /// The weight of each class's samples in the training loss, by class
  /// index (two for a one-unit sigmoid output), or `nil` for none: Keras'
  /// `class_weight`, resolved when the run starts (see ``ClassWeighting``)
  /// and kept for a resume (format 1.5).
  public var classWeights: [Double]?
  /// Keras' probability clip ε of a cross-entropy on probabilities (see
  /// ``ProbabilityClip``), or `nil` for bpkit's unclipped fused loss; kept
  /// for a resume (format 1.7).
  public var probabilityClip: Double?

  /// Creates a configuration.
  public init(
    loss: Loss, batchSize: Int = 32, epochs: Int = 30, seed: UInt64 = 1, shuffle: Bool = true,
    bpttSteps: Int? = nil, validationSplit: Double = 0, validationSplitSeed: UInt64? = nil,
    validationRows: [Int]? = nil, earlyStopping: EarlyStopping? = nil,
    reduceLearningRateOnPlateau: ReduceLearningRateOnPlateau? = nil, classWeights: [Double]? = nil,
    probabilityClip: Double? = nil
  ) {
    self.probabilityClip = probabilityClip
    self.classWeights = classWeights
    self.earlyStopping = earlyStopping
    self.reduceLearningRateOnPlateau = reduceLearningRateOnPlateau
    self.loss = loss
    self.batchSize = batchSize
    self.epochs = epochs
    self.seed = seed
    self.shuffle = shuffle
    self.bpttSteps = bpttSteps
    self.validationSplit = validationSplit
    self.validationSplitSeed = validationSplitSeed
    self.validationRows = validationRows
  }
}
