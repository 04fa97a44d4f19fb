/// A figure of each epoch that early stopping and reduce-on-plateau watch
/// (Keras' `monitor`).
public enum MonitoredMetric: String, Codable, Hashable, Sendable, CaseIterable {
  /// The epoch's mean training loss.
  case loss
  /// The validation loss.
  case validationLoss = "val_loss"
  /// The training accuracy (classifiers).
  case accuracy
  /// The validation accuracy (classifiers).
  case validationAccuracy = "val_accuracy"

  /// Whether larger is better (accuracies), as Keras' `mode="auto"` decides.
  public var isMaximized: Bool { self == .accuracy || self == .validationAccuracy }

  /// The metric's value in an epoch's record, when the epoch measured it.
  public func value(in record: EpochRecord) -> Double? {
    switch self {
    case .loss: record.trainLoss
    case .validationLoss: record.validationLoss
    case .accuracy: record.trainAccuracy
    case .validationAccuracy: record.validationAccuracy
    }
  }
}

/// Stops a run once a monitored figure has stopped improving, as Keras 3's
/// `keras.callbacks.EarlyStopping` does (`keras/src/callbacks/early_stopping.py`,
/// `mode="auto"`, no baseline). With ``restoreBestWeights`` the run ends
/// with the best epoch's weights whether it stopped early or trained all its
/// epochs, as Keras 3's `on_train_end` restores them.
public struct EarlyStopping: Codable, Hashable, Sendable {
  /// The figure watched (Keras' `monitor`, default `val_loss`).
  public var monitor: MonitoredMetric
  /// Epochs without improvement before the run stops (Keras' `patience`).
  public var patience: Int
  /// The least change that counts as an improvement (Keras' `min_delta`).
  public var minDelta: Double
  /// Whether a stopped run ends with the best epoch's weights (Keras' `restore_best_weights`).
  public var restoreBestWeights: Bool
  /// Epochs (counted from 0) before the first one watched (Keras' `start_from_epoch`).
  public var startFromEpoch: Int

  /// Creates a policy with Keras' defaults.
  public init(
    monitor: MonitoredMetric = .validationLoss, patience: Int = 0, minDelta: Double = 0,
    restoreBestWeights: Bool = false, startFromEpoch: Int = 0
  ) {
    self.monitor = monitor
    self.patience = patience
    self.minDelta = minDelta
    self.restoreBestWeights = restoreBestWeights
    self.startFromEpoch = startFromEpoch
  }

  /// Where the watching is, stored in checkpoints so a resumed run stops
  /// where the uninterrupted one would.
  public struct State: Hashable, Sendable {
    /// The best value seen, or `nil` before the first watched epoch.
    public var best: Double?
    /// The epoch (from 1) of the best value; 0 before any.
    public var bestEpoch: Int
    /// Epochs since the last improvement (Keras' `wait`).
    public var wait: Int
    /// The epoch (from 1) at which the run stopped; 0 while it goes on.
    public var stoppedEpoch: Int
    /// The best epoch's weights, kept when ``EarlyStopping/restoreBestWeights``
    /// is set; for a float64 run, rounded to Float32 for display (the run
    /// restores ``float64BestWeights``).
    public var bestWeights: [ParameterKey: Tensor<Float>]?
    /// A float64 run's best weights, exactly as they were (format 1.6), or `nil`.
    public var float64BestWeights: [ParameterKey: Tensor<Double>]?

    /// Creates a state; the defaults are a run's start.
    public init(
      best: Double? = nil, bestEpoch: Int = 0, wait: Int = 0, stoppedEpoch: Int = 0,
      bestWeights: [ParameterKey: Tensor<Float>]? = nil
    ) {
      self.best = best
      self.bestEpoch = bestEpoch
      self.wait = wait
      self.stoppedEpoch = stoppedEpoch
      self.bestWeights = bestWeights
    }

    /// Keeps `model`'s weights as the best: a float64 model's exactly.
    mutating func keepBestWeights(of model: Model) {
      bestWeights = model.parameters
      float64BestWeights = model.float64Parameters
    }

    /// The best weights as a model of `network`, in the precision they were kept in.
    func bestModel(of network: NetworkDescription) throws(BPKitError) -> Model? {
      if let exact = float64BestWeights { return try Model(network: network, float64Parameters: exact) }
      return try bestWeights.map { (weights) throws(BPKitError) in try Model(network: network, parameters: weights) }
    }
  }

  /// Keras' `_is_improvement`: beyond the reference by more than `min_delta`.
  func isImprovement(_ value: Double, over reference: Double?) -> Bool {
    guard let reference else { return true }
    let delta = abs(minDelta)
    return monitor.isMaximized ? value - delta > reference : value + delta < reference
  }

  /// Keras' `on_epoch_end` for the epoch `record` describes.
  ///
  /// - Parameters:
  ///   - state: The watch, updated in place.
  ///   - record: The epoch just ended, with the figures it measured.
  ///   - weights: The weights after the epoch, read only when they are kept.
  /// - Returns: Whether the run stops after this epoch.
  public func update(_ state: inout State, after record: EpochRecord, weights: () -> [ParameterKey: Tensor<Float>])
    -> Bool
  {
    update(&state, after: record) { (state: inout State) in
      state.bestWeights = weights()
      state.float64BestWeights = nil
    }
  }

  /// Keras' `on_epoch_end` for the epoch `record` describes, keeping the
  /// best weights in the model's precision (a float64 model's exactly).
  ///
  /// - Parameters:
  ///   - state: The watch, updated in place.
  ///   - record: The epoch just ended, with the figures it measured.
  ///   - model: The model after the epoch, read only when its weights are kept.
  /// - Returns: Whether the run stops after this epoch.
  public func update(_ state: inout State, after record: EpochRecord, model: () -> Model) -> Bool {
    update(&state, after: record) { (state: inout State) in state.keepBestWeights(of: model()) }
  }

  private func update(_ state: inout State, after record: EpochRecord, keep: (inout State) -> Void) -> Bool {
    let epoch = record.epoch - 1
    guard let current = monitor.value(in: record), epoch >= startFromEpoch else { return false }
    if restoreBestWeights && state.bestWeights == nil {
      keep(&state)
      state.bestEpoch = record.epoch
    }
    state.wait += 1
    if isImprovement(current, over: state.best) {
      state.best = current
      state.bestEpoch = record.epoch
      if restoreBestWeights { keep(&state) }
      state.wait = 0
      return false
    }
    if state.wait >= patience && epoch > 0 {
      state.stoppedEpoch = record.epoch
      return true
    }
    return false
  }
}

/// Multiplies the learning rate by a factor once a monitored figure has
/// stopped improving, as Keras 3's `keras.callbacks.ReduceLROnPlateau` does
/// (`keras/src/callbacks/reduce_lr_on_plateau.py`, `mode="auto"`).
public struct ReduceLearningRateOnPlateau: Codable, Hashable, Sendable {
  /// The figure watched (Keras' `monitor`, default `val_loss`).
  public var monitor: MonitoredMetric
  /// The factor the rate is multiplied by (Keras' `factor`, default 0.1).
  public var factor: Double
  /// Epochs without improvement before the rate is reduced (Keras' `patience`, default 10).
  public var patience: Int
  /// The least change that counts as an improvement (Keras' `min_delta`, default 1e-4).
  public var minDelta: Double
  /// Epochs after a reduction before watching resumes (Keras' `cooldown`).
  public var cooldown: Int
  /// The rate is never reduced below this (Keras' `min_lr`).
  public var minimumLearningRate: Double

  /// Creates a policy with Keras' defaults.
  public init(
    monitor: MonitoredMetric = .validationLoss, factor: Double = 0.1, patience: Int = 10, minDelta: Double = 1e-4,
    cooldown: Int = 0, minimumLearningRate: Double = 0
  ) {
    self.monitor = monitor
    self.factor = factor
    self.patience = patience
    self.minDelta = minDelta
    self.cooldown = cooldown
    self.minimumLearningRate = minimumLearningRate
  }

  /// Where the watching is, stored in checkpoints.
  public struct State: Hashable, Sendable {
    /// The best value seen, or `nil` before the first epoch.
    public var best: Double?
    /// Epochs since the last improvement (Keras' `wait`).
    public var wait: Int
    /// Epochs of cooldown left (Keras' `cooldown_counter`).
    public var cooldownCounter: Int

    /// Creates a state; the defaults are a run's start.
    public init(best: Double? = nil, wait: Int = 0, cooldownCounter: Int = 0) {
      self.best = best
      self.wait = wait
      self.cooldownCounter = cooldownCounter
    }
  }

  /// Keras' `on_epoch_end` for the epoch `record` describes.
  ///
  /// Keras compares the rate with `min_lr` in float32 and multiplies in
  /// double; so does this.
  ///
  /// - Parameters:
  ///   - state: The watch, updated in place.
  ///   - record: The epoch just ended, with the figures it measured.
  ///   - learningRate: The rate the epoch trained with.
  /// - Returns: The reduced rate when the rate is reduced after this epoch, else `nil`.
  public func update(_ state: inout State, after record: EpochRecord, learningRate: Double) -> Double? {
    guard let current = monitor.value(in: record) else { return nil }
    if state.cooldownCounter > 0 {
      state.cooldownCounter -= 1
      state.wait = 0
    }
    let improved =
      state.best.map { monitor.isMaximized ? current > $0 + minDelta : current < $0 - minDelta } ?? true
    if improved {
      state.best = current
      state.wait = 0
    } else if state.cooldownCounter == 0 {
      // Keras asks `in_cooldown()` again here, after the countdown above.
      state.wait += 1
      if state.wait >= patience, Float(learningRate) > Float(minimumLearningRate) {
        state.cooldownCounter = cooldown
        state.wait = 0
        // Keras reads the rate back from its float32 variable before multiplying.
        return max(Double(Float(learningRate)) * factor, minimumLearningRate)
      }
    }
    return nil
  }
}
