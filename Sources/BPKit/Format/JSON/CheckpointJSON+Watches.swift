/// Early stopping and reduce-on-plateau in the checkpoint document (format
/// 1.4): their settings under `training`, by Keras' names, and where their
/// watch is under `progress`.
extension CheckpointJSON {
  static let earlyStoppingMembers: Set<String> = [
    "monitor", "patience", "min_delta", "restore_best_weights", "start_from_epoch",
  ]
  static let plateauMembers: Set<String> = ["monitor", "factor", "patience", "min_delta", "cooldown", "min_lr"]

  // MARK: Writing

  static func writeWatchSettings(_ configuration: TrainingConfiguration, to writer: JSONWriter) throws(BPKitJSONError) {
    if let policy = configuration.earlyStopping {
      try writer.key("early_stopping")
      try writer.beginObject()
      try writer.key("monitor")
      try writer.string(policy.monitor.rawValue)
      try writer.key("patience")
      try writer.integer(policy.patience)
      try writer.key("min_delta")
      try writer.real(policy.minDelta)
      try writer.key("restore_best_weights")
      try writer.bool(policy.restoreBestWeights)
      try writer.key("start_from_epoch")
      try writer.integer(policy.startFromEpoch)
      try writer.endObject()
    }
    if let policy = configuration.reduceLearningRateOnPlateau {
      try writer.key("reduce_lr_on_plateau")
      try writer.beginObject()
      try writer.key("monitor")
      try writer.string(policy.monitor.rawValue)
      try writer.key("factor")
      try writer.real(policy.factor)
      try writer.key("patience")
      try writer.integer(policy.patience)
      try writer.key("min_delta")
      try writer.real(policy.minDelta)
      try writer.key("cooldown")
      try writer.integer(policy.cooldown)
      try writer.key("min_lr")
      try writer.real(policy.minimumLearningRate)
      try writer.endObject()
    }
  }

  /// The watches' state; the best value is null before the first watched epoch.
  static func writeWatches(
    _ progress: TrainingProgress, configuration: TrainingConfiguration, model: Model,
    encoding: BPKitJSON.WeightEncoding, to writer: JSONWriter
  ) throws(BPKitJSONError) {
    if configuration.earlyStopping != nil {
      let state = progress.earlyStopping
      try writer.key("early_stopping")
      try writer.beginObject()
      try writer.key("best")
      if let best = state.best { try writer.real(best) } else { try writer.null() }
      try writer.key("best_epoch")
      try writer.integer(state.bestEpoch)
      try writer.key("wait")
      try writer.integer(state.wait)
      try writer.key("stopped_epoch")
      try writer.integer(state.stoppedEpoch)
      // A float64 run's best weights are float64 tensors, as its weights are.
      if let exact = state.float64BestWeights {
        try writer.key("best_weights")
        try WeightsJSON.write(exact, order: model.orderedParameters.map(\.spec), encoding: encoding, to: writer)
      } else if let weights = state.bestWeights {
        try writer.key("best_weights")
        try WeightsJSON.write(
          weights, order: model.orderedParameters.map(\.spec), encoding: encoding, to: writer)
      }
      try writer.endObject()
    }
    if configuration.reduceLearningRateOnPlateau != nil {
      let state = progress.plateau
      try writer.key("reduce_lr_on_plateau")
      try writer.beginObject()
      try writer.key("best")
      if let best = state.best { try writer.real(best) } else { try writer.null() }
      try writer.key("wait")
      try writer.integer(state.wait)
      try writer.key("cooldown_counter")
      try writer.integer(state.cooldownCounter)
      try writer.endObject()
    }
  }

  // MARK: Reading

  private static func monitor(_ object: JSONObjectCursor) throws(BPKitJSONError) -> MonitoredMetric {
    guard let cursor = object.optional("monitor") else { return .validationLoss }
    return MonitoredMetric(rawValue: try cursor.string(oneOf: MonitoredMetric.allCases.map(\.rawValue)))!
  }

  /// The settings under `training`; members left out take Keras' defaults.
  static func readWatchSettings(_ object: JSONObjectCursor) throws(BPKitJSONError) -> (
    EarlyStopping?, ReduceLearningRateOnPlateau?
  ) {
    var early: EarlyStopping?
    if let cursor = object.optional("early_stopping") {
      let fields = try cursor.object(allowing: earlyStoppingMembers)
      let defaults = EarlyStopping()
      early = EarlyStopping(
        monitor: try monitor(fields),
        patience: try fields.optional("patience")?.integer(in: 0...Int(Int32.max)) ?? defaults.patience,
        minDelta: try fields.optional("min_delta")?.finite(in: 0...Double.greatestFiniteMagnitude, "a number >= 0")
          ?? defaults.minDelta,
        restoreBestWeights: try fields.optional("restore_best_weights")?.bool() ?? defaults.restoreBestWeights,
        startFromEpoch: try fields.optional("start_from_epoch")?.integer(in: 0...Int(Int32.max))
          ?? defaults.startFromEpoch)
    }
    var plateau: ReduceLearningRateOnPlateau?
    if let cursor = object.optional("reduce_lr_on_plateau") {
      let fields = try cursor.object(allowing: plateauMembers)
      let defaults = ReduceLearningRateOnPlateau()
      var factor = defaults.factor
      if let factorCursor = fields.optional("factor") {
        factor = try factorCursor.finite(in: 0...1, "a number in (0, 1)")
        guard factor > 0, factor < 1 else {
          throw factorCursor.violation("expected a number in (0, 1), found \(factor)")
        }
      }
      plateau = ReduceLearningRateOnPlateau(
        monitor: try monitor(fields), factor: factor,
        patience: try fields.optional("patience")?.integer(in: 0...Int(Int32.max)) ?? defaults.patience,
        minDelta: try fields.optional("min_delta")?.finite(in: 0...Double.greatestFiniteMagnitude, "a number >= 0")
          ?? defaults.minDelta,
        cooldown: try fields.optional("cooldown")?.integer(in: 0...Int(Int32.max)) ?? defaults.cooldown,
        minimumLearningRate: try fields.optional("min_lr")?.finite(
          in: 0...Double.greatestFiniteMagnitude, "a number >= 0") ?? defaults.minimumLearningRate)
    }
    return (early, plateau)
  }

  private static func best(_ object: JSONObjectCursor) throws(BPKitJSONError) -> Double? {
    guard let cursor = object.optional("best"), !cursor.isNull else { return nil }
    return try cursor.finite(in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude, "a finite number")
  }

  /// The watches' state under `progress`; a watch the configuration has but
  /// the document leaves out starts afresh, as at a run's start.
  static func readWatches(
    _ object: JSONObjectCursor, configuration: TrainingConfiguration, model: Model,
    into progress: inout TrainingProgress
  ) throws(BPKitJSONError) {
    for (name, present) in [
      ("early_stopping", configuration.earlyStopping != nil),
      ("reduce_lr_on_plateau", configuration.reduceLearningRateOnPlateau != nil),
    ] where !present {
      if let cursor = object.optional(name) {
        throw cursor.violation("the run has no \(name) under training, so its progress cannot hold one")
      }
    }
    if configuration.earlyStopping != nil, let cursor = object.optional("early_stopping") {
      let fields = try cursor.object(allowing: ["best", "best_epoch", "wait", "stopped_epoch", "best_weights"])
      func count(_ name: String) throws(BPKitJSONError) -> Int {
        try fields.optional(name)?.integer(in: 0...Int.max) ?? 0
      }
      let specs = model.orderedParameters.map(\.spec)
      var state = EarlyStopping.State(
        best: try best(fields), bestEpoch: try count("best_epoch"), wait: try count("wait"),
        stoppedEpoch: try count("stopped_epoch"))
      if let weights = fields.optional("best_weights") {
        if model.dtype == .float64 {
          let exact = try WeightsJSON.readFloat64(weights, specs: specs, requireAll: true, what: "weight")
          state.bestWeights = exact.mapValues(Tensor<Float>.init(rounding:))
          state.float64BestWeights = exact
        } else {
          state.bestWeights = try WeightsJSON.read(weights, specs: specs, requireAll: true, what: "weight")
        }
      }
      progress.earlyStopping = state
    }
    if configuration.reduceLearningRateOnPlateau != nil, let cursor = object.optional("reduce_lr_on_plateau") {
      let fields = try cursor.object(allowing: ["best", "wait", "cooldown_counter"])
      progress.plateau = ReduceLearningRateOnPlateau.State(
        best: try best(fields), wait: try fields.optional("wait")?.integer(in: 0...Int.max) ?? 0,
        cooldownCounter: try fields.optional("cooldown_counter")?.integer(in: 0...Int.max) ?? 0)
    }
  }
}
