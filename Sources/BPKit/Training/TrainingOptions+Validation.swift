extension TrainingOptions {
  /// The options a run is given, each by the name `bpkit train` spells it
  /// (`batch-size` for `--batch-size`): what ``validate(naming:)`` names.
  public enum Setting: String, Sendable, CaseIterable {
    /// ``Start/layers``.
    case layers
    /// ``Start/model``.
    case model
    /// ``Start/resume``.
    case resume
    /// ``DataSelection/data``.
    case data
    /// ``DataSelection/validationSplit``.
    case validationSplit = "validation-split"
    /// ``DataSelection/validationSplitSeed``.
    case splitSeed = "split-seed"
    /// ``DataSelection/validation``.
    case validation
    /// ``Schedule/epochs``.
    case epochs
    /// ``Schedule/batchSize``.
    case batchSize = "batch-size"
    /// ``Schedule/learningRate``.
    case learningRate = "lr"
    /// ``Schedule/momentum``.
    case momentum
    /// ``Schedule/bpttSteps``.
    case bpttSteps = "bptt-steps"
    /// ``Schedule/weightDecay``.
    case weightDecay = "weight-decay"
    /// ``Schedule/initialAccumulatorValue``.
    case initialAccumulatorValue = "initial-accumulator-value"
    /// ``Schedule/clipNorm``.
    case clipNorm = "clipnorm"
    /// ``Schedule/clipValue``.
    case clipValue = "clipvalue"
    /// ``Schedule/globalClipNorm``.
    case globalClipNorm = "global-clipnorm"
    /// ``Output/keep``.
    case keep
    /// ``Output/stopAfterSteps``.
    case stopAfterSteps = "stop-after-steps"
    /// ``Output/checkpointEvery``.
    case checkpointEvery = "checkpoint-every"
    /// ``Output/checkpointEverySteps``.
    case checkpointEverySteps = "checkpoint-every-steps"

    /// The setting in words, as ``validate()`` names it: "the batch size".
    public var phrase: String {
      switch self {
      case .layers, .model, .resume: rawValue
      case .data: "training data"
      case .validationSplit: "a validation split"
      case .splitSeed: "a split seed"
      case .validation: "validation data"
      case .epochs: "the epochs"
      case .batchSize: "the batch size"
      case .learningRate: "the learning rate"
      case .momentum: "the momentum"
      case .bpttSteps: "the BPTT steps"
      case .weightDecay: "the weight decay"
      case .initialAccumulatorValue: "the initial accumulator value"
      case .clipNorm: "clipnorm"
      case .clipValue: "clipvalue"
      case .globalClipNorm: "global clipnorm"
      case .keep: "the checkpoints kept"
      case .stopAfterSteps: "stop after steps"
      case .checkpointEvery: "checkpoint every (epochs)"
      case .checkpointEverySteps: "checkpoint every (steps)"
      }
    }
  }

  /// The most epochs a run may have: a checkpoint's epoch numbers stay
  /// within the domain every reader checks (Schemas/FORMAT.md).
  public static let maximumEpochs = Int(Int32.max)
  /// The largest batch size and truncated-BPTT length a run may have.
  public static let maximumBatchSize = 1 << 24

  /// Refuses options that cannot describe a run, naming the setting in words.
  ///
  /// - Throws: ``BPKitError/Code/invalidSetting``.
  public func validate() throws(BPKitError) {
    try validate(naming: \.phrase)
  }

  /// Refuses options that cannot describe a run, naming each setting as
  /// `name` spells it; `bpkit train` names its flags (`--batch-size`).
  ///
  /// - Parameter name: How a message names a setting.
  /// - Throws: ``BPKitError/Code/invalidSetting``.
  public func validate(naming name: (Setting) -> String) throws(BPKitError) {
    do {
      try check(naming: name)
    } catch {
      throw BPKitError(error)
    }
  }

  private func check(naming name: (Setting) -> String) throws(TrainingError) {
    func refuse(_ message: String) -> TrainingError { .invalidSetting(message) }
    func limit(_ value: Int?, _ setting: Setting, max: Int) throws(TrainingError) {
      guard let value else { return }
      if value < 1 { throw refuse("\(name(setting)) must be at least 1") }
      if value > max { throw refuse("\(name(setting)) must be at most \(max)") }
    }
    let sources = [start.layers != nil, start.model != nil, start.resume != nil].filter { $0 }.count
    guard sources == 1 else {
      throw refuse("give exactly one of \(name(.layers)), \(name(.model)) or \(name(.resume)) to start from")
    }
    if start.resume == nil && data.data == nil { throw refuse("\(name(.data)) is required to start a run") }
    if let split = data.validationSplit, !(0..<1).contains(split) {
      throw refuse("\(name(.validationSplit)) must be in [0, 1), not \(split)")
    }
    if data.validationSplit != nil && data.validation != nil {
      throw refuse("give either \(name(.validationSplit)) or \(name(.validation)), not both")
    }
    if data.validationSplitSeed != nil, start.resume == nil, (data.validationSplit ?? 0) == 0 {
      throw refuse(
        "\(name(.splitSeed)) draws the samples \(name(.validationSplit)) holds out; give \(name(.validationSplit)) "
          + "above 0 with it")
    }
    try limit(schedule.epochs, .epochs, max: Self.maximumEpochs)
    try limit(schedule.batchSize, .batchSize, max: Self.maximumBatchSize)
    if let rate = schedule.learningRate, !(rate > 0 && rate.isFinite) {
      throw refuse("\(name(.learningRate)) must be a positive number, not \(rate)")
    }
    if let momentum = schedule.momentum, !(0...1).contains(momentum) {
      throw refuse("\(name(.momentum)) must be in [0, 1], not \(momentum)")
    }
    try limit(schedule.bpttSteps, .bpttSteps, max: Self.maximumBatchSize)
    let clipping: [(Setting, Double?)] = [
      (.clipNorm, schedule.clipNorm), (.clipValue, schedule.clipValue), (.globalClipNorm, schedule.globalClipNorm),
    ]
    for (setting, value) in [
      (Setting.weightDecay, schedule.weightDecay), (.initialAccumulatorValue, schedule.initialAccumulatorValue),
    ] + clipping {
      if let value, !(value >= 0 && value.isFinite) {
        throw refuse("\(name(setting)) must be a number >= 0, not \(value)")
      }
    }
    // 0 turns a clipping off, as in a Keras file.
    if clipping.compactMap(\.1).filter({ $0 != 0 }).count > 1 {
      throw refuse(
        "give only one of \(name(.clipNorm)), \(name(.clipValue)) and \(name(.globalClipNorm)), as Keras allows one")
    }
    try limit(output.keep, .keep, max: .max)
    try limit(output.stopAfterSteps, .stopAfterSteps, max: .max)
    try limit(output.checkpointEvery, .checkpointEvery, max: .max)
    try limit(output.checkpointEverySteps, .checkpointEverySteps, max: .max)
  }
}
