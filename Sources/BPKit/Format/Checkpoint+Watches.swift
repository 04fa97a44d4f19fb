import HDF5

/// Early stopping and reduce-on-plateau in bpkit's HDF5 files (format 1.4):
/// their settings in `/training/early_stopping` and
/// `/training/reduce_lr_on_plateau`, their watch in the groups of the same
/// names under `/progress`.
extension CheckpointFileCoding {
  /// The settings, by Keras' names, when the run has them.
  static func writeWatchSettings(_ configuration: TrainingConfiguration, into group: HDF5Group) throws {
    if let policy = configuration.earlyStopping {
      let watch = try group.createGroup(FileLayout.earlyStopping)
      try watch.setAttribute("monitor", to: policy.monitor.rawValue)
      try watch.setAttribute("patience", to: Int64(policy.patience))
      try watch.setAttribute("min_delta", to: policy.minDelta)
      try watch.setAttribute("restore_best_weights", to: UInt8(policy.restoreBestWeights ? 1 : 0))
      try watch.setAttribute("start_from_epoch", to: Int64(policy.startFromEpoch))
    }
    if let policy = configuration.reduceLearningRateOnPlateau {
      let watch = try group.createGroup(FileLayout.reduceLearningRateOnPlateau)
      try watch.setAttribute("monitor", to: policy.monitor.rawValue)
      try watch.setAttribute("factor", to: policy.factor)
      try watch.setAttribute("patience", to: Int64(policy.patience))
      try watch.setAttribute("min_delta", to: policy.minDelta)
      try watch.setAttribute("cooldown", to: Int64(policy.cooldown))
      try watch.setAttribute("min_lr", to: policy.minimumLearningRate)
    }
  }

  /// Early stopping's and reduce-on-plateau's watch (format 1.4), when the run has them.
  static func writeWatches(
    _ progress: TrainingProgress, configuration: TrainingConfiguration, layers: [Layer], into group: HDF5Group,
    with writer: FileWriter
  ) throws {
    if configuration.earlyStopping != nil {
      let state = progress.earlyStopping
      let watch = try group.createGroup(FileLayout.earlyStopping)
      try watch.setAttribute("best", to: state.best ?? .nan)
      try watch.setAttribute("best_epoch", to: Int64(state.bestEpoch))
      try watch.setAttribute("wait", to: Int64(state.wait))
      try watch.setAttribute("stopped_epoch", to: Int64(state.stoppedEpoch))
      // A float64 run's best weights are float64 datasets (1.6), as its /weights are.
      if let exact = state.float64BestWeights {
        try writer.writeTensors(exact, layers: layers, into: try watch.createGroup("best_weights"))
      } else if let weights = state.bestWeights {
        try writer.writeTensors(weights, layers: layers, into: try watch.createGroup("best_weights"))
      }
    }
    if configuration.reduceLearningRateOnPlateau != nil {
      let state = progress.plateau
      let watch = try group.createGroup(FileLayout.reduceLearningRateOnPlateau)
      try watch.setAttribute("best", to: state.best ?? .nan)
      try watch.setAttribute("wait", to: Int64(state.wait))
      try watch.setAttribute("cooldown_counter", to: Int64(state.cooldownCounter))
    }
  }

  static func readWatchSettings(_ reader: FileReader, _ group: HDF5Group) throws -> (
    EarlyStopping?, ReduceLearningRateOnPlateau?
  ) {
    func monitor(_ watch: HDF5Group) throws -> MonitoredMetric {
      let text = try reader.string("monitor", of: watch)
      guard let metric = MonitoredMetric(rawValue: text) else {
        throw FormatError.invalidValue(
          file: reader.path, path: "\(watch.path)@monitor",
          reason: "unknown figure '\(text)'; expected one of "
            + MonitoredMetric.allCases.map(\.rawValue).joined(separator: ", "))
      }
      return metric
    }
    func number(_ name: String, _ watch: HDF5Group, _ valid: (Double) -> Bool, _ expected: String) throws -> Double {
      let value = try reader.attribute(name, of: watch, as: Double.self)
      guard value.isFinite, valid(value) else {
        throw FormatError.invalidValue(
          file: reader.path, path: "\(watch.path)@\(name)", reason: "it is \(value); it must be \(expected)")
      }
      return value
    }
    var early: EarlyStopping?
    var plateau: ReduceLearningRateOnPlateau?
    if try group.contains(FileLayout.earlyStopping) {
      let watch = try reader.group("\(FileLayout.training)/\(FileLayout.earlyStopping)")
      early = EarlyStopping(
        monitor: try monitor(watch), patience: try reader.count("patience", of: watch),
        minDelta: try number("min_delta", watch, { $0 >= 0 }, "0 or more"),
        restoreBestWeights: try reader.attribute("restore_best_weights", of: watch, as: UInt8.self) != 0,
        startFromEpoch: try reader.count("start_from_epoch", of: watch))
    }
    if try group.contains(FileLayout.reduceLearningRateOnPlateau) {
      let watch = try reader.group("\(FileLayout.training)/\(FileLayout.reduceLearningRateOnPlateau)")
      plateau = ReduceLearningRateOnPlateau(
        monitor: try monitor(watch), factor: try number("factor", watch, { $0 > 0 && $0 < 1 }, "in (0, 1)"),
        patience: try reader.count("patience", of: watch),
        minDelta: try number("min_delta", watch, { $0 >= 0 }, "0 or more"),
        cooldown: try reader.count("cooldown", of: watch),
        minimumLearningRate: try number("min_lr", watch, { $0 >= 0 }, "0 or more"))
    }
    return (early, plateau)
  }

  static func readWatches(
    _ reader: FileReader, configuration: TrainingConfiguration, model: Model, into progress: inout TrainingProgress
  ) throws {
    let group = try reader.group(FileLayout.progress)
    func best(_ watch: HDF5Group) throws -> Double? {
      let value = try reader.attribute("best", of: watch, as: Double.self)
      if value.isNaN { return nil }
      guard value.isFinite else {
        throw FormatError.invalidValue(
          file: reader.path, path: "\(watch.path)@best", reason: "it is \(value); it must be finite or NaN (none yet)")
      }
      return value
    }
    if configuration.earlyStopping != nil {
      let path = "\(FileLayout.progress)/\(FileLayout.earlyStopping)"
      guard try group.contains(FileLayout.earlyStopping) else {
        throw FormatError.missingObject(file: reader.path, path: "/" + path)
      }
      let watch = try reader.group(path)
      var state = EarlyStopping.State(
        best: try best(watch), bestEpoch: try reader.count("best_epoch", of: watch),
        wait: try reader.count("wait", of: watch), stoppedEpoch: try reader.count("stopped_epoch", of: watch))
      if try watch.contains("best_weights") {
        let specs = model.orderedParameters.map(\.spec)
        let group = try reader.group(path + "/best_weights")
        if model.dtype == .float64 {
          let exact = try ModelFileCoding.readTensors(reader, from: group, specs: specs, as: Double.self)
          state.bestWeights = exact.mapValues(Tensor<Float>.init(rounding:))
          state.float64BestWeights = exact
        } else {
          state.bestWeights = try ModelFileCoding.readTensors(reader, from: group, specs: specs)
        }
      }
      progress.earlyStopping = state
    }
    if configuration.reduceLearningRateOnPlateau != nil {
      let path = "\(FileLayout.progress)/\(FileLayout.reduceLearningRateOnPlateau)"
      guard try group.contains(FileLayout.reduceLearningRateOnPlateau) else {
        throw FormatError.missingObject(file: reader.path, path: "/" + path)
      }
      let watch = try reader.group(path)
      progress.plateau = ReduceLearningRateOnPlateau.State(
        best: try best(watch), wait: try reader.count("wait", of: watch),
        cooldownCounter: try reader.count("cooldown_counter", of: watch))
    }
  }
}
