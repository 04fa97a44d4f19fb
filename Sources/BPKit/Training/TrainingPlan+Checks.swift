extension TrainingPlan {
  /// Refuses options that mean nothing for the network and optimizer the run
  /// trains, rather than ignoring them: momentum, amsgrad, centring or an
  /// initial accumulator for an optimizer without one, a learning rate, batch
  /// size, weight decay or clipping for full-batch iRPROP−, truncated
  /// BPTT for a network without recurrent layers.
  ///
  /// - Throws: ``TrainingError/invalidSetting(_:)`` naming the option.
  static func refuseMeaningless(
    _ schedule: TrainingOptions.Schedule, network: NetworkDescription, optimizer: OptimizerKind
  ) throws(TrainingError) {
    if schedule.momentum != nil, [.adam, .adamw, .nadam, .adagrad, .rprop].contains(optimizer) {
      throw .invalidSetting(
        "--momentum is a setting of the sgd, momentum, nesterov and rmsprop optimizers; \(optimizer.rawValue) has "
          + "none. Drop --momentum, or choose one of those with --optimizer")
    }
    let only: [(String, Bool, [OptimizerKind])] = [
      ("--amsgrad", schedule.amsgrad != nil, [.adam, .adamw]), ("--centered", schedule.centered != nil, [.rmsprop]),
      ("--initial-accumulator-value", schedule.initialAccumulatorValue != nil, [.adagrad]),
    ]
    for (flag, given, kinds) in only where given && !kinds.contains(optimizer) {
      throw .invalidSetting(
        "\(flag) is a setting of \(kinds.map(\.rawValue).joined(separator: " and ")); \(optimizer.rawValue) has none. "
          + "Drop \(flag), or choose \(kinds.count == 1 ? "it" : "one of them") with --optimizer")
    }
    for (flag, given) in [
      ("--weight-decay", schedule.weightDecay != nil), ("--clipnorm", schedule.clipNorm != nil),
      ("--clipvalue", schedule.clipValue != nil), ("--global-clipnorm", schedule.globalClipNorm != nil),
    ] where given && optimizer == .rprop {
      throw .invalidSetting(
        "rprop follows only the signs of the full-batch gradient and has no learning rate, so \(flag) means "
          + "nothing for it; drop \(flag)")
    }
    if schedule.learningRateSchedule != nil, optimizer == .rprop {
      throw .invalidSetting("rprop adapts a step size for each weight and has no learning rate; drop --lr-schedule")
    }
    if schedule.learningRate != nil, optimizer == .rprop {
      throw .invalidSetting("rprop adapts a step size for each weight and has no learning rate; drop --lr")
    }
    if schedule.batchSize != nil, optimizer == .rprop {
      throw .invalidSetting(
        "rprop is a full-batch method: it updates the weights once an epoch, from every sample; drop --batch-size")
    }
    if schedule.bpttSteps != nil, !network.layers.contains(where: \.kind.isRecurrent) {
      throw .invalidSetting(
        "--bptt-steps truncates backpropagation through time, which needs a recurrent layer (rnnN, lstmN, gruN); the network "
          + "has none. Drop --bptt-steps")
    }
  }

  /// Refuses early stopping or reduce-on-plateau watching a figure the run
  /// never measures (a validation figure without validation data, an accuracy
  /// without classes), and reduce-on-plateau for a rate it cannot set.
  ///
  /// - Throws: ``TrainingError/invalidSetting(_:)`` naming the option and the way out.
  static func refuseUnwatchable(
    _ configuration: TrainingConfiguration, optimizer: OptimizerConfiguration, validation: Bool
  ) throws(TrainingError) {
    let watched: [(String, MonitoredMetric)] =
      [configuration.earlyStopping.map { ("--early-stopping", $0.monitor) }]
      .compactMap { $0 }
      + [configuration.reduceLearningRateOnPlateau.map { ("--reduce-lr-on-plateau", $0.monitor) }].compactMap { $0 }
    for (flag, monitor) in watched {
      if !validation, monitor == .validationLoss || monitor == .validationAccuracy {
        throw .invalidSetting(
          "\(flag) watches \(monitor.rawValue), but the run has no validation data; give --validation-split or "
            + "--validation, or watch monitor=\(monitor == .validationLoss ? "loss" : "accuracy")")
      }
      if monitor.isMaximized, configuration.loss == .meanSquaredError {
        throw .invalidSetting(
          "\(flag) watches \(monitor.rawValue), which a run with the mse loss does not measure; watch "
            + "monitor=\(monitor == .accuracy ? "loss" : "val_loss")")
      }
    }
    if configuration.reduceLearningRateOnPlateau != nil {
      if let schedule = optimizer.schedule {
        throw .invalidSetting(
          "--reduce-lr-on-plateau sets the learning rate, which follows the schedule \(schedule.summary) "
            + "(Keras refuses the same); drop one of them")
      }
      if optimizer.kind == .rprop {
        throw .invalidSetting("rprop has no learning rate to reduce; drop --reduce-lr-on-plateau")
      }
    }
  }

  /// Refuses a layer list whose `std` layer training would leave as it is:
  /// one after another layer, or one without `--standardize` to fill it.
  ///
  /// - Throws: ``TrainingError/invalidSetting(_:)`` naming the layer and the option.
  static func refuseUnfilledStandardization(_ network: NetworkDescription, standardize: Bool) throws(TrainingError) {
    guard let index = network.layers.firstIndex(where: { $0.kind == .standardize }) else { return }
    guard index == 0, network.layers.dropFirst().allSatisfy({ $0.kind != .standardize }) else {
      throw .invalidSetting(
        "a std layer standardizes the network's input, so it comes right after the input size (\"4,std,16:tanh,3\"); "
          + "it cannot follow another layer")
    }
    guard standardize else {
      throw .invalidSetting(
        "the std layer is filled with the training data's mean and standard deviation by --standardize; add "
          + "--standardize, or drop std from --layers")
    }
  }

  /// Refuses data options a resumed run would ignore: its validation split
  /// and its standardization are fixed by the checkpoint.
  ///
  /// - Throws: ``TrainingError/invalidSetting(_:)`` naming the option.
  static func refuseDataChanges(_ data: TrainingOptions.DataSelection, against checkpoint: Checkpoint)
    throws(TrainingError)
  {
    let split = checkpoint.configuration.validationSplit
    if let asked = data.validationSplit, asked != split {
      throw .invalidSetting(
        "the run holds out \(split == 0 ? "no data" : "\(split) of its data") for validation; the split decides "
          + "which samples train, so --validation-split cannot change on resume")
    }
    let seed = checkpoint.configuration.validationSplitSeed
    if let asked = data.validationSplitSeed, asked != seed {
      throw .invalidSetting(
        "the run's validation split "
          + (split == 0
            ? "holds out no data"
            : seed.map { "draws its held-out samples with the seed \($0)" } ?? "holds out the last samples")
          + "; the split decides which samples train, so --split-seed cannot change on resume")
    }
    if data.validation != nil, split > 0 {
      throw .invalidSetting(
        "the run holds out \(split) of its training data for validation; --validation would train on those "
          + "samples, so it cannot be given on resume")
    }
    if data.standardize, checkpoint.model.network.layers.first?.kind != .standardize {
      throw .invalidSetting(
        "the run's model does not standardize its inputs, and its input scaling cannot change on resume; drop "
          + "--standardize, or start a new run with it")
    }
  }

  /// A warning when a validation split holds out other classes than the
  /// training samples have, as the end of data sorted by class does; `nil`
  /// when the classes agree, the targets are not classes, or there are too
  /// few held-out samples to hold every class.
  static func splitClassWarning(
    training: TrainingData, validation: TrainingData?, loss: Loss, names: [String]?
  ) -> String? {
    guard case .inMemory(let kept) = training, case .inMemory(let held) = validation,
      let trained = classes(of: kept, loss: loss), let validated = classes(of: held, loss: loss),
      trained != validated, held.sampleCount >= trained.count
    else { return nil }
    func list(_ classes: Set<Int>) -> String {
      classes.sorted().map { index in
        names.flatMap { $0.indices.contains(index) ? $0[index] : nil } ?? "\(index)"
      }.joined(separator: ", ")
    }
    func named(_ set: Set<Int>) -> String { (set.count == 1 ? "the class " : "the classes ") + list(set) }
    return "the validation split holds out the last \(held.sampleCount) samples, of \(named(validated)), but "
      + "trains on \(named(trained)): the data looks sorted by class. Hold out samples drawn at random with "
      + "--split-seed N, or give validation data of its own with --validation"
  }

  /// The classes a dataset's targets hold: labels, or the largest value of
  /// one-hot rows; `nil` for targets that are not classes.
  private static func classes(of data: Dataset, loss: Loss) -> Set<Int>? {
    guard let targets = data.targets, !loss.isRegression, data.sampleCount > 0 else { return nil }
    let width = data.targetWidth
    if width == 1 {
      guard targets.scalars.allSatisfy({ $0 == $0.rounded() && $0 >= 0 && $0 < 16_777_216 }) else { return nil }
      return Set(targets.scalars.map { Int($0) })
    }
    guard targets.shape.count == 2 else { return nil }
    return Set(
      (0..<data.sampleCount).map { row in
        let values = targets.scalars[row * width..<(row + 1) * width]
        return values.indices.max { values[$0] < values[$1] }! - row * width
      })
  }
}

extension TrainingPlan {
  /// The network with the layers `names` frozen (Keras' `trainable=False`).
  ///
  /// - Throws: ``TrainingError/invalidSetting(_:)`` for a name the network
  ///   lacks, a layer without weights to freeze, or nothing left to train.
  static func freezing(_ names: [String], in network: NetworkDescription) throws(TrainingError)
    -> NetworkDescription
  {
    var network = network
    let withWeights = network.layers.filter { Self.hasTrainableWeights($0.kind) }.map(\.name)
    for name in names {
      guard let index = network.layers.firstIndex(where: { $0.name == name }) else {
        throw .invalidSetting(
          "--freeze names the layer '\(name)', which the network lacks; its layers are "
            + network.layers.map(\.name).joined(separator: ", "))
      }
      guard withWeights.contains(name) else {
        throw .invalidSetting(
          "--freeze names '\(name)', a \(network.layers[index].kind.typeName) layer, which has no weights training "
            + "changes")
      }
      network.layers[index].trainable = false
    }
    guard network.layers.contains(where: { $0.trainable && Self.hasTrainableWeights($0.kind) }) else {
      throw .invalidSetting("--freeze leaves no layer to train; freeze fewer of \(withWeights.joined(separator: ", "))")
    }
    return network
  }

  /// The note for optimizer slots a file holds for layers `--freeze` now
  /// freezes: a frozen layer has no slots, so the run leaves them out (as
  /// Keras rebuilds its optimizer when a layer turns untrainable). Nil when
  /// the file has none for them.
  static func droppedSlotsNote(_ state: OptimizerState, frozen names: [String], file: String) -> String? {
    let frozen = Set(names)
    let dropped = state.slots.keys.sorted().filter { slot in
      state.slots[slot]!.keys.contains { frozen.contains($0.layer) }
    }
    guard !dropped.isEmpty else { return nil }
    let layers = names.filter { name in state.slots.values.contains { $0.keys.contains { $0.layer == name } } }
    return "\(file): not kept: the optimizer's \(dropped.joined(separator: ", ")) of "
      + layers.map { "'\($0)'" }.joined(separator: ", ")
      + ": --freeze leaves frozen layers without optimizer slots; drop --freeze to continue them"
  }

  /// Whether a layer of this kind has weights training changes (a standardize
  /// layer's are fixed, a dropout layer has none).
  static func hasTrainableWeights(_ kind: LayerKind) -> Bool {
    switch kind {
    case .standardize, .dropout: false
    case .dense, .elman, .lstm, .gru: true
    }
  }

  /// Refuses `--freeze` on resume unless it names exactly the run's frozen layers.
  ///
  /// - Throws: ``TrainingError/invalidSetting(_:)`` naming the run's frozen layers.
  static func refuseFreezeChange(_ names: [String]?, against network: NetworkDescription) throws(TrainingError) {
    guard let names else { return }
    let frozen = network.layers.filter { !$0.trainable }.map(\.name)
    guard Set(names) != Set(frozen) else { return }
    throw .invalidSetting(
      "the run's frozen layers are fixed when it starts and kept in its checkpoint ("
        + (frozen.isEmpty ? "none" : frozen.joined(separator: ", ")) + "); drop --freeze")
  }
}
