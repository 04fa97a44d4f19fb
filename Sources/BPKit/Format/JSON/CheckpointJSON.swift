import Foundation

/// The bpkit checkpoint document: a model plus the optimizer's state, the
/// training configuration, the run's progress and the data's fingerprint.
enum CheckpointJSON {
  static let members = BPKitJSON.commonMembers.union([
    "created_at", "model", "optimizer", "training", "progress", "data", "validation_data",
  ])

  // MARK: Writing

  static func writeDocument(
    _ checkpoint: Checkpoint, encoding: BPKitJSON.WeightEncoding, to writer: JSONWriter
  ) throws(BPKitJSONError) {
    let optimizer = checkpoint.optimizer
    if !optimizer.slots.isEmpty && optimizer.dtype != checkpoint.model.dtype {
      throw .unwritable(
        file: "the JSON checkpoint",
        reason: "the optimizer's slots are \(optimizer.dtype) and the model is \(checkpoint.model.dtype); "
          + "convert the state with converted(to: .\(checkpoint.model.dtype))")
    }
    do {
      try ValueDomain.check(createdAt: checkpoint.createdAt)
    } catch {
      throw error.jsonError
    }
    try writer.beginObject()
    try BPKitJSON.writeHeader(.checkpoint, bpkitVersion: checkpoint.bpkitVersion, to: writer)
    try writer.key("created_at")
    try writer.string(RFC3339.string(from: checkpoint.createdAt))
    try writer.key("model")
    try writer.beginObject()
    try ModelJSON.writeBody(checkpoint.model, encoding: encoding, to: writer)
    try writer.endObject()
    try writer.key("optimizer")
    try write(checkpoint.optimizer, model: checkpoint.model, encoding: encoding, to: writer)
    try writer.key("training")
    try write(checkpoint.configuration, to: writer)
    try writer.key("progress")
    try write(checkpoint.progress, to: writer) { () throws(BPKitJSONError) in
      try writeWatches(
        checkpoint.progress, configuration: checkpoint.configuration, model: checkpoint.model, encoding: encoding,
        to: writer)
    }
    try writer.member("data", checkpoint.data) { (data) throws(BPKitJSONError) in try write(data, to: writer) }
    try writer.member("validation_data", checkpoint.validationData) { (data) throws(BPKitJSONError) in
      try write(data, to: writer)
    }
    try writer.endObject()
  }

  private static func write(_ data: DataFingerprint, to writer: JSONWriter) throws(BPKitJSONError) {
    try writer.beginObject()
    try writer.key("sha256")
    try writer.string(data.sha256)
    try writer.key("path")
    try writer.string(data.path)
    try writer.key("sample_count")
    try writer.integer(data.sampleCount)
    try writer.member("inputs", data.inputs, writer.string)
    try writer.member("targets", data.targets, writer.string)
    try writer.member("sample_weights", data.sampleWeights, writer.string)
    try writer.endObject()
  }

  private static func write(
    _ state: OptimizerState, model: Model, encoding: BPKitJSON.WeightEncoding, to writer: JSONWriter
  ) throws(BPKitJSONError) {
    let configuration = state.configuration
    try writer.beginObject()
    try writer.key("configuration")
    try writer.beginObject()
    try writer.key("kind")
    try writer.string(configuration.kind.rawValue)
    for (name, value) in hyperparameters(configuration) {
      try writer.key(name)
      try writer.real(value)
    }
    for (name, value) in [("amsgrad", configuration.amsgrad), ("centered", configuration.centered)] {
      try writer.key(name)
      try writer.bool(value)
    }
    if let schedule = configuration.schedule {
      try writer.key("learning_rate_schedule")
      try write(schedule, to: writer)
    }
    try writer.endObject()
    try writer.key("iterations")
    try writer.integer(state.iterations)
    try writer.key("slots")
    try writer.beginObject()
    let order = model.orderedParameters.map(\.spec)
    for slot in state.slots.keys.sorted() {
      try writer.key(slot)
      // Format 1.6: a float64 model's slots are float64 tensors.
      if let exact = state.float64Slots?[slot] {
        try WeightsJSON.write(exact, order: order, encoding: encoding, to: writer)
      } else {
        try WeightsJSON.write(state.slots[slot]!, order: order, encoding: encoding, to: writer)
      }
    }
    try writer.endObject()
    try writer.endObject()
  }

  /// A schedule as Keras serializes one: `{"class_name": ..., "config": {...}}`,
  /// the config's members by Keras' names (Keras' `None` as null).
  private static func write(_ schedule: LearningRateSchedule, to writer: JSONWriter) throws(BPKitJSONError) {
    try writer.beginObject()
    try writer.key("class_name")
    try writer.string(schedule.kerasClassName)
    try writer.key("config")
    try writer.beginObject()
    for (name, value) in schedule.kerasSettings {
      try writer.key(name)
      switch value {
      case nil: try writer.null()
      case .number(let number): try writer.real(number)
      case .flag(let flag): try writer.bool(flag)
      case .numbers(let numbers):
        try writer.beginArray(inline: true)
        for number in numbers { try writer.real(number) }
        try writer.endArray()
      }
    }
    try writer.endObject()
    try writer.endObject()
  }

  private static func readSchedule(_ cursor: JSONCursor) throws(BPKitJSONError) -> LearningRateSchedule {
    let object = try cursor.object(allowing: ["class_name", "config"])
    let className = try object.required("class_name").string(oneOf: LearningRateSchedule.kerasClassNames)
    let names = LearningRateSchedule.settingNames(ofKerasClass: className)!.map(\.name)
    let configCursor = try object.required("config")
    let config = try configCursor.object(allowing: Set(names))
    var settings: [String: LearningRateSchedule.Setting] = [:]
    for name in names {
      guard let value = config.optional(name), !value.isNull else { continue }
      switch name {
      case "staircase", "cycle": settings[name] = .flag(try value.bool())
      case "boundaries", "values":
        var numbers: [Double] = []
        for element in try value.array() {
          numbers.append(
            try element.finite(in: -.greatestFiniteMagnitude...(.greatestFiniteMagnitude), "a finite number"))
        }
        settings[name] = .numbers(numbers)
      default:
        settings[name] = .number(
          try value.finite(in: -.greatestFiniteMagnitude...(.greatestFiniteMagnitude), "a finite number"))
      }
    }
    do {
      return try LearningRateSchedule.make(kerasClassName: className, settings: settings)
    } catch {
      throw configCursor.violation(error.description)
    }
  }

  /// The hyperparameters by their names in JSON, in schema order.
  private static func hyperparameters(_ configuration: OptimizerConfiguration) -> KeyValuePairs<String, Double> {
    [
      "learning_rate": configuration.learningRate, "momentum": configuration.momentum,
      "beta_1": configuration.beta1, "beta_2": configuration.beta2, "epsilon": configuration.epsilon,
      "rho": configuration.rho, "increase_factor": configuration.increaseFactor,
      "decrease_factor": configuration.decreaseFactor, "minimum_step": configuration.minimumStep,
      "maximum_step": configuration.maximumStep, "initial_step": configuration.initialStep,
      "initial_accumulator_value": configuration.initialAccumulatorValue, "weight_decay": configuration.weightDecay,
      "clipnorm": configuration.clipNorm, "clipvalue": configuration.clipValue,
      "global_clipnorm": configuration.globalClipNorm,
    ]
  }

  private static func write(_ configuration: TrainingConfiguration, to writer: JSONWriter) throws(BPKitJSONError) {
    try writer.beginObject()
    try writer.key("loss")
    try writer.string(configuration.loss.rawValue)
    try writer.key("batch_size")
    try writer.integer(configuration.batchSize)
    try writer.key("epochs")
    try writer.integer(configuration.epochs)
    try writer.key("seed")
    try writer.integer(configuration.seed)
    try writer.key("shuffle")
    try writer.bool(configuration.shuffle)
    try writer.key("bptt_steps")
    if let steps = configuration.bpttSteps { try writer.integer(steps) } else { try writer.null() }
    try writer.key("validation_split")
    try writer.real(configuration.validationSplit)
    // Written only for a seeded split, so other documents stay as they were.
    if let seed = configuration.validationSplitSeed {
      try writer.key("validation_split_seed")
      try writer.integer(seed)
    }
    if let rows = configuration.validationRows {
      try writer.key("validation_rows")
      try writer.beginArray(inline: true)
      for (index, row) in rows.enumerated() {
        try writer.integer(row)
        if index % 4096 == 0 { try writer.output.flushIfFull() }
      }
      try writer.endArray()
    }
    // Format 1.5: written only when the run weighs classes.
    if let weights = configuration.classWeights {
      try writer.key("class_weights")
      try writer.beginArray(inline: true)
      for weight in weights { try writer.real(weight) }
      try writer.endArray()
    }
    // Format 1.7: written only when the run clips probabilities as Keras does.
    if let epsilon = configuration.probabilityClip {
      try writer.key("probability_clip")
      try writer.real(epsilon)
    }
    try writeWatchSettings(configuration, to: writer)
    try writer.endObject()
  }

  private static func write(
    _ progress: TrainingProgress, to writer: JSONWriter, watches: () throws(BPKitJSONError) -> Void
  ) throws(BPKitJSONError) {
    try writer.beginObject()
    try writer.key("epoch")
    try writer.integer(progress.epoch)
    try writer.key("step_in_epoch")
    try writer.integer(progress.stepInEpoch)
    try writer.key("order")
    try writer.beginArray(inline: true)
    for (index, sample) in progress.order.enumerated() {
      try writer.integer(sample)
      if index % 4096 == 0 { try writer.output.flushIfFull() }
    }
    try writer.endArray()
    try writer.key("cursor")
    try writer.integer(progress.cursor)
    try writer.key("random")
    try writer.beginArray(inline: true)
    for word in progress.random.words { try writer.string(hex(word)) }
    try writer.endArray()
    try writer.key("history")
    try writer.beginArray()
    for record in progress.history { try write(record, to: writer) }
    try writer.endArray()
    try writer.key("epoch_loss_sum")
    try writer.real(progress.epochLossSum)
    try writer.key("epoch_samples")
    try writer.integer(progress.epochSamples)
    try writer.key("epoch_correct")
    try writer.integer(progress.epochCorrect)
    try writer.key("epoch_judged")
    try writer.integer(progress.epochJudged)
    try writer.key("elapsed_seconds")
    try writer.real(progress.elapsedSeconds)
    try watches()
    try writer.endObject()
  }

  private static func write(_ record: EpochRecord, to writer: JSONWriter) throws(BPKitJSONError) {
    try writer.beginObject(inline: true)
    try writer.key("epoch")
    try writer.integer(record.epoch)
    try writer.key("train_loss")
    try writer.real(record.trainLoss)
    try writer.member("train_accuracy", record.trainAccuracy, writer.real)
    try writer.member("validation_loss", record.validationLoss, writer.real)
    try writer.member("validation_accuracy", record.validationAccuracy, writer.real)
    try writer.key("learning_rate")
    try writer.real(record.learningRate)
    try writer.key("seconds")
    try writer.real(record.seconds)
    try writer.key("notes")
    try writer.beginArray(inline: true)
    for note in record.notes { try writer.string(note) }
    try writer.endArray()
    try writer.endObject()
  }

  /// A PRNG word as 16 lowercase hexadecimal digits: exact in every JSON
  /// reader, unlike integers above 2^53.
  static func hex(_ word: UInt64) -> String {
    let digits = String(word, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }

  // MARK: Reading

  private static func isLowercaseHexDigit(_ byte: UInt8) -> Bool {
    (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
  }

  static func read(_ root: JSONCursor) throws(BPKitJSONError) -> Checkpoint {
    let object = try root.object(allowing: members)
    let versionCursor = try object.required("bpkit_version")
    let bpkitVersion = try versionCursor.string()
    let createdCursor = try object.required("created_at")
    guard let createdAt = RFC3339.date(from: try createdCursor.string()) else {
      throw createdCursor.violation("expected an RFC 3339 date-time such as 2026-01-31T12:00:00.5Z")
    }
    let modelCursor = try object.required("model")
    let model = try ModelJSON.readBody(modelCursor.object(allowing: ModelJSON.embeddedMembers), at: modelCursor)
    let optimizer = try readOptimizer(try object.required("optimizer"), model: model)
    let configuration = try readTraining(try object.required("training"))
    let progressCursor = try object.required("progress")
    var progress = try readProgress(progressCursor)
    try readWatches(
      try progressCursor.object(allowing: progressMembers), configuration: configuration, model: model,
      into: &progress)
    let data = try object.optional("data").map { (cursor) throws(BPKitJSONError) in try readFingerprint(cursor) }
    let validationData = try object.optional("validation_data").map { (cursor) throws(BPKitJSONError) in
      try readFingerprint(cursor)
    }
    return Checkpoint(
      model: model, optimizer: optimizer, configuration: configuration, progress: progress, data: data,
      validationData: validationData, bpkitVersion: bpkitVersion, createdAt: createdAt)
  }

  private static func readFingerprint(_ cursor: JSONCursor) throws(BPKitJSONError) -> DataFingerprint {
    let fingerprint = try cursor.object(allowing: [
      "sha256", "path", "sample_count", "inputs", "targets", "sample_weights",
    ])
    let shaCursor = try fingerprint.required("sha256")
    let sha = try shaCursor.string()
    guard sha.utf8.count == 64, sha.utf8.allSatisfy(isLowercaseHexDigit) else {
      throw shaCursor.violation("expected 64 lowercase hexadecimal digits")
    }
    return DataFingerprint(
      sha256: sha, path: try fingerprint.required("path").string(),
      sampleCount: try fingerprint.required("sample_count").integer(in: 0...Int.max),
      inputs: try fingerprint.optional("inputs")?.string(), targets: try fingerprint.optional("targets")?.string(),
      sampleWeights: try fingerprint.optional("sample_weights")?.string())
  }

  private static func readOptimizer(_ cursor: JSONCursor, model: Model) throws(BPKitJSONError) -> OptimizerState {
    let object = try cursor.object(allowing: ["configuration", "iterations", "slots"])
    let configurationCursor = try object.required("configuration")
    let names = hyperparameters(OptimizerConfiguration(kind: .sgd)).map(\.key)
    let fields = try configurationCursor.object(
      allowing: Set(names + ["kind", "amsgrad", "centered", "learning_rate_schedule"]))
    let kind = OptimizerKind(
      rawValue: try fields.required("kind").string(oneOf: OptimizerKind.allCases.map(\.rawValue)))!
    var values: [String: Double] = [:]
    for name in names {
      if let value = fields.optional(name) {
        values[name] = try value.finite(in: 0...Double.greatestFiniteMagnitude, "a finite number >= 0")
      }
    }
    let defaults = OptimizerConfiguration(kind: kind)
    let configuration = OptimizerConfiguration(
      kind: kind, learningRate: values["learning_rate"], momentum: values["momentum"],
      beta1: values["beta_1"] ?? defaults.beta1, beta2: values["beta_2"] ?? defaults.beta2,
      epsilon: values["epsilon"], rho: values["rho"] ?? defaults.rho,
      increaseFactor: values["increase_factor"] ?? defaults.increaseFactor,
      decreaseFactor: values["decrease_factor"] ?? defaults.decreaseFactor,
      minimumStep: values["minimum_step"] ?? defaults.minimumStep,
      maximumStep: values["maximum_step"] ?? defaults.maximumStep,
      initialStep: values["initial_step"] ?? defaults.initialStep,
      amsgrad: try fields.optional("amsgrad")?.bool() ?? false,
      centered: try fields.optional("centered")?.bool() ?? false,
      initialAccumulatorValue: values["initial_accumulator_value"] ?? defaults.initialAccumulatorValue,
      weightDecay: values["weight_decay"], clipNorm: values["clipnorm"] ?? 0, clipValue: values["clipvalue"] ?? 0,
      globalClipNorm: values["global_clipnorm"] ?? 0,
      schedule: try fields.optional("learning_rate_schedule").map { cursor throws(BPKitJSONError) in
        try readSchedule(cursor)
      })
    let iterations = try object.optional("iterations")?.integer(in: 0...Int.max) ?? 0
    var slots: [String: [ParameterKey: Tensor<Float>]] = [:]
    var float64Slots: [String: [ParameterKey: Tensor<Double>]] = [:]
    let trainable = model.orderedParameters.map(\.spec).filter(\.trainable)
    if let slotsCursor = object.optional("slots") {
      for (name, slotCursor) in try slotsCursor.map() {
        // Format 1.6: a float64 model's slots are float64 tensors.
        if model.dtype == .float64 {
          float64Slots[name] = try WeightsJSON.readFloat64(
            slotCursor, specs: trainable, requireAll: false, what: "trainable weight")
        } else {
          slots[name] = try WeightsJSON.read(slotCursor, specs: trainable, requireAll: false, what: "trainable weight")
        }
      }
    }
    if model.dtype == .float64 {
      return OptimizerState(configuration: configuration, iterations: Int64(iterations), float64Slots: float64Slots)
    }
    return OptimizerState(configuration: configuration, iterations: Int64(iterations), slots: slots)
  }

  private static func readTraining(_ cursor: JSONCursor) throws(BPKitJSONError) -> TrainingConfiguration {
    let object = try cursor.object(allowing: [
      "loss", "batch_size", "epochs", "seed", "shuffle", "bptt_steps", "validation_split", "validation_split_seed",
      "validation_rows", "early_stopping", "reduce_lr_on_plateau", "class_weights", "probability_clip",
    ])
    let loss = Loss(rawValue: try object.required("loss").string(oneOf: Loss.allCases.map(\.rawValue)))!
    let defaults = TrainingConfiguration(loss: loss)
    var bpttSteps: Int?
    if let steps = object.optional("bptt_steps"), !steps.isNull { bpttSteps = try steps.integer(in: 1...Int.max) }
    var validationRows: [Int]?
    if let rowsCursor = object.optional("validation_rows") {
      let elements = try rowsCursor.array()
      var rows: [Int] = []
      rows.reserveCapacity(elements.count)
      for element in elements { rows.append(try element.integer(in: 0...Int.max)) }
      validationRows = rows
    }
    var classWeights: [Double]?
    if let weightsCursor = object.optional("class_weights") {
      classWeights = try weightsCursor.array().map { (element) throws(BPKitJSONError) in
        try element.finite(in: 0...1e300, "a number >= 0")
      }
    }
    var probabilityClip: Double?
    if let clipCursor = object.optional("probability_clip") {
      let epsilon = try clipCursor.finite(in: 0...0.5, "a number above 0 and below 0.5")
      guard ProbabilityClip.isValid(epsilon) else {
        throw clipCursor.violation("expected a number above 0 and below 0.5")
      }
      guard ProbabilityClip.applies(to: loss) else {
        throw clipCursor.violation(
          "the loss \(loss.rawValue) reads no probabilities to clip; only cross_entropy, sparse_cross_entropy and "
            + "binary_cross_entropy clip them")
      }
      probabilityClip = epsilon
    }
    let (early, plateau) = try readWatchSettings(object)
    return TrainingConfiguration(
      loss: loss, batchSize: try object.optional("batch_size")?.integer(in: 1...Int.max) ?? defaults.batchSize,
      epochs: try object.optional("epochs")?.integer(in: 0...Int.max) ?? defaults.epochs,
      seed: try object.optional("seed")?.unsigned64() ?? defaults.seed,
      shuffle: try object.optional("shuffle")?.bool() ?? defaults.shuffle, bpttSteps: bpttSteps,
      validationSplit: try object.optional("validation_split")?.finite(
        in: 0...0.999_999_999, "a number from 0 to below 1")
        ?? defaults.validationSplit,
      validationSplitSeed: try object.optional("validation_split_seed")?.unsigned64(), validationRows: validationRows,
      earlyStopping: early, reduceLearningRateOnPlateau: plateau, classWeights: classWeights,
      probabilityClip: probabilityClip)
  }

  static let progressMembers: Set<String> = [
    "epoch", "step_in_epoch", "order", "cursor", "random", "history", "epoch_loss_sum", "epoch_samples",
    "epoch_correct", "epoch_judged", "elapsed_seconds", "early_stopping", "reduce_lr_on_plateau",
  ]

  private static func readProgress(_ cursor: JSONCursor) throws(BPKitJSONError) -> TrainingProgress {
    let object = try cursor.object(allowing: progressMembers)
    func count(_ name: String) throws(BPKitJSONError) -> Int {
      try object.optional(name)?.integer(in: 0...Int.max) ?? 0
    }
    var order: [Int] = []
    if let orderCursor = object.optional("order") {
      let elements = try orderCursor.array()
      order.reserveCapacity(elements.count)
      for element in elements { order.append(try element.integer(in: 0...Int.max)) }
    }
    let positionCursor = object.optional("cursor")
    let position = try count("cursor")
    if let positionCursor, position > order.count {
      throw positionCursor.violation("expected at most \(order.count), the length of order")
    }
    var words: [UInt64] = []
    for word in try object.required("random").array() {
      let text = try word.string()
      guard text.utf8.count == 16, text.utf8.allSatisfy(isLowercaseHexDigit), let value = UInt64(text, radix: 16)
      else {
        throw word.violation("expected 16 lowercase hexadecimal digits")
      }
      words.append(value)
    }
    var history: [EpochRecord] = []
    for record in try object.optional("history")?.array() ?? [] { history.append(try readRecord(record)) }
    return TrainingProgress(
      epoch: try count("epoch"), stepInEpoch: try count("step_in_epoch"), order: order, cursor: position,
      random: RandomState(words: words), history: history,
      epochLossSum: try object.optional("epoch_loss_sum")?.real() ?? 0, epochSamples: try count("epoch_samples"),
      epochCorrect: try count("epoch_correct"), epochJudged: try count("epoch_judged"),
      elapsedSeconds: try object.optional("elapsed_seconds")?.finite(
        in: 0...Double.greatestFiniteMagnitude, "a finite number >= 0") ?? 0)
  }

  private static func readRecord(_ cursor: JSONCursor) throws(BPKitJSONError) -> EpochRecord {
    let object = try cursor.object(allowing: [
      "epoch", "train_loss", "train_accuracy", "validation_loss", "validation_accuracy", "learning_rate", "seconds",
      "notes",
    ])
    var notes: [String] = []
    for note in try object.optional("notes")?.array() ?? [] { notes.append(try note.string()) }
    // A metric that was not measured is NaN, read back as absent: the HDF5
    // history's rule (Schemas/FORMAT.md).
    func metric(_ name: String) throws(BPKitJSONError) -> Double? {
      guard let value = try object.optional(name)?.real(), !value.isNaN else { return nil }
      return value
    }
    return EpochRecord(
      epoch: try object.required("epoch").integer(in: 1...Int.max),
      trainLoss: try object.required("train_loss").real(),
      trainAccuracy: try metric("train_accuracy"),
      validationLoss: try metric("validation_loss"),
      validationAccuracy: try metric("validation_accuracy"),
      learningRate: try object.required("learning_rate").real(),
      seconds: try object.required("seconds").finite(in: 0...Double.greatestFiniteMagnitude, "a finite number >= 0"),
      notes: notes)
  }
}
