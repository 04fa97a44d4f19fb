import Foundation
import HDF5

/// A run ready to train: its starting checkpoint and its data, resolved from
/// ``TrainingOptions``.
///
/// It decides what a resume may change, fingerprints the data, continues a
/// Keras model's compiled loss and optimizer, picks the default loss and
/// checkpoint path, and streams data above ``streamingThreshold``.
public struct TrainingPlan {
  /// The checkpoint the run starts from (a new run is one at epoch 0).
  public var checkpoint: Checkpoint
  /// The training samples.
  public var training: TrainingData
  /// The validation samples, if any.
  public var validation: TrainingData?
  /// Changes made on resume, to note in the history.
  public var notes: [String] = []
  /// What the run cannot take as the files give it, or data that looks
  /// wrong for how it is used, for the caller to show before training: the
  /// settings a Keras file holds that bpkit drops, a validation split that
  /// holds out other classes than it trains on.
  public var warnings: [String] = []
  /// The learning rate to switch to on resume.
  public var learningRate: Double?
  /// Where checkpoints are written.
  public var checkpointPath: String
  /// The checkpoint a resumed run started from; `nil` for a new run.
  public var resumedFrom: String?

  /// Resolves options into a run: reads the checkpoint or builds the model,
  /// and reads (or opens for streaming) and fingerprints the data.
  ///
  /// - Throws: ``BPKitError`` for options the run cannot take; the errors
  ///   of the model, checkpoint and data readers for files they refuse.
  public init(_ options: TrainingOptions) throws(BPKitError) {
    do {
      try options.validate()
      try self.init(start: options.start, data: options.data, schedule: options.schedule, output: options.output)

    } catch {
      throw BPKitError(error)
    }
  }

  private init(
    start: TrainingOptions.Start, data: TrainingOptions.DataSelection, schedule: TrainingOptions.Schedule,
    output: TrainingOptions.Output
  ) throws {
    if let resume = start.resume {
      var checkpoint = try Checkpoint(contentsOf: URL(fileURLWithPath: resume))
      // A path from the checkpoint is opened only once it is confirmed to be
      // the file the run trained on; the user's own --data is taken as given.
      let dataPath = try data.data ?? checkpoint.data?.confirmedStoredPath(role: "training data")
      guard let dataPath else {
        throw TrainingError.invalidSetting("the checkpoint does not name its training data; give it with --data")
      }
      try Self.refuseDataChanges(data, against: checkpoint)
      try Self.refuseChanges(schedule, against: checkpoint)
      try Self.refuseFreezeChange(start.freeze, against: checkpoint.model.network)
      if let dtype = start.dtype, dtype != checkpoint.model.dtype {
        throw TrainingError.invalidSetting(
          "--dtype \(dtype): \(resume) is a \(checkpoint.model.dtype) run, and a resumed run keeps its dtype; drop "
            + "--dtype, or start a new run from it with --model \(resume) --dtype \(dtype)")
      }
      try Self.refuseMeaningless(
        schedule, network: checkpoint.model.network, optimizer: checkpoint.optimizer.configuration.kind)
      if let weights = data.sampleWeight, weights != checkpoint.data?.sampleWeights {
        throw TrainingError.invalidSetting(
          "the run's sample weights are "
            + (checkpoint.data?.sampleWeights.map { "read from '\($0)'" } ?? "none")
            + ", fixed when it started; they cannot change on resume. Drop --sample-weight")
      }
      let source = DataSource(
        path: dataPath, inputs: data.x ?? checkpoint.data?.inputs,
        targets: data.y ?? data.target
          ?? checkpoint.data?.targets, weights: checkpoint.data?.sampleWeights, dtype: checkpoint.model.dtype)
      let storedValidation =
        try data.validation == nil
        ? checkpoint.validationData?.confirmedStoredPath(role: "validation data") : nil
      let validationSource = (data.validation ?? storedValidation).map {
        DataSource(
          path: $0, inputs: data.validationX ?? checkpoint.validationData?.inputs,
          targets: data.validationY ?? data.target ?? checkpoint.validationData?.targets, isValidation: true,
          dtype: checkpoint.model.dtype)
      }
      let configuration = checkpoint.configuration
      let loaded = try Self.loadData(
        source, validation: validationSource,
        split: Split(
          fraction: configuration.validationSplit, seed: configuration.validationSplitSeed,
          rows: configuration.validationRows), stream: data.stream, classes: checkpoint.model.names.classes)
      try Self.requireSameNames(loaded.names, model: checkpoint.model, data: dataPath)
      let dataChanged = checkpoint.data.map { $0.sha256 != loaded.fingerprint.sha256 } ?? false
      if let stored = checkpoint.data, dataChanged {
        guard start.allowDataChange else {
          throw TrainingError.dataChanged(checkpoint: stored, now: loaded.fingerprint)
        }
        notes.append("training data changed: \(stored.path) (\(stored.sha256.prefix(12))) -> \(dataPath)")
      }
      if let seed = configuration.validationSplitSeed, let stored = configuration.validationRows,
        loaded.validationRows != stored
      {
        // The stored rows fit the data they were drawn from; only other data
        // (allowed above) or an edited checkpoint makes them not fit.
        guard dataChanged else {
          throw TrainingError.inputsDoNotFit(
            "the checkpoint's validation rows (\(stored.count), up to row \(stored.last ?? 0)) do not fit its "
              + "training data \(dataPath) of \(loaded.totalRows) samples, which a split of "
              + "\(configuration.validationSplit) holds out \(ValidationSplit.heldOutCount(of: loaded.totalRows, fraction: configuration.validationSplit)) of"
          )
        }
        notes.append(
          "validation rows drawn again with the split seed \(seed) from the \(loaded.totalRows) samples of the changed data"
        )
      }
      checkpoint.configuration.validationRows = loaded.validationRows
      if let epochs = schedule.epochs { checkpoint.configuration.epochs = epochs }
      if let size = schedule.batchSize, size != checkpoint.configuration.batchSize {
        notes.append("batch size changed from \(checkpoint.configuration.batchSize) to \(size)")
        checkpoint.configuration.batchSize = size
      }
      if schedule.noShuffle && checkpoint.configuration.shuffle {
        notes.append("shuffling turned off")
        checkpoint.configuration.shuffle = false
      }
      if let steps = schedule.bpttSteps, steps != checkpoint.configuration.bpttSteps {
        notes.append("truncated BPTT changed to \(steps) steps")
        checkpoint.configuration.bpttSteps = steps
      }
      if data.validation != nil, loaded.validationFingerprint?.sha256 != checkpoint.validationData?.sha256 {
        notes.append(
          "validation data changed: \(checkpoint.validationData?.path ?? "none") -> \(loaded.validationFingerprint?.path ?? "none")"
        )
      }
      if configuration.validationSplitSeed == nil,
        let warning = Self.splitClassWarning(
          training: loaded.training, validation: loaded.validation, loss: checkpoint.configuration.loss,
          names: checkpoint.model.names.classes)
      {
        warnings.append(warning)
      }
      learningRate = schedule.learningRate
      checkpoint.validationData = loaded.validationFingerprint
      self.checkpoint = checkpoint
      training = loaded.training
      validation = loaded.validation
      checkpointPath = output.checkpoint ?? resume
      resumedFrom = resume
      return
    }

    var random = Xoshiro256StarStar(seed: schedule.seed ?? 1)
    var model: Model
    var kerasState: (optimizer: OptimizerState?, loss: Loss?) = (nil, nil)
    var fileClip: FileProbabilityClip?
    if let layers = start.layers {
      let network = try NetworkDescription(layerSpecification: layers)
      try Self.refuseUnfilledStandardization(network, standardize: data.standardize)
      model = try Model(initializing: network, random: &random)
    } else {
      let path = start.model!
      let file = try BPKitFile.open(URL(fileURLWithPath: path))
      model = file.model
      // A Keras file carries the loss and optimizer it was compiled with, and
      // after a fit the optimizer's slots and step count, as a bpkit
      // checkpoint does: training continues from them unless the options say
      // otherwise, and never replaces what it cannot take with a default.
      switch file {
      case .keras(let keras):
        kerasState = (keras.optimizer, keras.loss)
        fileClip = keras.probabilityClip.map { .recorded($0.value) } ?? .unrecorded(backend: keras.backend)
        warnings += keras.warnings.map { "\(path): not kept: \($0)" }
        if let loss = keras.unsupportedLoss, schedule.loss == nil {
          throw TrainingError.invalidSetting(
            "\(path) was compiled with the Keras loss \(loss), which bpkit does not have; choose the loss with --loss")
        }
        if let reason = keras.unsupportedOptimizer, schedule.optimizer == nil {
          throw TrainingError.invalidSetting(
            "\(path) was compiled with an optimizer bpkit cannot continue (\(reason)); choose one with --optimizer")
        }
      case .checkpoint(let checkpoint):
        kerasState = (checkpoint.optimizer, checkpoint.configuration.loss)
        fileClip = .recorded(checkpoint.configuration.probabilityClip)
      case .model:
        break
      }
    }
    if let names = start.freeze {
      model.network = try Self.freezing(names, in: model.network)
      if let path = start.model, let state = kerasState.optimizer,
        let note = Self.droppedSlotsNote(state, frozen: names, file: path)
      {
        warnings.append(note)
      }
    }
    if let dtype = start.dtype, dtype != model.dtype {
      guard dtype == .float64 else {
        throw TrainingError.invalidSetting(
          "--dtype float32: \(start.model!) holds float64 weights, which training never rounds on its own; round them "
            + "explicitly with bpkit convert \(start.model!) NEW --dtype float32 and train from NEW")
      }
      model = model.converted(to: .float64)
    }
    // A clip that means nothing is refused before any data is read.
    if schedule.probabilityClip != nil {
      try Self.refuseMeaninglessClip(loss: schedule.loss ?? kerasState.loss ?? Self.defaultLoss(for: model.network))
    }
    if data.sampleWeight != nil && schedule.classWeight != nil {
      throw TrainingError.invalidSetting(
        "give either --class-weight or --sample-weight, not both, as Keras refuses class_weight with sample_weight; "
          + "fold the class weights into the sample weights")
    }
    let loaded = try Self.loadData(
      DataSource(
        path: data.data!, inputs: data.x, targets: data.y ?? data.target, weights: data.sampleWeight,
        dtype: model.dtype),
      validation: data.validation.map {
        DataSource(
          path: $0, inputs: data.validationX, targets: data.validationY ?? data.target, isValidation: true,
          dtype: model.dtype)
      }, split: Split(fraction: data.validationSplit ?? 0, seed: data.validationSplitSeed), stream: data.stream)
    try Self.requireSameNames(loaded.names, model: model, data: data.data!)
    // The model keeps the data's names: the CSV header and the text labels' classes.
    // Names for another number of features are left to the data's shape check, whose message says more.
    let features = loaded.names.features.flatMap { $0.count == model.network.input.features ? $0 : nil }
    model = try model.named(
      ModelNames(features: model.names.features ?? features, classes: model.names.classes ?? loaded.names.classes))
    if data.standardize {
      let statistics = try loaded.featureStatistics()
      model = try model.standardizing(mean: statistics.mean, std: statistics.std)
    }
    let loss = schedule.loss ?? kerasState.loss ?? Self.defaultLoss(for: model.network)
    var optimizer = OptimizerState(
      configuration: try schedule.applyingOptimizerSettings(
        to: OptimizerConfiguration(kind: schedule.optimizer ?? .adam, momentum: schedule.momentum)))
    if var state = kerasState.optimizer, schedule.optimizer == nil || schedule.optimizer == state.configuration.kind {
      state.configuration = try schedule.applyingOptimizerSettings(to: state.configuration)
      optimizer = state
    }
    // The slots follow the weights' precision (a float32 file's widened exactly).
    optimizer = optimizer.converted(to: model.dtype)
    try Self.refuseMeaningless(schedule, network: model.network, optimizer: optimizer.configuration.kind)
    if data.validationSplitSeed == nil,
      let warning = Self.splitClassWarning(
        training: loaded.training, validation: loaded.validation, loss: loss, names: model.names.classes)
    {
      warnings.append(warning)
    }
    let probabilityClip = try Self.probabilityClip(
      given: schedule.probabilityClip, loss: loss,
      file: fileClip.map { (start.model!, $0, kerasState.loss) }, warnings: &warnings)
    let configuration = TrainingConfiguration(
      loss: loss, batchSize: schedule.batchSize ?? 32, epochs: schedule.epochs ?? 30, seed: schedule.seed ?? 1,
      shuffle: !schedule.noShuffle, bpttSteps: schedule.bpttSteps, validationSplit: data.validationSplit ?? 0,
      validationSplitSeed: data.validationSplitSeed, validationRows: loaded.validationRows,
      earlyStopping: schedule.earlyStopping, reduceLearningRateOnPlateau: schedule.reduceLearningRateOnPlateau,
      classWeights: try schedule.classWeight.map {
        try Self.classWeights($0, training: loaded.training, network: model.network, loss: loss)
      }, probabilityClip: probabilityClip)
    try Self.refuseUnwatchable(configuration, optimizer: optimizer.configuration, validation: loaded.validation != nil)
    checkpoint = Checkpoint(
      model: model, optimizer: optimizer, configuration: configuration,
      progress: TrainingProgress(random: random.state), data: loaded.fingerprint,
      validationData: loaded.validationFingerprint)
    training = loaded.training
    validation = loaded.validation
    checkpointPath = output.checkpoint ?? Self.defaultCheckpointPath
  }

  /// Refuses data whose feature or class names differ from those a model already has.
  static func requireSameNames(_ names: ModelNames, model: Model, data: String) throws {
    if let have = model.names.features, let given = names.features, have != given {
      throw TrainingError.inputsDoNotFit(
        "\(data) has the columns \(given.joined(separator: ", ")), but the model's features are "
          + "\(have.joined(separator: ", ")); give data with the model's columns, in its order")
    }
    if let have = model.names.classes, let given = names.classes, have != given {
      throw TrainingError.targetsDoNotFit(
        "\(data) has the classes \(given.joined(separator: ", ")), but the model's are \(have.joined(separator: ", "))")
    }
  }

  /// Where a new run writes its checkpoints unless told otherwise.
  public static let defaultCheckpointPath = "run.ckpt.h5"

  /// Cross-entropy for softmax outputs, binary cross-entropy for sigmoid, MSE otherwise.
  public static func defaultLoss(for network: NetworkDescription) -> Loss {
    switch network.layers.last?.kind.activation {
    case .softmax: .categoricalCrossEntropy
    case .sigmoid: .binaryCrossEntropy
    default: .meanSquaredError
    }
  }

  private static func refuseChanges(_ schedule: TrainingOptions.Schedule, against checkpoint: Checkpoint) throws {
    if let loss = schedule.loss, loss != checkpoint.configuration.loss {
      throw TrainingError.invalidSetting(
        "the run trains with \(checkpoint.configuration.loss.rawValue); the loss cannot change on resume")
    }
    if let kind = schedule.optimizer, kind != checkpoint.optimizer.configuration.kind {
      throw TrainingError.invalidSetting(
        "the run uses the \(checkpoint.optimizer.configuration.kind.rawValue) optimizer; it cannot change on resume")
    }
    let stored = checkpoint.optimizer.configuration
    if let specification = schedule.learningRateSchedule {
      var changed = stored
      changed.schedule = try? LearningRateSchedule.parse(
        specification: specification, learningRate: schedule.learningRate ?? stored.learningRate)
      if changed.schedule == nil || changed.schedule != stored.schedule {
        throw TrainingError.invalidSetting(
          "the run's learning rate "
            + (stored.schedule.map { "follows the schedule \($0.summary)" } ?? "is constant")
            + "; the schedule cannot change on resume. Drop --lr-schedule")
      }
    } else if schedule.learningRate != nil, let stored = stored.schedule {
      throw TrainingError.invalidSetting(
        "the run's learning rate follows the schedule \(stored.summary); --lr cannot change it on resume. Drop --lr")
    }
    for setting in schedule.optimizerSettings where setting.given && setting.name != "learning_rate" {
      var changed = stored
      setting.set(&changed)
      if changed != stored {
        throw TrainingError.invalidSetting(
          setting.name == "momentum"
            ? "the momentum cannot change on resume" : "the optimizer's \(setting.name) cannot change on resume")
      }
    }
    for (flag, given, stored) in [
      (
        "--early-stopping", schedule.earlyStopping.map { AnyHashable($0) },
        checkpoint.configuration.earlyStopping.map { AnyHashable($0) }
      ),
      (
        "--reduce-lr-on-plateau", schedule.reduceLearningRateOnPlateau.map { AnyHashable($0) },
        checkpoint.configuration.reduceLearningRateOnPlateau.map { AnyHashable($0) }
      ),
    ] where given != nil && given != stored {
      throw TrainingError.invalidSetting(
        "the run's \(flag.dropFirst(2)) is fixed when it starts and kept in its checkpoint; it cannot change on resume. "
          + "Drop \(flag)")
    }
    if let weighting = schedule.classWeight {
      // Only the run's own weights, spelled out again, are accepted: "auto" was
      // resolved from the data when the run started.
      let stored = checkpoint.configuration.classWeights
      let same =
        if case .given = weighting, let stored {
          (try? weighting.weights(counts: [Int](repeating: 0, count: stored.count))) == stored
        } else { false }
      guard same else {
        throw TrainingError.invalidSetting(
          "the run's class weights are \(stored.map(ClassWeighting.summary) ?? "none"), fixed when it started and kept "
            + "in its checkpoint; they cannot change on resume. Drop --class-weight")
      }
    }
    try refuseProbabilityClipChange(
      schedule.probabilityClip, stored: checkpoint.configuration.probabilityClip, loss: checkpoint.configuration.loss)
    if let seed = schedule.seed, seed != checkpoint.configuration.seed {
      throw TrainingError.invalidSetting(
        "the run was seeded with \(checkpoint.configuration.seed); the seed cannot change on resume")
    }
  }

  /// A file of samples and where in it the inputs and targets are.
  struct DataSource {
    var path: String
    /// The HDF5 inputs dataset; `nil` for the default.
    var inputs: String?
    /// The HDF5 targets dataset or CSV target column; `nil` for the default.
    var targets: String?
    /// The sample weights' HDF5 dataset or CSV column, or `nil` for none.
    var weights: String? = nil
    var isValidation = false
    /// The precision the samples are read in: the model's.
    var dtype = DType.float32

    var isHDF5: Bool { HDF5Signature.isPresent(atPath: path) }

    /// The inputs dataset actually read (HDF5), or `nil` for CSV.
    var resolvedInputs: String? {
      isHDF5 ? inputs ?? (isValidation ? "/test/x" : Dataset.defaultInputPath) : nil
    }

    /// The targets dataset (HDF5) or column (CSV) actually read.
    var resolvedTargets: String {
      targets ?? (isHDF5 ? (isValidation ? "/test/y" : Dataset.defaultTargetPath) : "label")
    }

    /// Reads the samples; `classes` are the class names text labels stand for
    /// (the model's or the training data's), `nil` to take them from the file.
    func read(classes: [String]?) throws -> Dataset {
      var data: Dataset
      if isHDF5 {
        let reader = try HDF5SampleReader(
          path: path, inputs: resolvedInputs!, targets: resolvedTargets, weights: weights, dtype: dtype)
        data = try reader.read(rows: 0..<reader.sampleCount)
      } else {
        data = try Dataset.readCSV(
          path: path, targetColumns: [resolvedTargets] + (weights.map { [$0] } ?? []), classes: classes,
          dtype: dtype)
        if weights != nil, let both = data.targets {
          // The weight column was read beside the target column: [samples, 2].
          let count = data.sampleCount
          if let exact = data.float64Targets {
            var split = try Dataset(
              float64Inputs: data.float64Inputs!,
              targets: Tensor(shape: [count], scalars: (0..<count).map { exact.scalars[2 * $0] }), source: path)
            split.setSampleWeights(float64: (0..<count).map { exact.scalars[2 * $0 + 1] })
            split.names = data.names
            split.origin = data.origin
            data = split
          } else {
            data.targets = Tensor(shape: [count], scalars: (0..<count).map { both.scalars[2 * $0] })
            data.sampleWeights = (0..<count).map { both.scalars[2 * $0 + 1] }
          }
        }
      }
      try data.requireFinite(source: path)
      return data
    }

    /// The samples, in memory, or streamed when they are HDF5 and `stream`
    /// is set or their inputs exceed ``streamingThreshold``.
    func open(stream: Bool, classes: [String]?) throws -> TrainingData {
      if isHDF5 {
        let reader = try HDF5SampleReader(
          path: path, inputs: resolvedInputs!, targets: resolvedTargets, weights: weights, dtype: dtype)
        // Samples read in Float64 are held twice: exactly, and rounded to Float32.
        let bytes = reader.sampleCount * reader.sampleShape.reduce(dtype == .float64 ? 12 : 4, *)
        if stream || bytes > TrainingPlan.streamingThreshold {
          return .streamed(reader, rows: RowSet(0..<reader.sampleCount))
        }
      }
      return .inMemory(try read(classes: classes))
    }

    func fingerprint(sampleCount: Int) throws -> DataFingerprint {
      var fingerprint = try DataFingerprint.of(fileAt: path, sampleCount: sampleCount)
      fingerprint.inputs = resolvedInputs
      fingerprint.targets = resolvedTargets
      fingerprint.sampleWeights = weights
      return fingerprint
    }
  }

  /// Inputs larger than this many bytes are streamed from HDF5 rather than read into memory.
  public static let streamingThreshold = 256 << 20

  struct LoadedData {
    var training: TrainingData
    var validation: TrainingData?
    var fingerprint: DataFingerprint
    var validationFingerprint: DataFingerprint?
    /// The rows a seeded split held out of the training data file.
    var validationRows: [Int]?
    /// The samples of the training data file, before any split.
    var totalRows: Int
    /// The names of the training data's features and classes.
    var names: ModelNames {
      switch training {
      case .inMemory(let data): data.names
      case .streamed(let reader, _): ModelNames(features: reader.featureNames)
      }
    }

    /// The per-feature mean and standard deviation of the training inputs,
    /// in Float64; streamed data is read once to compute them.
    func featureStatistics() throws -> (mean: [Double], std: [Double]) {
      switch training {
      case .inMemory(let data): data.float64FeatureStatistics()
      case .streamed(let reader, let rows): try reader.scan(rows: rows, blockRows: TrainingSession.streamedBlockRows)
      }
    }
  }

  /// A validation split of the training data: the fraction held out, and
  /// the seed that draws them (`nil` for the last samples).
  struct Split {
    var fraction: Double
    var seed: UInt64?
    /// The rows a seeded split held out before (a resumed run's), used
    /// when they fit the data; `nil` to draw them.
    var rows: [Int]?
  }

  /// Reads (or opens for streaming) the training data, splits off validation
  /// data, and fingerprints the files. Streamed data is scanned once for
  /// values that are not finite before training starts.
  static func loadData(
    _ source: DataSource, validation other: DataSource?, split: Split, stream: Bool, classes: [String]? = nil
  ) throws -> LoadedData {
    var all = try source.open(stream: stream, classes: classes)
    let totalRows = all.sampleCount
    var validationRows: [Int]?
    // Validation labels name the training data's classes, in the same order.
    let classes: [String]? = if case .inMemory(let data) = all { data.names.classes ?? classes } else { classes }
    var validation: TrainingData?
    var validationFingerprint: DataFingerprint?
    if let other {
      let data = try other.open(stream: stream, classes: classes)
      validation = data
      validationFingerprint = try other.fingerprint(sampleCount: data.sampleCount)
    } else if split.fraction > 0, let seed = split.seed {
      let held = ValidationSplit.heldOutCount(of: totalRows, fraction: split.fraction)
      guard held < totalRows else { throw TrainingError.noTrainingSamples }
      let rows =
        if let stored = split.rows, stored.count == held, stored.allSatisfy({ (0..<totalRows).contains($0) }) {
          stored
        } else {
          ValidationSplit.heldOutRows(of: totalRows, fraction: split.fraction, seed: seed)
        }
      let kept = ValidationSplit.remainingRows(of: totalRows, heldOut: rows)
      validationRows = rows
      switch all {
      case .inMemory(let data):
        validation = held > 0 ? .inMemory(data.subset(rows)) : nil
        all = .inMemory(data.subset(kept))
      case .streamed(let reader, _):
        validation = held > 0 ? .streamed(reader, rows: RowSet(ascending: rows)) : nil
        all = .streamed(reader, rows: RowSet(ascending: kept))
      }
    } else if split.fraction > 0 {
      let held = ValidationSplit.heldOutCount(of: totalRows, fraction: split.fraction)
      let kept = all.sampleCount - held
      guard kept > 0 else { throw TrainingError.noTrainingSamples }
      if held > 0 {
        switch all {
        case .inMemory(let data):
          validation = .inMemory(data.subset(kept..<data.sampleCount))
          all = .inMemory(data.subset(0..<kept))
        case .streamed(let reader, let rows):
          validation = .streamed(reader, rows: rows.rows(at: kept..<rows.count))
          all = .streamed(reader, rows: rows.rows(at: 0..<kept))
        }
      }
    }
    for case .streamed(let reader, let rows) in [all, validation].compactMap({ $0 }) {
      _ = try reader.scan(rows: rows, blockRows: TrainingSession.streamedBlockRows)
    }
    return LoadedData(
      training: all, validation: validation, fingerprint: try source.fingerprint(sampleCount: all.sampleCount),
      validationFingerprint: validationFingerprint, validationRows: validationRows, totalRows: totalRows)
  }
}
