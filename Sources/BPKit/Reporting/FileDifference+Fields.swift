extension FileDifference {
  /// How two networks differ: input shape, then layer by layer (name and
  /// what the layer computes), then the layer count.
  static func compare(_ a: NetworkDescription, _ b: NetworkDescription) -> [Field] {
    var fields: [Field] = []
    if a.input != b.input {
      fields.append(
        Field(name: "input shape", first: ModelSummary.text(a.input), second: ModelSummary.text(b.input)))
    }
    // Regularizers change training, not the weights' shapes: they are a setting (see `compareRegularizers`).
    for (index, (left, right)) in zip(a.layers, b.layers).enumerated()
    where left.withoutRegularizers != right.withoutRegularizers {
      fields.append(Field(name: "layer \(index + 1)", first: describe(left), second: describe(right)))
    }
    if a.layers.count != b.layers.count {
      fields.append(Field(name: "layers", first: "\(a.layers.count)", second: "\(b.layers.count)"))
    }
    return fields
  }

  /// The regularizers of the layers of two networks of the same
  /// architecture that differ, one field per layer.
  static func compareRegularizers(_ a: NetworkDescription, _ b: NetworkDescription) -> [Field] {
    zip(a.layers, b.layers).filter { $0.regularizers != $1.regularizers }.map { left, right in
      func text(_ regularizers: LayerRegularizers) -> String { regularizers.isEmpty ? "none" : regularizers.summary }
      return Field(
        name: "\(left.name) regularizers", first: text(left.regularizers), second: text(right.regularizers))
    }
  }

  static func describe(_ layer: Layer) -> String {
    let frozen = layer.trainable ? "" : " frozen"
    let regularizers = layer.regularizers.isEmpty ? "" : " regularizers \(layer.regularizers.summary)"
    return describeKind(layer) + frozen + regularizers
  }

  private static func describeKind(_ layer: Layer) -> String {
    switch layer.kind {
    case .dense(let units, let activation, let useBias):
      "\(layer.name): dense \(units) \(ModelSummary.text(activation))\(useBias ? "" : " no bias")"
    case .elman(let units, let activation, let useBias, let returnSequences):
      "\(layer.name): elman \(units) \(ModelSummary.text(activation))\(useBias ? "" : " no bias")"
        + (returnSequences ? " sequences" : "")
    case .lstm(let settings, let unitForgetBias):
      "\(layer.name): lstm " + gatedText(settings) + (unitForgetBias ? "" : " no unit forget bias")
    case .gru(let settings, let resetAfter):
      "\(layer.name): gru " + gatedText(settings) + (resetAfter ? "" : " reset before")
    case .standardize: "\(layer.name): standardize"
    case .dropout(let rate): "\(layer.name): dropout rate \(rate)"
    }
  }

  private static func gatedText(_ s: GatedRecurrentSettings) -> String {
    "\(s.units) \(ModelSummary.text(s.activation)) gates \(ModelSummary.text(s.recurrentActivation))"
      + (s.useBias ? "" : " no bias") + (s.returnSequences ? " sequences" : "")
  }

  /// The training-state values of two checkpoints that differ.
  static func compare(_ a: Checkpoint, _ b: Checkpoint) -> [Field] {
    var fields: [Field] = []
    func check<Value: Equatable>(_ name: String, _ value: (Checkpoint) -> Value, _ text: (Value) -> String) {
      let (left, right) = (value(a), value(b))
      if left != right { fields.append(Field(name: name, first: text(left), second: text(right))) }
    }
    func check<Value: Equatable>(_ name: String, _ value: (Checkpoint) -> Value) {
      check(name, value) { "\($0)" }
    }
    check("loss") { $0.configuration.loss.rawValue }
    check("batch size") { $0.configuration.batchSize }
    check("planned epochs") { $0.configuration.epochs }
    check("seed") { $0.configuration.seed }
    check("shuffle") { $0.configuration.shuffle }
    check("truncated BPTT steps", { $0.configuration.bpttSteps }) { $0.map(String.init) ?? "full" }
    check("validation split") { $0.configuration.validationSplit }
    check("validation split seed", { $0.configuration.validationSplitSeed }) {
      $0.map(String.init) ?? "none (the last samples)"
    }
    check("validation rows", { $0.configuration.validationRows }) { rows in
      guard let rows else { return "none" }
      return rows.count > 6
        ? "\(rows.prefix(6).map(String.init).joined(separator: ", ")), … (\(rows.count))" : "\(rows)"
    }
    check("class weights", { $0.configuration.classWeights }) { $0.map(ClassWeighting.summary) ?? "none" }
    check("probability clip", { $0.configuration.probabilityClip }) { ProbabilityClip.summary($0) }
    check("early stopping", { $0.configuration.earlyStopping }) { $0?.summary ?? "none" }
    check("reduce lr on plateau", { $0.configuration.reduceLearningRateOnPlateau }) { $0?.summary ?? "none" }
    check("early stopping watch", { $0.progress.earlyStopping }) { $0.summary }
    check("reduce lr on plateau watch", { $0.progress.plateau }) { $0.summary }
    check("epoch") { $0.progress.epoch }
    check("step in epoch") { $0.progress.stepInEpoch }
    check("cursor") { $0.progress.cursor }
    check("sample order", { $0.progress.order }) { order in
      order.count > 6 ? "\(order.prefix(6).map(String.init).joined(separator: ", ")), … (\(order.count))" : "\(order)"
    }
    check("random state", { $0.progress.random.words }) { $0.map { String($0, radix: 16) }.joined(separator: " ") }
    check("epoch loss sum", { $0.progress.epochLossSum.bitPattern }) { "\(Double(bitPattern: $0))" }
    check("epoch samples") { $0.progress.epochSamples }
    check("epoch correct") { $0.progress.epochCorrect }
    check("epoch judged") { $0.progress.epochJudged }
    if let field = compareHistories(a.progress.history, b.progress.history) { fields.append(field) }
    check("training data", { $0.data.map(fingerprint) }) { $0 ?? "none" }
    check("validation data", { $0.validationData.map(fingerprint) }) { $0 ?? "none" }
    return fields
  }

  private static func fingerprint(_ data: DataFingerprint) -> String {
    "\(data.sampleCount) samples, sha256 \(data.sha256.prefix(16))…"
      + (data.sampleWeights.map { ", sample weights from \($0)" } ?? "")
  }

  /// The first epoch whose recorded figures differ (seconds aside), naming
  /// only the figures that differ, or a differing epoch count.
  private static func compareHistories(_ a: [EpochRecord], _ b: [EpochRecord]) -> Field? {
    func figures(_ record: EpochRecord) -> [(name: String, value: Double?)] {
      [
        ("train loss", record.trainLoss), ("train accuracy", record.trainAccuracy),
        ("validation loss", record.validationLoss), ("validation accuracy", record.validationAccuracy),
        ("learning rate", record.learningRate),
      ]
    }
    for (left, right) in zip(a, b) {
      var first: [String] = []
      var second: [String] = []
      for (l, r) in zip(figures(left), figures(right)) where l.value?.bitPattern != r.value?.bitPattern {
        first.append("\(l.name) \(l.value.map { "\($0)" } ?? "none")")
        second.append("\(r.name) \(r.value.map { "\($0)" } ?? "none")")
      }
      if left.notes != right.notes {
        first.append("notes \(left.notes)")
        second.append("notes \(right.notes)")
      }
      if !first.isEmpty {
        return Field(
          name: "history at epoch \(left.epoch)", first: first.joined(separator: ", "),
          second: second.joined(separator: ", "))
      }
    }
    guard a.count != b.count else { return nil }
    return Field(name: "history", first: "\(a.count) epochs", second: "\(b.count) epochs")
  }
}

extension Layer {
  /// The layer with no regularizer: what its weights' shapes depend on.
  fileprivate var withoutRegularizers: Layer {
    var layer = self
    layer.regularizers = .none
    return layer
  }
}
