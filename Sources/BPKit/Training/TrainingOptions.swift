/// Everything a training run is started or resumed from: the options of
/// `bpkit train`, as values an app fills in.
///
/// Leave a value `nil` to take its default, or on resume the checkpoint's.
/// A resume refuses changes that would break the run (the loss, the
/// optimizer, its momentum, the seed, the validation split, the
/// standardization) and notes the changes it accepts in the run's history.
/// Options that mean nothing for the run (momentum for Adam, a batch size for
/// full-batch iRPROP−, truncated BPTT without a recurrent layer) are refused
/// with ``BPKitError/Code/invalidSetting`` rather than ignored.
public struct TrainingOptions: Sendable {
  /// Where a run starts from: exactly one of ``layers``, ``model`` and ``resume``.
  public struct Start: Sendable {
    /// The network, as a layer list such as `"64,32:relu,10:softmax"`.
    public var layers: String?
    /// A model file to start from: bpkit HDF5 or JSON, or Keras. The loss and
    /// optimizer state of a Keras file or bpkit checkpoint are continued; one
    /// bpkit cannot take must be chosen in ``Schedule``.
    public var model: String?
    /// A checkpoint whose run to resume.
    public var resume: String?
    /// Whether a resumed run may train on data that differs from the checkpoint's.
    public var allowDataChange: Bool
    /// Layers to freeze (Keras' `trainable=False`), by name, besides those the
    /// model file already froze; on resume, the run's frozen layers or `nil`.
    public var freeze: [String]?
    /// The precision a new run trains and stores its weights in: `nil` for
    /// the model file's (float32 for a layer list). A float32 model file is
    /// widened exactly to float64; a float64 one is never narrowed here (that
    /// is `bpkit convert --dtype float32`'s explicit rounding). A resumed run
    /// keeps its checkpoint's dtype and refuses another.
    public var dtype: DType?

    /// Creates a start from one of a layer list, a model file or a checkpoint.
    public init(
      layers: String? = nil, model: String? = nil, resume: String? = nil, allowDataChange: Bool = false,
      freeze: [String]? = nil, dtype: DType? = nil
    ) {
      self.layers = layers
      self.model = model
      self.resume = resume
      self.allowDataChange = allowDataChange
      self.freeze = freeze
      self.dtype = dtype
    }
  }

  /// The data a run trains and validates on.
  public struct DataSelection: Sendable {
    /// The training data: an HDF5 or CSV file (on resume, `nil` for the checkpoint's).
    public var data: String?
    /// The CSV target column, or the HDF5 targets dataset for both training
    /// and validation data (default: `label`).
    public var target: String?
    /// The HDF5 inputs dataset (default: `/train/x`).
    public var x: String?
    /// The HDF5 targets dataset (default: `/train/y`).
    public var y: String?
    /// The fraction of the data held out for validation: its last samples,
    /// or with ``validationSplitSeed`` samples drawn at random.
    public var validationSplit: Double?
    /// The seed that draws the samples ``validationSplit`` holds out (see
    /// ``ValidationSplit``); `nil` holds out the last samples. On resume,
    /// `nil` for the checkpoint's.
    public var validationSplitSeed: UInt64?
    /// Validation data in its own file, read like ``data``.
    public var validation: String?
    /// The HDF5 validation inputs dataset (default: `/test/x`).
    public var validationX: String?
    /// The HDF5 validation targets dataset (default: `/test/y`).
    public var validationY: String?
    /// Whether to scale each input feature by the training data's mean and
    /// standard deviation, stored in the model as a standardize layer.
    public var standardize: Bool
    /// Whether to stream HDF5 data from disk in blocks; data larger than
    /// ``TrainingPlan/streamingThreshold`` is streamed anyway.
    public var stream: Bool
    /// The CSV column or HDF5 dataset of the training data holding one weight
    /// per sample (Keras' `sample_weight`): each sample's loss is weighed by
    /// it, a validation split's too; `nil` for none (on resume, the checkpoint's).
    public var sampleWeight: String?

    /// Creates a data selection.
    public init(
      data: String? = nil, target: String? = nil, x: String? = nil, y: String? = nil, validationSplit: Double? = nil,
      validation: String? = nil, validationX: String? = nil, validationY: String? = nil, standardize: Bool = false,
      stream: Bool = false, validationSplitSeed: UInt64? = nil, sampleWeight: String? = nil
    ) {
      self.sampleWeight = sampleWeight
      self.data = data
      self.target = target
      self.x = x
      self.y = y
      self.validationSplit = validationSplit
      self.validationSplitSeed = validationSplitSeed
      self.validation = validation
      self.validationX = validationX
      self.validationY = validationY
      self.standardize = standardize
      self.stream = stream
    }
  }

  /// How a run trains.
  public struct Schedule: Sendable {
    /// The total number of epochs (on resume, the new total; default 30).
    public var epochs: Int?
    /// Samples per update (default 32).
    public var batchSize: Int?
    /// The loss (default: from the output activation, see ``TrainingPlan/defaultLoss(for:)``).
    public var loss: Loss?
    /// The optimizer (default Adam, or a Keras model's compiled one).
    public var optimizer: OptimizerKind?
    /// The learning rate (default: Keras' for the optimizer).
    public var learningRate: Double?
    /// The momentum of momentum, Nesterov and RMSprop.
    public var momentum: Double?
    /// The seed of weight initialisation and shuffling (default 1).
    public var seed: UInt64?
    /// Truncates backpropagation through time to this many steps.
    public var bpttSteps: Int?
    /// Whether to visit the samples in file order every epoch.
    public var noShuffle: Bool
    /// Decoupled weight decay (default 0.004 for AdamW, else none); see ``OptimizerConfiguration/weightDecay``.
    public var weightDecay: Double?
    /// AMSGrad for Adam and AdamW.
    public var amsgrad: Bool?
    /// Centred RMSprop.
    public var centered: Bool?
    /// Adagrad's initial accumulator value (default 0.1).
    public var initialAccumulatorValue: Double?
    /// Per-tensor gradient norm clipping (Keras' `clipnorm`).
    public var clipNorm: Double?
    /// Per-element gradient clipping (Keras' `clipvalue`).
    public var clipValue: Double?
    /// Global gradient norm clipping (Keras' `global_clipnorm`).
    public var globalClipNorm: Double?
    /// A learning-rate schedule as `bpkit train --lr-schedule` reads it (see
    /// ``LearningRateSchedule/init(specification:learningRate:)``); its
    /// initial rate defaults to ``learningRate`` or the optimizer's.
    public var learningRateSchedule: String?
    /// Stops the run once a figure stops improving (Keras' `EarlyStopping`).
    public var earlyStopping: EarlyStopping?
    /// Reduces the learning rate once a figure stops improving (Keras' `ReduceLROnPlateau`).
    public var reduceLearningRateOnPlateau: ReduceLearningRateOnPlateau?
    /// Weighs each class's samples in the training loss (Keras' `class_weight`).
    public var classWeight: ClassWeighting?
    /// Keras' probability clip of a cross-entropy on probabilities
    /// (`--clip-probabilities`), or `nil` to keep the run's: none for a new
    /// run, the rule of the Keras backend that saved a `--model` file (see
    /// ``TrainingPlan``), a checkpoint's own.
    public var probabilityClip: ProbabilityClip?

    /// Creates a schedule.
    public init(
      epochs: Int? = nil, batchSize: Int? = nil, loss: Loss? = nil, optimizer: OptimizerKind? = nil,
      learningRate: Double? = nil, momentum: Double? = nil, seed: UInt64? = nil, bpttSteps: Int? = nil,
      noShuffle: Bool = false, weightDecay: Double? = nil, amsgrad: Bool? = nil, centered: Bool? = nil,
      initialAccumulatorValue: Double? = nil, clipNorm: Double? = nil, clipValue: Double? = nil,
      globalClipNorm: Double? = nil, learningRateSchedule: String? = nil, earlyStopping: EarlyStopping? = nil,
      reduceLearningRateOnPlateau: ReduceLearningRateOnPlateau? = nil, classWeight: ClassWeighting? = nil,
      probabilityClip: ProbabilityClip? = nil
    ) {
      self.probabilityClip = probabilityClip
      self.classWeight = classWeight
      self.earlyStopping = earlyStopping
      self.reduceLearningRateOnPlateau = reduceLearningRateOnPlateau
      self.epochs = epochs
      self.batchSize = batchSize
      self.loss = loss
      self.optimizer = optimizer
      self.learningRate = learningRate
      self.momentum = momentum
      self.seed = seed
      self.bpttSteps = bpttSteps
      self.noShuffle = noShuffle
      self.weightDecay = weightDecay
      self.amsgrad = amsgrad
      self.centered = centered
      self.initialAccumulatorValue = initialAccumulatorValue
      self.clipNorm = clipNorm
      self.clipValue = clipValue
      self.globalClipNorm = globalClipNorm
      self.learningRateSchedule = learningRateSchedule
    }

    /// The optimizer settings given, by their Keras names, each with a way to set it.
    var optimizerSettings: [(name: String, given: Bool, set: (inout OptimizerConfiguration) -> Void)] {
      [
        ("learning_rate", learningRate != nil, { c in learningRate.map { c.learningRate = $0 } }),
        ("momentum", momentum != nil, { c in momentum.map { c.momentum = $0 } }),
        ("weight_decay", weightDecay != nil, { c in weightDecay.map { c.weightDecay = $0 } }),
        ("amsgrad", amsgrad != nil, { c in amsgrad.map { c.amsgrad = $0 } }),
        ("centered", centered != nil, { c in centered.map { c.centered = $0 } }),
        (
          "initial_accumulator_value", initialAccumulatorValue != nil,
          { c in initialAccumulatorValue.map { c.initialAccumulatorValue = $0 } }
        ),
        ("clipnorm", clipNorm != nil, { c in clipNorm.map { c.clipNorm = $0 } }),
        ("clipvalue", clipValue != nil, { c in clipValue.map { c.clipValue = $0 } }),
        ("global_clipnorm", globalClipNorm != nil, { c in globalClipNorm.map { c.globalClipNorm = $0 } }),
      ]
    }

    /// `configuration` with every optimizer setting given here in place of its
    /// own, and the learning-rate schedule given here, starting at the rate
    /// given or `configuration`'s.
    ///
    /// - Throws: ``TrainingError/invalidSetting(_:)`` when the schedule does not
    ///   read, or when a learning rate is given for a schedule that already holds one.
    func applyingOptimizerSettings(to configuration: OptimizerConfiguration) throws(TrainingError)
      -> OptimizerConfiguration
    {
      var result = configuration
      for setting in optimizerSettings { setting.set(&result) }
      if let specification = learningRateSchedule {
        do {
          result.schedule = try LearningRateSchedule.parse(
            specification: specification, learningRate: result.learningRate)
        } catch {
          throw .invalidSetting(error.description)
        }
        if learningRate != nil, specification.contains("initial_learning_rate") || result.schedule!.ignoresInitialRate {
          throw .invalidSetting(
            "--lr and the schedule both give the first learning rate; give it once (the schedule's "
              + (result.schedule!.ignoresInitialRate ? "values" : "initial_learning_rate") + " or --lr)")
        }
      } else if learningRate != nil, let schedule = configuration.schedule {
        throw .invalidSetting(
          "the learning rate follows the schedule \(schedule.summary); replace it with --lr-schedule, or drop --lr")
      }
      return result
    }
  }

  /// Where and when a run writes checkpoints.
  public struct Output: Sendable {
    /// Where checkpoints are written (default `run.ckpt.h5`; on resume, the resumed file).
    public var checkpoint: String?
    /// Writes a checkpoint every this many epochs.
    public var checkpointEvery: Int
    /// Also writes a checkpoint every this many steps.
    public var checkpointEverySteps: Int?
    /// Keeps this many recent checkpoints, older ones as `NAME.1.h5`, `NAME.2.h5`, ...
    public var keep: Int
    /// Whether to also write the best epoch's checkpoint (lowest validation
    /// loss, else training loss) to `NAME.best.h5`.
    public var saveBest: Bool
    /// Trains at most this many steps in one call to ``TrainingRun/run(control:observe:)``,
    /// then writes a checkpoint and returns.
    public var stopAfterSteps: Int?
    /// Whether a new run may replace an existing checkpoint file; without it
    /// the run refuses with ``BPKitError``. A resumed run writes
    /// its own checkpoint without it.
    public var overwrite: Bool

    /// Creates an output policy.
    public init(
      checkpoint: String? = nil, checkpointEvery: Int = 1, checkpointEverySteps: Int? = nil, keep: Int = 1,
      saveBest: Bool = false, stopAfterSteps: Int? = nil, overwrite: Bool = false
    ) {
      self.overwrite = overwrite
      self.checkpoint = checkpoint
      self.checkpointEvery = checkpointEvery
      self.checkpointEverySteps = checkpointEverySteps
      self.keep = keep
      self.saveBest = saveBest
      self.stopAfterSteps = stopAfterSteps
    }
  }

  /// Where the run starts from.
  public var start: Start
  /// The data it trains and validates on.
  public var data: DataSelection
  /// How it trains.
  public var schedule: Schedule
  /// Where and when it writes checkpoints.
  public var output: Output

  /// Creates the options of a run.
  public init(
    start: Start, data: DataSelection = DataSelection(), schedule: Schedule = Schedule(), output: Output = Output()
  ) {
    self.start = start
    self.data = data
    self.schedule = schedule
    self.output = output
  }

}
