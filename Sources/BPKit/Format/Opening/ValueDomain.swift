import Foundation

/// The last step of the opening policy: the domain of every value a model or
/// checkpoint file holds, checked the same way whether it came from HDF5 or
/// JSON. A value outside its domain would make training or reporting trap
/// (an integer overflow), loop, or go on silently with NaN.
///
/// Counts are bounded by 2^53, where every integer is exact as a Double; the
/// number of epochs and the batch size by the sizes training can work with.
enum ValueDomain {
  /// Where a value lives, spelled for each format.
  struct Place {
    var hdf5: String
    var json: String

    static func attribute(_ group: String, _ name: String) -> Place {
      Place(hdf5: "/\(group)@\(name)", json: "$.\(group).\(name)")
    }
    static func dataset(_ group: String, _ name: String) -> Place {
      Place(hdf5: "/\(group)/\(name)", json: "$.\(group).\(name)")
    }
  }

  /// A value outside its domain.
  struct Violation: Error {
    var place: Place
    var reason: String
  }

  /// The largest count: integers up to 2^53 are exact as Double.
  static let maximumCount = 1 << 53
  /// The largest number of epochs or epoch index.
  static let maximumEpochs = TrainingOptions.maximumEpochs
  /// The largest batch size and truncated-BPTT length.
  static let maximumBatch = TrainingOptions.maximumBatchSize
  /// The largest magnitude of a history metric or seconds figure: far beyond
  /// any real value, far enough from the largest Double that differences
  /// between two of them stay finite.
  static let maximumMetric = 1e300
  /// The largest time in seconds (elapsed, or since 1970): about 3,000 years.
  static let maximumSeconds = 1e11

  // MARK: Models

  /// Every weight must be a finite number: a float64 model's own values,
  /// which may lie beyond Float32's range.
  static func check(_ model: Model) throws(Violation) {
    for (spec, tensor) in model.orderedParameters {
      let place = Place(
        hdf5: "/weights/\(spec.key.layer)/\(spec.key.name)", json: "$.weights.\(spec.key.layer).\(spec.key.name)")
      if let exact = model.float64Parameters?[spec.key] {
        try finite(exact.scalars, place)
      } else {
        try finite(tensor.scalars, place)
      }
    }
  }

  /// The first weight of `model` that is NaN or infinite, for the readers of
  /// other formats (Keras, ONNX, safetensors), which name it their own way.
  /// A float64 model's weights are checked as stored, in Float64.
  static func nonFiniteWeight(in model: Model) -> (key: ParameterKey, reason: String)? {
    for (spec, tensor) in model.orderedParameters {
      if let exact = model.float64Parameters?[spec.key] {
        if let index = exact.scalars.firstIndex(where: { !$0.isFinite }) {
          return (spec.key, "element \(index) is \(exact.scalars[index]); values must be finite")
        }
      } else if let index = firstNonFinite(tensor.scalars) {
        return (spec.key, "element \(index) is \(tensor.scalars[index]); values must be finite")
      }
    }
    return nil
  }

  private static func finite<S: BinaryFloatingPoint>(_ scalars: [S], _ place: Place) throws(Violation) {
    let index =
      S.self == Float.self
      ? firstNonFinite(unsafeBitCast(scalars, to: [Float].self)) : scalars.firstIndex(where: { !$0.isFinite })
    if let index {
      throw Violation(place: place, reason: "element \(index) is \(scalars[index]); values must be finite")
    }
  }

  /// The index of the first NaN or infinity, or `nil`.
  static func firstNonFinite(_ scalars: [Float]) -> Int? {
    scalars.withUnsafeBufferPointer { firstNonFinite($0) }
  }

  /// The index of the first NaN or infinity in `scalars`, or `nil`.
  ///
  /// All exponent bits set is what NaN and the infinities share, and only
  /// then does adding one to the exponent carry into the sign bit: blocks of
  /// 4,096 are checked by OR-ing those sums, arithmetic with no branch that
  /// the compiler vectorises (a comparison per element was compiled into
  /// a branch per element once inlined into the streaming conversion); only
  /// a block that holds one is searched element by element.
  static func firstNonFinite(_ scalars: UnsafeBufferPointer<Float>) -> Int? {
    scalars.withMemoryRebound(to: UInt32.self) { bits in
      let block = 4096
      var start = 0
      while start < bits.count {
        let end = min(start + block, bits.count)
        var carries: UInt32 = 0
        for index in start..<end { carries |= (bits[index] & 0x7F80_0000) &+ 0x0080_0000 }
        if carries & 0x8000_0000 != 0 { return (start..<end).first { bits[$0] & 0x7F80_0000 == 0x7F80_0000 } }
        start = end
      }
      return nil
    }
  }

  // MARK: Checkpoints

  /// The training state; the model's weights are checked where the model is read.
  static func check(_ checkpoint: Checkpoint) throws(Violation) {
    try check(checkpoint.optimizer)
    try check(checkpoint.configuration)
    try check(checkpoint.progress)
    try check(createdAt: checkpoint.createdAt)
    for (name, data) in [("data", checkpoint.data), ("validation_data", checkpoint.validationData)] {
      guard let data else { continue }
      try count(data.sampleCount, .attribute(name, "sample_count"))
    }
    // The epoch order is empty before the first epoch, else one entry per sample.
    let order = checkpoint.progress.order
    if let data = checkpoint.data, !order.isEmpty, order.count != data.sampleCount {
      throw Violation(
        place: Place(hdf5: "/progress/order", json: "$.progress.order"),
        reason:
          "it holds \(order.count) entries; the training data has \(data.sampleCount) samples (/data@sample_count)")
    }
    // A seeded split held out round(n × split) of the n rows, and trains on the others.
    if let data = checkpoint.data, let rows = checkpoint.configuration.validationRows {
      let total = data.sampleCount + rows.count
      let held = ValidationSplit.heldOutCount(of: total, fraction: checkpoint.configuration.validationSplit)
      guard rows.count == held, rows.last.map({ $0 < total }) ?? true else {
        throw Violation(
          place: .dataset("training", "validation_rows"),
          reason:
            "it holds \(rows.count) rows up to \(rows.last ?? 0); a split of \(checkpoint.configuration.validationSplit) "
            + "of \(total) samples (/data@sample_count and these) holds out \(held), each below \(total)")
      }
    }
  }

  /// A checkpoint's time of writing: finite, within about 3,000 years of
  /// 1970. Writers check it too, since no text can be made of a NaN date.
  static func check(createdAt date: Date) throws(Violation) {
    try within(
      date.timeIntervalSince1970, -maximumSeconds...maximumSeconds,
      Place(hdf5: "/@created_at_unix", json: "$.created_at"))
  }

  private static func check(_ state: OptimizerState) throws(Violation) {
    let configuration = state.configuration
    for (name, value) in CheckpointFileCoding.hyperparameters(configuration)
      + CheckpointFileCoding.addedHyperparameters(configuration)
    {
      try within(
        value, 0...Double.greatestFiniteMagnitude,
        Place(hdf5: "/optimizer@\(name)", json: "$.optimizer.configuration.\(name)"))
    }
    try count(Int(state.iterations), .attribute("optimizer", "iterations"))
    for (slot, tensors) in state.slots {
      for (key, tensor) in tensors {
        let place = Place(
          hdf5: "/optimizer/slots/\(slot)/\(key.layer)/\(key.name)",
          json: "$.optimizer.slots.\(slot).\(key.layer).\(key.name)")
        if let exact = state.float64Slots?[slot]?[key] {
          try finite(exact.scalars, place)
        } else {
          try finite(tensor.scalars, place)
        }
        // Adam, Nadam and RMSprop divide by the square root of the velocity
        // (AMSGrad of its running maximum), Adagrad of its accumulator; Rprop's
        // step sizes are magnitudes.
        // A float64 slot's sign is its own: -1e-50 rounds to Float32's -0.
        let values = state.float64Slots?[slot]?[key]?.scalars ?? tensor.scalars.map(Double.init)
        if ["velocity", "velocity_hat", "accumulator", "step_size"].contains(slot),
          let index = values.firstIndex(where: { $0 < 0 })
        {
          throw Violation(
            place: place, reason: "element \(index) is \(tensor.scalars[index]); a \(slot) cannot be negative")
        }
      }
    }
  }

  private static func check(_ configuration: TrainingConfiguration) throws(Violation) {
    try range(configuration.batchSize, 1...maximumBatch, .attribute("training", "batch_size"))
    try range(configuration.epochs, 0...maximumEpochs, .attribute("training", "epochs"))
    if let steps = configuration.bpttSteps { try range(steps, 1...maximumBatch, .attribute("training", "bptt_steps")) }
    let split = configuration.validationSplit
    guard split.isFinite, split >= 0, split < 1 else {
      throw Violation(
        place: .attribute("training", "validation_split"), reason: "it is \(split); it must be from 0 to below 1")
    }
    try check(splitSeed: configuration.validationSplitSeed, rows: configuration.validationRows, split: split)
    if let epsilon = configuration.probabilityClip, !ProbabilityClip.isValid(epsilon) {
      throw Violation(
        place: .attribute("training", "probability_clip"),
        reason: "it is \(epsilon); Keras' probability clip ε is above 0 and below 0.5")
    }
    if let weights = configuration.classWeights {
      let place = Place.dataset("training", "class_weights")
      if weights.isEmpty { throw Violation(place: place, reason: "it is empty; it gives one weight per class") }
      if let bad = weights.indices.first(where: { !(weights[$0] >= 0 && weights[$0] <= maximumMetric) }) {
        throw Violation(
          place: place,
          reason: "element \(bad) is \(weights[bad]); a class weight is a number from 0 to \(maximumMetric)")
      }
    }
  }

  /// A seeded split (format 1.3) holds out a fraction above 0 and records
  /// the rows it drew, ascending; a split without a seed records none.
  private static func check(splitSeed seed: UInt64?, rows: [Int]?, split: Double) throws(Violation) {
    let place = Place.dataset("training", "validation_rows")
    switch (seed, rows) {
    case (nil, nil):
      return
    case (nil, .some):
      throw Violation(place: place, reason: "it is given without validation_split_seed, the seed that drew it")
    case (.some, nil):
      throw Violation(
        place: .attribute("training", "validation_split_seed"),
        reason: "a seeded split must record the rows it held out in validation_rows, which is missing")
    case (.some, .some(let rows)):
      guard split > 0 else {
        throw Violation(
          place: .attribute("training", "validation_split_seed"),
          reason: "it draws the rows a validation split holds out, but validation_split is 0")
      }
      if let bad = rows.indices.first(where: { rows[$0] < 0 || rows[$0] >= maximumCount }) {
        throw Violation(place: place, reason: "element \(bad) is \(rows[bad]); a row is from 0 to below 2^53")
      }
      if let bad = rows.indices.dropFirst().first(where: { rows[$0] <= rows[$0 - 1] }) {
        throw Violation(
          place: place, reason: "element \(bad) is \(rows[bad]) after \(rows[bad - 1]); the rows must be ascending")
      }
    }
  }

  private static func check(_ progress: TrainingProgress) throws(Violation) {
    try range(progress.epoch, 0...maximumEpochs, .attribute("progress", "epoch"))
    try count(progress.stepInEpoch, .attribute("progress", "step_in_epoch"))
    try count(progress.cursor, .attribute("progress", "cursor"))
    for (name, value) in [
      ("epoch_samples", progress.epochSamples), ("epoch_correct", progress.epochCorrect),
      ("epoch_judged", progress.epochJudged),
    ] {
      try count(value, .attribute("progress", name))
    }
    guard progress.epochCorrect <= progress.epochJudged else {
      throw Violation(
        place: .attribute("progress", "epoch_correct"),
        reason: "\(progress.epochCorrect) correct of \(progress.epochJudged) judged")
    }
    try within(progress.epochLossSum, -maximumMetric...maximumMetric, .attribute("progress", "epoch_loss_sum"))
    try within(progress.elapsedSeconds, 0...maximumSeconds, .attribute("progress", "elapsed_seconds"))
    // The order is a permutation of the samples: each index once, in range.
    var seen = [Bool](repeating: false, count: progress.order.count)
    for (position, index) in progress.order.enumerated() {
      guard seen.indices.contains(index), !seen[index] else {
        throw Violation(
          place: Place(hdf5: "/progress/order", json: "$.progress.order[\(position)]"),
          reason: "element \(position) is \(index); the order must hold each of 0..<\(seen.count) once")
      }
      seen[index] = true
    }
    var previous = 0
    for (position, record) in progress.history.enumerated() {
      let place = Place(hdf5: "/history/epoch", json: "$.progress.history[\(position)].epoch")
      guard record.epoch > previous, record.epoch <= maximumEpochs else {
        throw Violation(
          place: place, reason: "epoch \(record.epoch) follows \(previous); epochs must increase from 1")
      }
      previous = record.epoch
      try check(record, position: position)
    }
  }

  private static func check(_ record: EpochRecord, position: Int) throws(Violation) {
    func place(_ name: String) -> Place {
      Place(hdf5: "/history/\(name)", json: "$.progress.history[\(position)].\(name)")
    }
    try within(record.trainLoss, -maximumMetric...maximumMetric, place("train_loss"))
    if let loss = record.validationLoss { try within(loss, -maximumMetric...maximumMetric, place("validation_loss")) }
    if let accuracy = record.trainAccuracy { try within(accuracy, 0...1, place("train_accuracy")) }
    if let accuracy = record.validationAccuracy { try within(accuracy, 0...1, place("validation_accuracy")) }
    try within(record.learningRate, 0...Double.greatestFiniteMagnitude, place("learning_rate"))
    try within(record.seconds, 0...maximumSeconds, place("seconds"))
  }

  // MARK: Helpers

  private static func count(_ value: Int, _ place: Place) throws(Violation) {
    try range(value, 0...maximumCount, place)
  }

  private static func range(_ value: Int, _ domain: ClosedRange<Int>, _ place: Place) throws(Violation) {
    guard domain.contains(value) else {
      throw Violation(
        place: place, reason: "it is \(value); it must be from \(domain.lowerBound) to \(domain.upperBound)")
    }
  }

  private static func within(_ value: Double, _ domain: ClosedRange<Double>, _ place: Place) throws(Violation) {
    guard value.isFinite, domain.contains(value) else {
      throw Violation(
        place: place,
        reason: "it is \(value); it must be a finite number from \(domain.lowerBound) to \(domain.upperBound)")
    }
  }
}

extension ValueDomain.Violation {
  /// The violation as an error of the HDF5 reader.
  func formatError(file: String) -> FormatError {
    .invalidValue(file: file, path: place.hdf5, reason: reason)
  }

  /// The violation as an error of the JSON reader.
  var jsonError: BPKitJSONError {
    .schemaViolation(file: nil, path: place.json, detail: reason)
  }
}
