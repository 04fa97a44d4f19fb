import Foundation

extension FileDifference {
  /// The comparison as text for people, as `bpkit diff` prints it.
  ///
  /// When nothing differs, one line says what was compared:
  /// `identical: 6 tensors, 6 optimizer slots, training state`. Otherwise one
  /// line per differing item, then a count of what differs.
  public var text: String {
    // Layer names and notes come from the files: no terminal escapes pass.
    PrintableText.escaped(rawText, keepingLineBreaks: true)
  }

  private var rawText: String {
    var lines = notCompared.map { "not compared: \($0)" }
    if !architecture.isEmpty {
      lines += architecture.map { "\($0.name): \($0.first) vs \($0.second)" }
      lines.append("different architectures: weights and training state not compared")
      return lines.joined(separator: "\n") + "\n"
    }
    let differing = differingTensors
    lines += differing.map { "\($0.name): \(Self.describe($0.outcome))" }
    lines += state.map { "\($0.name): \($0.first) vs \($0.second)" }
    lines.append(isIdentical ? identicalSummary : differentSummary(differing))
    return lines.joined(separator: "\n") + "\n"
  }

  /// What was compared, for the identical case:
  /// `identical: 6 tensors, 6 optimizer slots, training state`.
  public var identicalSummary: String {
    var parts = ["\(weights.count) tensors"]
    if !optimizerSlots.isEmpty || comparedTrainingState { parts.append("\(optimizerSlots.count) optimizer slots") }
    if comparedTrainingState { parts.append("training state") }
    let within =
      (weights + optimizerSlots).contains { $0.outcome != .identical }
      ? " within \(Self.number(tolerance))" : ""
    return "identical\(within): " + parts.joined(separator: ", ")
  }

  private func differentSummary(_ differing: [TensorDifference]) -> String {
    let slots = differing.filter { $0.name.hasPrefix("optimizer ") }.count
    var parts = ["\(differing.count - slots) of \(weights.count) tensors"]
    if !optimizerSlots.isEmpty { parts.append("\(slots) of \(optimizerSlots.count) optimizer slots") }
    if comparedTrainingState {
      parts.append(state.isEmpty ? "training state identical" : "\(state.count) training-state values")
    }
    return "different: " + parts.joined(separator: ", ")
  }

  static func describe(_ outcome: TensorDifference.Outcome) -> String {
    switch outcome {
    case .identical: "identical"
    case .different(let maxAbsolute, let maxRelative, let differing, let count):
      "max abs \(number(maxAbsolute)), max rel \(number(maxRelative)), \(differing) of \(count) values differ"
    case .shapes(let first, let second): "shape \(first) vs \(second)"
    case .onlyInFirst: "only in the first file"
    case .onlyInSecond: "only in the second file"
    }
  }

  static func number(_ value: Double) -> String {
    value.isFinite ? String(format: "%.3g", value) : "\(value)"
  }
}
