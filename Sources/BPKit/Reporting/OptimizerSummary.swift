/// An optimizer's kind, the hyperparameters it uses and how far it has gone.
public struct OptimizerSummary: Sendable, Encodable {
  /// `sgd`, `momentum`, `nesterov`, `adam`, `adamw`, `nadam`, `adagrad`, `rmsprop` or `rprop`.
  public var kind: String
  /// The hyperparameters this kind uses, by their snake_case names, in the
  /// order the optimizer's formula introduces them.
  public var hyperparameters: [(name: String, value: Double)]
  /// The updates applied so far (Keras' `iterations`).
  public var iterations: Int64
  /// The names of the per-weight slots, sorted.
  public var slots: [String]
  /// The learning-rate schedule in `--lr-schedule` form (its `learning_rate`
  /// above is the rate at step 0), or `nil` for a constant rate.
  public var schedule: String?

  /// Summarises an optimizer's state.
  public init(_ state: OptimizerState) {
    let configuration = state.configuration
    kind = configuration.kind.rawValue
    hyperparameters = configuration.usedHyperparameters
    iterations = state.iterations
    slots = state.slots.keys.sorted()
    schedule = configuration.schedule?.summary
  }

  private enum CodingKeys: String, CodingKey {
    case kind, hyperparameters, iterations, slots
    case schedule = "learning_rate_schedule"
  }

  private struct NameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  /// Encodes the summary as `bpkit inspect --json` prints it.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(kind, forKey: .kind)
    var values = container.nestedContainer(keyedBy: NameKey.self, forKey: .hyperparameters)
    for (name, value) in hyperparameters { try values.encode(value, forKey: NameKey(stringValue: name)) }
    try container.encode(iterations, forKey: .iterations)
    try container.encode(slots, forKey: .slots)
    try container.encodeIfPresent(schedule, forKey: .schedule)
  }
}

extension OptimizerConfiguration {
  /// The hyperparameters `kind` reads, by their snake_case names (Keras' where
  /// Keras has them); the others are stored but have no effect.
  var usedHyperparameters: [(name: String, value: Double)] {
    var used: [(name: String, value: Double)]
    switch kind {
    case .sgd where momentum == 0: used = [("learning_rate", learningRate)]
    case .sgd, .momentum, .nesterov: used = [("learning_rate", learningRate), ("momentum", momentum)]
    case .adam, .adamw, .nadam:
      used = [("learning_rate", learningRate), ("beta_1", beta1), ("beta_2", beta2), ("epsilon", epsilon)]
      if amsgrad { used.append(("amsgrad", 1)) }
    case .adagrad:
      used = [
        ("learning_rate", learningRate), ("initial_accumulator_value", initialAccumulatorValue),
        ("epsilon", epsilon),
      ]
    case .rmsprop:
      used = [("learning_rate", learningRate), ("rho", rho), ("momentum", momentum), ("epsilon", epsilon)]
      if centered { used.append(("centered", 1)) }
    case .rprop:
      used = [
        ("increase_factor", increaseFactor), ("decrease_factor", decreaseFactor), ("minimum_step", minimumStep),
        ("maximum_step", maximumStep), ("initial_step", initialStep),
      ]
    }
    // Keras' base-optimizer settings, shown when on (AdamW's decay always).
    if weightDecay != 0 || kind == .adamw { used.append(("weight_decay", weightDecay)) }
    for (name, value) in [("clipnorm", clipNorm), ("clipvalue", clipValue), ("global_clipnorm", globalClipNorm)]
    where value != 0 {
      used.append((name, value))
    }
    return used
  }
}
