import Foundation
import HDF5

extension Checkpoint {
  /// Reads a bpkit checkpoint: the model and the complete training state.
  ///
  /// The same checks as ``Model/init(contentsOf:trust:)`` apply, and every
  /// optimizer slot must match the shape of the weight it belongs to.
  ///
  /// - Parameters:
  ///   - url: The file.
  ///   - trust: Whether the file may skip the child-process probe (see ``FileTrust``).
  /// - Throws: ``OpeningError`` for paths that are not regular files or that
  ///   the probe refuses; ``FormatError`` naming the file and the object at
  ///   fault; ``FormatError/wrongKind(file:expected:found:)`` for a model file.
  package init(contentsOf url: URL, trust: FileTrust = .untrusted) throws {
    self = try FormatError.wrappingHDF5Errors {
      let reader = try FileReader(path: url.path, trust: trust)
      try reader.require(.checkpoint)
      return try CheckpointFileCoding.read(reader)
    }
  }

  /// Writes the checkpoint, replacing `url` atomically: a reader, or a crash
  /// at any moment, finds either the previous file or this one, complete.
  ///
  /// - Parameters:
  ///   - url: The destination. Its folder must exist.
  ///   - options: Whether to make the write durable with `fsync` (the default).
  /// - Throws: ``FormatError`` when the checkpoint cannot be stored (a slot
  ///   for an unknown weight, say) or the file cannot be written; the previous
  ///   file at `url`, if any, is then unchanged.
  package func write(to url: URL, options: FileWriteOptions = .init()) throws {
    try CheckpointFileCoding.validate(self, file: url.path)
    try FormatError.wrappingHDF5Errors {
      try FileWriter.write(
        to: url.relativePath, kind: .checkpoint, bpkitVersion: bpkitVersion, estimatedBytes: estimatedFileBytes,
        options: options
      ) { writer in
        try CheckpointFileCoding.write(self, with: writer)
      }
    }
  }
}

extension Checkpoint {
  /// An upper bound of the size of this checkpoint's file: the model, the
  /// optimizer's slots, the sample order and the history.
  var estimatedFileBytes: Int {
    // A float64 slot takes the room of two float32 numbers.
    let slots =
      optimizer.slots.values.reduce(0) { total, tensors in
        total + tensors.values.reduce(0) { $0 + $1.count }
      } * (optimizer.dtype == .float64 ? 2 : 1)
    let notes = progress.history.reduce(0) { total, record in total + record.notes.reduce(0) { $0 + $1.utf8.count + 16 }
    }
    return model.estimatedFileBytes
      + FileWriter.estimatedBytes(
        scalars: slots + 2 * progress.order.count + 2 * (configuration.validationRows?.count ?? 0)
          + 2 * (configuration.classWeights?.count ?? 0) + 8 * progress.history.count,
        datasets: optimizer.slots.values.reduce(0) { $0 + $1.count } + 22, text: notes + 4096)
  }
}

/// The checkpoint part of the layout: `/optimizer`, `/training`, `/progress`,
/// `/history` and `/data`, beside the model's `/network` and `/weights`.
enum CheckpointFileCoding {
  // MARK: Writing

  static func validate(_ checkpoint: Checkpoint, file: String) throws {
    do {
      try ValueDomain.check(createdAt: checkpoint.createdAt)
    } catch {
      throw error.formatError(file: file)
    }
    if !checkpoint.optimizer.slots.isEmpty && checkpoint.optimizer.dtype != checkpoint.model.dtype {
      throw FormatError.invalidValue(
        file: file, path: "/optimizer/slots",
        reason: "the optimizer's slots are \(checkpoint.optimizer.dtype) and the model is \(checkpoint.model.dtype); "
          + "convert the state with converted(to: .\(checkpoint.model.dtype))")
    }
    let shapes = Dictionary(
      uniqueKeysWithValues: checkpoint.model.orderedParameters.map { ($0.spec.key, $0.spec.shape) })
    for (slot, tensors) in checkpoint.optimizer.slots {
      let path = "/optimizer/slots/\(slot)"
      guard !slot.isEmpty, !slot.contains("/"), slot != ".", slot != ".." else {
        throw FormatError.invalidValue(file: file, path: path, reason: "a slot name must be a plain name")
      }
      for (key, tensor) in tensors {
        guard let shape = shapes[key] else {
          throw FormatError.invalidValue(
            file: file, path: "\(path)/\(key)", reason: "the model has no weight '\(key)'")
        }
        guard shape == tensor.shape else {
          throw FormatError.shapeMismatch(file: file, path: "\(path)/\(key)", expected: shape, found: tensor.shape)
        }
      }
    }
    guard checkpoint.progress.random.words.count == 4 else {
      throw FormatError.invalidValue(
        file: file, path: "/progress/random_state",
        reason: "the generator state has \(checkpoint.progress.random.words.count) words; xoshiro256** has 4")
    }
  }

  static func write(_ checkpoint: Checkpoint, with writer: FileWriter) throws {
    let root = writer.root
    try root.setAttribute(
      FileLayout.createdAtAttribute, to: RFC3339.string(from: checkpoint.createdAt, fractionDigits: 3, rounding: .down))
    try root.setAttribute(FileLayout.createdAtUnixAttribute, to: checkpoint.createdAt.timeIntervalSince1970)
    try writer.writeModel(checkpoint.model)
    try writeOptimizer(checkpoint.optimizer, layers: checkpoint.model.network.layers, with: writer)
    try writeConfiguration(checkpoint.configuration, into: try root.createGroup(FileLayout.training), with: writer)
    try writeProgress(checkpoint.progress, with: writer)
    try writeWatches(
      checkpoint.progress, configuration: checkpoint.configuration, layers: checkpoint.model.network.layers,
      into: try root.openGroup(FileLayout.progress), with: writer)
    try writeHistory(checkpoint.progress.history, with: writer)
    for (name, data) in [(FileLayout.data, checkpoint.data), (FileLayout.validationData, checkpoint.validationData)] {
      guard let data else { continue }
      let group = try root.createGroup(name)
      try group.setAttribute("sha256", to: data.sha256)
      try group.setAttribute("path", to: data.path)
      try group.setAttribute("sample_count", to: Int64(data.sampleCount))
      if let inputs = data.inputs { try group.setAttribute("inputs", to: inputs) }
      if let targets = data.targets { try group.setAttribute("targets", to: targets) }
      // Format 1.5: where the sample weights were read.
      if let weights = data.sampleWeights { try group.setAttribute("sample_weights", to: weights) }
    }
  }

  private static func readFingerprint(_ name: String, _ reader: FileReader) throws -> DataFingerprint? {
    guard try reader.root.contains(name) else { return nil }
    let group = try reader.group(name)
    return DataFingerprint(
      sha256: try reader.string("sha256", of: group), path: try reader.string("path", of: group),
      sampleCount: try reader.count("sample_count", of: group),
      inputs: try group.hasAttribute("inputs") ? try reader.string("inputs", of: group) : nil,
      targets: try group.hasAttribute("targets") ? try reader.string("targets", of: group) : nil,
      sampleWeights: try group.hasAttribute("sample_weights") ? try reader.string("sample_weights", of: group) : nil)
  }

  private static func writeOptimizer(_ state: OptimizerState, layers: [Layer], with writer: FileWriter) throws {
    let group = try writer.root.createGroup(FileLayout.optimizer)
    let configuration = state.configuration
    try group.setAttribute("kind", to: configuration.kind.rawValue)
    try group.setAttribute("iterations", to: state.iterations)
    for (name, value) in hyperparameters(configuration) + addedHyperparameters(configuration) {
      try group.setAttribute(name, to: value)
    }
    try group.setAttribute("amsgrad", to: UInt8(configuration.amsgrad ? 1 : 0))
    try group.setAttribute("centered", to: UInt8(configuration.centered ? 1 : 0))
    let slots = try group.createGroup(FileLayout.slots)
    for name in state.slots.keys.sorted() {
      if let exact = state.float64Slots?[name] {
        try writer.writeTensors(exact, layers: layers, into: try slots.createGroup(name))
        continue
      }
      try writer.writeTensors(state.slots[name]!, layers: layers, into: try slots.createGroup(name))
    }
    if let schedule = configuration.schedule { try writeSchedule(schedule, into: group, with: writer) }
  }

  /// `/optimizer/schedule` (format 1.3): attribute `class_name` (Keras'), one
  /// attribute per setting by Keras' name (float64, or uint8 for a yes-or-no
  /// setting; none for Keras' `None`), and the lists of a piecewise constant
  /// schedule as float64 datasets `boundaries` and `values`.
  private static func writeSchedule(_ schedule: LearningRateSchedule, into parent: HDF5Group, with writer: FileWriter)
    throws
  {
    let group = try parent.createGroup(FileLayout.schedule)
    try group.setAttribute("class_name", to: schedule.kerasClassName)
    for (name, value) in schedule.kerasSettings {
      switch value {
      case nil: continue
      case .number(let number): try group.setAttribute(name, to: number)
      case .flag(let flag): try group.setAttribute(name, to: UInt8(flag ? 1 : 0))
      case .numbers(let numbers): try writer.write(numbers, shape: [numbers.count], to: name, in: group)
      }
    }
  }

  /// The most boundaries a stored piecewise constant schedule may have.
  static let maximumScheduleBoundaries = 1 << 16

  private static func readSchedule(_ reader: FileReader) throws -> LearningRateSchedule? {
    let path = "\(FileLayout.optimizer)/\(FileLayout.schedule)"
    guard try reader.group(FileLayout.optimizer).contains(FileLayout.schedule) else { return nil }
    let group = try reader.group(path)
    let className = try reader.string("class_name", of: group)
    guard let names = LearningRateSchedule.settingNames(ofKerasClass: className) else {
      throw FormatError.invalidValue(
        file: reader.path, path: "/\(path)@class_name",
        reason: "unknown schedule '\(className)'; expected one of "
          + LearningRateSchedule.kerasClassNames.joined(separator: ", "))
    }
    var settings: [String: LearningRateSchedule.Setting] = [:]
    for (name, _) in names {
      if name == "boundaries" || name == "values" {
        guard try group.contains(name) else { continue }
        let count = try reader.dataset(name, in: group).shape.reduce(1, *)
        guard count <= maximumScheduleBoundaries + 1 else {
          throw FormatError.invalidValue(
            file: reader.path, path: "/\(path)/\(name)",
            reason: "it holds \(count) numbers; at most \(maximumScheduleBoundaries + 1) are read")
        }
        settings[name] = .numbers(try reader.vector(name, in: group, as: Double.self))
      } else if ["staircase", "cycle"].contains(name) {
        if let flag = try reader.optionalAttribute(name, of: group, as: UInt8.self) {
          settings[name] = .flag(flag != 0)
        }
      } else if let number = try reader.optionalAttribute(name, of: group, as: Double.self) {
        settings[name] = .number(number)
      }
    }
    do {
      return try LearningRateSchedule.make(kerasClassName: className, settings: settings)
    } catch {
      throw FormatError.invalidValue(file: reader.path, path: "/\(path)", reason: error.description)
    }
  }

  /// The optimizer's hyperparameters by attribute name, in file order.
  static func hyperparameters(_ configuration: OptimizerConfiguration) -> [(String, Double)] {
    [
      ("learning_rate", configuration.learningRate), ("momentum", configuration.momentum),
      ("beta1", configuration.beta1), ("beta2", configuration.beta2), ("epsilon", configuration.epsilon),
      ("rho", configuration.rho), ("increase_factor", configuration.increaseFactor),
      ("decrease_factor", configuration.decreaseFactor), ("minimum_step", configuration.minimumStep),
      ("maximum_step", configuration.maximumStep), ("initial_step", configuration.initialStep),
    ]
  }

  /// The hyperparameters format 1.2 added, by attribute name; a 1.0 or 1.1
  /// file lacks them, and reads as their defaults (which change nothing).
  static func addedHyperparameters(_ configuration: OptimizerConfiguration) -> [(String, Double)] {
    [
      ("initial_accumulator_value", configuration.initialAccumulatorValue),
      ("weight_decay", configuration.weightDecay), ("clipnorm", configuration.clipNorm),
      ("clipvalue", configuration.clipValue), ("global_clipnorm", configuration.globalClipNorm),
    ]
  }

  private static func writeConfiguration(
    _ configuration: TrainingConfiguration, into group: HDF5Group, with writer: FileWriter
  ) throws {
    // Format 1.7: a clipping run's loss is spelled with a suffix older bpkits refuse, beside its ε.
    let clipped = configuration.probabilityClip != nil
    try group.setAttribute("loss", to: configuration.loss.rawValue + (clipped ? FileLayout.clippedLossSuffix : ""))
    if let epsilon = configuration.probabilityClip {
      try group.setAttribute(FileLayout.probabilityClip, to: epsilon)
    }
    try group.setAttribute("batch_size", to: Int64(configuration.batchSize))
    try group.setAttribute("epochs", to: Int64(configuration.epochs))
    try group.setAttribute("seed", to: configuration.seed)
    try group.setAttribute("shuffle", to: UInt8(configuration.shuffle ? 1 : 0))
    if let steps = configuration.bpttSteps {
      try group.setAttribute("bptt_steps", to: Int64(steps))
    }
    try group.setAttribute("validation_split", to: configuration.validationSplit)
    // Format 1.3: a seeded split, and the rows it held out when the run began.
    if let seed = configuration.validationSplitSeed {
      try group.setAttribute(FileLayout.validationSplitSeed, to: seed)
    }
    if let rows = configuration.validationRows {
      try writer.write(rows.map(Int64.init), shape: [rows.count], to: FileLayout.validationRows, in: group)
    }
    // Format 1.5: class weights, one float64 per class.
    if let weights = configuration.classWeights {
      try writer.write(weights, shape: [weights.count], to: FileLayout.classWeights, in: group)
    }
    try writeWatchSettings(configuration, into: group)
  }

  private static func writeProgress(_ progress: TrainingProgress, with writer: FileWriter) throws {
    let group = try writer.root.createGroup(FileLayout.progress)
    for (name, value) in [
      ("epoch", progress.epoch), ("step_in_epoch", progress.stepInEpoch), ("cursor", progress.cursor),
      ("epoch_samples", progress.epochSamples), ("epoch_correct", progress.epochCorrect),
      ("epoch_judged", progress.epochJudged),
    ] {
      try group.setAttribute(name, to: Int64(value))
    }
    try group.setAttribute("epoch_loss_sum", to: progress.epochLossSum)
    try group.setAttribute("elapsed_seconds", to: progress.elapsedSeconds)
    try writer.write(progress.order.map(Int64.init), shape: [progress.order.count], to: FileLayout.order, in: group)
    try writer.write(progress.random.words, shape: [progress.random.words.count], to: FileLayout.randomState, in: group)
  }

  /// History columns: one element per completed epoch. A metric an epoch did
  /// not measure is NaN. Notes are flattened into `note_epoch` and `note_text`.
  private static func writeHistory(_ history: [EpochRecord], with writer: FileWriter) throws {
    let group = try writer.root.createGroup(FileLayout.history)
    let count = [history.count]
    try writer.write(history.map { Int64($0.epoch) }, shape: count, to: "epoch", in: group)
    for (name, column) in historyColumns {
      try writer.write(history.map { column.get($0) ?? .nan }, shape: count, to: name, in: group)
    }
    let notes = history.flatMap { record in record.notes.map { (Int64(record.epoch), $0) } }
    try writer.write(notes.map(\.0), shape: [notes.count], to: "note_epoch", in: group)
    try writer.write(strings: notes.map(\.1), scalar: false, to: "note_text", in: group)
  }

  struct Column: Sendable {
    var get: @Sendable (EpochRecord) -> Double?
    var set: @Sendable (inout EpochRecord, Double) -> Void
  }

  /// The float64 history columns, by dataset name.
  static let historyColumns: [(String, Column)] = [
    ("train_loss", Column(get: { $0.trainLoss }, set: { $0.trainLoss = $1 })),
    ("train_accuracy", Column(get: { $0.trainAccuracy }, set: { $0.trainAccuracy = $1.isNaN ? nil : $1 })),
    ("validation_loss", Column(get: { $0.validationLoss }, set: { $0.validationLoss = $1.isNaN ? nil : $1 })),
    (
      "validation_accuracy",
      Column(get: { $0.validationAccuracy }, set: { $0.validationAccuracy = $1.isNaN ? nil : $1 })
    ),
    ("learning_rate", Column(get: { $0.learningRate }, set: { $0.learningRate = $1 })),
    ("seconds", Column(get: { $0.seconds }, set: { $0.seconds = $1 })),
  ]

  // MARK: Reading

  static func read(_ reader: FileReader) throws -> Checkpoint {
    let model = try ModelFileCoding.readModel(reader)
    let optimizer = try readOptimizer(reader, model: model)
    let configuration = try readConfiguration(reader)
    let data = try readFingerprint(FileLayout.data, reader)
    var progress = try readProgress(reader, sampleCount: data?.sampleCount)
    try readWatches(reader, configuration: configuration, model: model, into: &progress)
    progress.history = try readHistory(reader)
    let validationData = try readFingerprint(FileLayout.validationData, reader)
    let unix = try reader.attribute(FileLayout.createdAtUnixAttribute, of: reader.root, as: Double.self)
    let checkpoint = Checkpoint(
      model: model, optimizer: optimizer, configuration: configuration, progress: progress, data: data,
      validationData: validationData,
      bpkitVersion: try reader.string(FileLayout.bpkitVersionAttribute, of: reader.root),
      createdAt: Date(timeIntervalSince1970: unix))
    do {
      try ValueDomain.check(checkpoint)
    } catch {
      throw error.formatError(file: reader.path)
    }
    return checkpoint
  }

  private static func readOptimizer(_ reader: FileReader, model: Model) throws -> OptimizerState {
    let group = try reader.group(FileLayout.optimizer)
    let kindText = try reader.string("kind", of: group)
    guard let kind = OptimizerKind(rawValue: kindText) else {
      throw FormatError.invalidValue(
        file: reader.path, path: "/optimizer@kind",
        reason: "unknown optimizer '\(kindText)'; expected one of "
          + OptimizerKind.allCases.map(\.rawValue).joined(separator: ", "))
    }
    var configuration = OptimizerConfiguration(kind: kind)
    let values = try Dictionary(
      uniqueKeysWithValues: hyperparameters(configuration).map { name, _ in
        (name, try reader.attribute(name, of: group, as: Double.self))
      })
    configuration.learningRate = values["learning_rate"]!
    configuration.momentum = values["momentum"]!
    configuration.beta1 = values["beta1"]!
    configuration.beta2 = values["beta2"]!
    configuration.epsilon = values["epsilon"]!
    configuration.rho = values["rho"]!
    configuration.increaseFactor = values["increase_factor"]!
    configuration.decreaseFactor = values["decrease_factor"]!
    configuration.minimumStep = values["minimum_step"]!
    configuration.maximumStep = values["maximum_step"]!
    configuration.initialStep = values["initial_step"]!
    let added = try Dictionary(
      uniqueKeysWithValues: addedHyperparameters(configuration).map { name, fallback in
        (name, try reader.optionalAttribute(name, of: group, as: Double.self) ?? fallback)
      })
    configuration.initialAccumulatorValue = added["initial_accumulator_value"]!
    configuration.weightDecay = added["weight_decay"]!
    configuration.clipNorm = added["clipnorm"]!
    configuration.clipValue = added["clipvalue"]!
    configuration.globalClipNorm = added["global_clipnorm"]!
    configuration.amsgrad = try reader.optionalAttribute("amsgrad", of: group, as: UInt8.self) ?? 0 != 0
    configuration.centered = try reader.optionalAttribute("centered", of: group, as: UInt8.self) ?? 0 != 0
    let learningRate = configuration.learningRate
    configuration.schedule = try readSchedule(reader)
    // The stored rate is the schedule's at step 0; the schedule is what counts.
    configuration.learningRate = configuration.schedule == nil ? learningRate : configuration.learningRate
    let iterations = try reader.attribute("iterations", of: group, as: Int64.self)
    let slotsGroup = try reader.group("\(FileLayout.optimizer)/\(FileLayout.slots)")
    let specs = model.orderedParameters.map(\.spec)
    var slots: [String: [ParameterKey: Tensor<Float>]] = [:]
    var float64Slots: [String: [ParameterKey: Tensor<Double>]] = [:]
    for name in try slotsGroup.children() {
      let slotGroup = try reader.group("\(FileLayout.optimizer)/\(FileLayout.slots)/\(name)")
      // A slot may cover only some weights (the trainable ones): read those present.
      var present: [ParameterSpec] = []
      for spec in specs where try slotGroup.contains("\(spec.key.layer)/\(spec.key.name)") {
        present.append(spec)
      }
      // Format 1.5: a float64 file's slots are float64 datasets.
      if reader.dtype == .float64 {
        float64Slots[name] = try ModelFileCoding.readTensors(reader, from: slotGroup, specs: present, as: Double.self)
      } else {
        slots[name] = try ModelFileCoding.readTensors(reader, from: slotGroup, specs: present)
      }
    }
    if reader.dtype == .float64 {
      return OptimizerState(configuration: configuration, iterations: iterations, float64Slots: float64Slots)
    }
    return OptimizerState(configuration: configuration, iterations: iterations, slots: slots)
  }

  private static func readConfiguration(_ reader: FileReader) throws -> TrainingConfiguration {
    let group = try reader.group(FileLayout.training)
    let lossText = try reader.string("loss", of: group)
    let probabilityClip = try reader.optionalAttribute(FileLayout.probabilityClip, of: group, as: Double.self)
    let clipped = lossText.hasSuffix(FileLayout.clippedLossSuffix)
    let lossName = clipped ? String(lossText.dropLast(FileLayout.clippedLossSuffix.count)) : lossText
    guard let loss = Loss(rawValue: lossName), !clipped || ProbabilityClip.applies(to: loss) else {
      throw FormatError.invalidValue(
        file: reader.path, path: "/training@loss",
        reason: "unknown loss '\(lossText)'; expected one of " + Loss.allCases.map(\.rawValue).joined(separator: ", ")
          + ", or a cross-entropy on probabilities ending in \(FileLayout.clippedLossSuffix)")
    }
    // The suffix and the ε come together (format 1.7).
    if clipped != (probabilityClip != nil) {
      throw FormatError.invalidValue(
        file: reader.path, path: "/training@\(clipped ? FileLayout.probabilityClip : "loss")",
        reason: clipped
          ? "the loss '\(lossText)' clips probabilities, but the attribute is missing"
          : "the run clips probabilities, but its loss '\(lossText)' does not end in \(FileLayout.clippedLossSuffix)")
    }
    let steps = try reader.optionalAttribute("bptt_steps", of: group, as: Int64.self)
    let splitSeed = try reader.optionalAttribute(FileLayout.validationSplitSeed, of: group, as: UInt64.self)
    let rows =
      try group.contains(FileLayout.validationRows)
      ? try reader.vector(FileLayout.validationRows, in: group, as: Int64.self) : nil
    // Rows past Int's range cannot be rows of any data; the value checks name them.
    let validationRows = rows?.map { Int(clamping: $0) }
    let (early, plateau) = try readWatchSettings(reader, group)
    let classWeights =
      try group.contains(FileLayout.classWeights)
      ? try reader.vector(FileLayout.classWeights, in: group, as: Double.self) : nil
    return TrainingConfiguration(
      loss: loss, batchSize: try reader.count("batch_size", of: group),
      epochs: try reader.count("epochs", of: group), seed: try reader.attribute("seed", of: group, as: UInt64.self),
      shuffle: try reader.attribute("shuffle", of: group, as: UInt8.self) != 0, bpttSteps: steps.map { Int($0) },
      validationSplit: try reader.attribute("validation_split", of: group, as: Double.self),
      validationSplitSeed: splitSeed, validationRows: validationRows, earlyStopping: early,
      reduceLearningRateOnPlateau: plateau, classWeights: classWeights, probabilityClip: probabilityClip)
  }

  /// Reads `/progress`. Its order holds no samples before the first epoch
  /// starts and one entry per training sample after: with `/data`, a length
  /// other than 0 or its `sample_count` is refused before the order is read.
  private static func readProgress(_ reader: FileReader, sampleCount: Int?) throws -> TrainingProgress {
    let group = try reader.group(FileLayout.progress)
    let declared = try reader.dataset(FileLayout.order, in: group).shape
    let order =
      if let sampleCount, declared != [0] {
        try reader.values(FileLayout.order, in: group, as: Int64.self, shape: [sampleCount])
      } else {
        try reader.vector(FileLayout.order, in: group, as: Int64.self)
      }
    let words = try reader.values(FileLayout.randomState, in: group, as: UInt64.self, shape: [4])
    return TrainingProgress(
      epoch: try reader.count("epoch", of: group), stepInEpoch: try reader.count("step_in_epoch", of: group),
      order: order.map { Int($0) }, cursor: try reader.count("cursor", of: group),
      random: RandomState(words: words), history: [],
      epochLossSum: try reader.attribute("epoch_loss_sum", of: group, as: Double.self),
      epochSamples: try reader.count("epoch_samples", of: group),
      epochCorrect: try reader.count("epoch_correct", of: group),
      epochJudged: try reader.count("epoch_judged", of: group),
      elapsedSeconds: try reader.attribute("elapsed_seconds", of: group, as: Double.self))
  }

  private static func readHistory(_ reader: FileReader) throws -> [EpochRecord] {
    let group = try reader.group(FileLayout.history)
    let epochs = try reader.vector("epoch", in: group, as: Int64.self)
    var records = epochs.map { EpochRecord(epoch: Int($0), trainLoss: 0, learningRate: 0, seconds: 0) }
    for (name, column) in historyColumns {
      let values = try reader.values(name, in: group, as: Double.self, shape: [epochs.count])
      for index in records.indices { column.set(&records[index], values[index]) }
    }
    let noteEpochs = try reader.vector("note_epoch", in: group, as: Int64.self)
    let noteTexts = try reader.strings("note_text", in: group, scalar: false)
    guard noteTexts.count == noteEpochs.count else {
      throw FormatError.invalidValue(
        file: reader.path, path: "/history/note_text",
        reason: "it holds \(noteTexts.count) notes, but note_epoch gives epochs for \(noteEpochs.count)")
    }
    let positions = Dictionary(records.enumerated().map { ($1.epoch, $0) }, uniquingKeysWith: { first, _ in first })
    for (epoch, text) in zip(noteEpochs, noteTexts) {
      guard let position = positions[Int(epoch)] else {
        throw FormatError.invalidValue(
          file: reader.path, path: "/history/note_epoch", reason: "epoch \(epoch) has no history record")
      }
      records[position].notes.append(text)
    }
    return records
  }
}
