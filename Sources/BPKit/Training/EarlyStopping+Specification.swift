/// The `name=value,...` settings of `bpkit train --early-stopping` and
/// `--reduce-lr-on-plateau`, by Keras' names; a yes-or-no setting alone means yes.
struct CallbackSpecification {
  let option: String
  var values: [String: String] = [:]

  init(_ text: String, option: String, allowed: [String]) throws(BPKitError) {
    self.option = option
    for item in text.split(separator: ",") {
      let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
      guard allowed.contains(pair[0]) else {
        throw Self.refusal(
          "\(option) has no setting \(pair[0]); its settings are \(allowed.joined(separator: ", "))")
      }
      guard values[pair[0]] == nil else { throw Self.refusal("\(option) gives \(pair[0]) twice") }
      values[pair[0]] = pair.count == 2 ? pair[1] : "true"
    }
  }

  static func refusal(_ message: String) -> BPKitError { BPKitError(TrainingError.invalidSetting(message)) }

  func number(_ name: String, _ fallback: Double, _ valid: (Double) -> Bool, _ expected: String) throws(BPKitError)
    -> Double
  {
    guard let text = values[name] else { return fallback }
    guard let value = Double(text), value.isFinite, valid(value) else {
      throw Self.refusal("\(option) \(name) must be \(expected), not \(text)")
    }
    return value
  }

  func count(_ name: String, _ fallback: Int) throws(BPKitError) -> Int {
    guard let text = values[name] else { return fallback }
    guard let value = Int(text), value >= 0, value <= Int(Int32.max) else {
      throw Self.refusal("\(option) \(name) must be a whole number >= 0, not \(text)")
    }
    return value
  }

  func flag(_ name: String) throws(BPKitError) -> Bool {
    switch values[name] {
    case nil, "false": return false
    case "true": return true
    case let text?: throw Self.refusal("\(option) \(name) must be true or false, not \(text)")
    }
  }

  func monitor() throws(BPKitError) -> MonitoredMetric {
    guard let text = values["monitor"] else { return .validationLoss }
    guard let metric = MonitoredMetric(rawValue: text) else {
      throw Self.refusal(
        "\(option) monitor must be one of \(MonitoredMetric.allCases.map(\.rawValue).joined(separator: ", ")), not \(text)"
      )
    }
    return metric
  }
}

extension EarlyStopping {
  /// Reads `bpkit train --early-stopping`: Keras' settings `monitor`,
  /// `patience`, `min_delta`, `restore_best_weights` and `start_from_epoch`
  /// as `name=value` separated by commas (`patience=3,restore_best_weights`),
  /// with Keras' defaults for those left out.
  ///
  /// - Throws: ``BPKitError`` (``BPKitError/Code/invalidSetting``) naming the setting.
  public init(specification: String) throws(BPKitError) {
    let spec = try CallbackSpecification(
      specification, option: "--early-stopping",
      allowed: ["monitor", "patience", "min_delta", "restore_best_weights", "start_from_epoch"])
    self.init(
      monitor: try spec.monitor(), patience: try spec.count("patience", 0),
      minDelta: try spec.number("min_delta", 0, { $0 >= 0 }, "a number >= 0"),
      restoreBestWeights: try spec.flag("restore_best_weights"), startFromEpoch: try spec.count("start_from_epoch", 0))
  }

  /// The settings in `--early-stopping` form, as `inspect` shows them.
  public var summary: String {
    "monitor=\(monitor.rawValue),patience=\(patience),min_delta=\(minDelta)"
      + (restoreBestWeights ? ",restore_best_weights" : "")
      + (startFromEpoch > 0 ? ",start_from_epoch=\(startFromEpoch)" : "")
  }
}

extension ReduceLearningRateOnPlateau {
  /// Reads `bpkit train --reduce-lr-on-plateau`: Keras' settings `monitor`,
  /// `factor`, `patience`, `min_delta`, `cooldown` and `min_lr` as
  /// `name=value` separated by commas (`factor=0.5,patience=2`), with Keras'
  /// defaults for those left out.
  ///
  /// - Throws: ``BPKitError`` (``BPKitError/Code/invalidSetting``) naming the setting.
  public init(specification: String) throws(BPKitError) {
    let spec = try CallbackSpecification(
      specification, option: "--reduce-lr-on-plateau",
      allowed: ["monitor", "factor", "patience", "min_delta", "cooldown", "min_lr"])
    self.init(
      monitor: try spec.monitor(), factor: try spec.number("factor", 0.1, { $0 > 0 && $0 < 1 }, "in (0, 1)"),
      patience: try spec.count("patience", 10),
      minDelta: try spec.number("min_delta", 1e-4, { $0 >= 0 }, "a number >= 0"),
      cooldown: try spec.count("cooldown", 0),
      minimumLearningRate: try spec.number("min_lr", 0, { $0 >= 0 }, "a number >= 0"))
  }

  /// The settings in `--reduce-lr-on-plateau` form, as `inspect` shows them.
  public var summary: String {
    "monitor=\(monitor.rawValue),factor=\(factor),patience=\(patience),min_delta=\(minDelta),cooldown=\(cooldown),"
      + "min_lr=\(minimumLearningRate)"
  }
}

extension EarlyStopping.State {
  /// The watch in words, as `inspect` and `diff` show it.
  public var summary: String {
    let best = self.best.map { "best \($0) at epoch \(bestEpoch)" } ?? "nothing watched yet"
    let weights = bestWeights == nil ? "" : ", best weights kept"
    let stopped = stoppedEpoch > 0 ? ", stopped at epoch \(stoppedEpoch)" : ""
    return "\(best), \(wait) epochs waited\(weights)\(stopped)"
  }
}

extension ReduceLearningRateOnPlateau.State {
  /// The watch in words, as `inspect` and `diff` show it.
  public var summary: String {
    let best = self.best.map { "best \($0)" } ?? "nothing watched yet"
    return "\(best), \(wait) epochs waited"
      + (cooldownCounter > 0 ? ", \(cooldownCounter) epochs of cooldown left" : "")
  }
}
