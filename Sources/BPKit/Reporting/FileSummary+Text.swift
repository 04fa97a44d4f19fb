import Foundation

extension FileSummary {
  /// The summary as text for people: a heading, the layer table with its
  /// totals as Keras' `model.summary()` prints it, and for checkpoints the
  /// optimizer and the run, one labelled line each.
  public var text: String {
    var lines = ["\(path): \(headline)", ""]
    lines += layerTable
    if let features = model.featureNames { lines.append(Self.labelled("Features", features.joined(separator: ", "))) }
    if let classes = model.classNames { lines.append(Self.labelled("Classes", classes.joined(separator: ", "))) }
    if let optimizer { lines += ["", Self.labelled("Optimizer", Self.describe(optimizer))] }
    if let loss = keras?.text { lines.append(Self.labelled("Loss", loss)) }
    if let checkpoint { lines += checkpointLines(checkpoint) }
    if !warnings.isEmpty { lines += [""] + warnings.map { Self.labelled("Not kept", $0) } }
    // Names, paths and notes come from the file: no terminal escapes pass.
    return PrintableText.escaped(lines.joined(separator: "\n"), keepingLineBreaks: true) + "\n"
  }

  private var headline: String {
    let size = Self.bytes(fileSize)
    // A float64 model says so; float32 is every file's default.
    let dtype = model.dtype == .float64 ? ", float64" : ""
    switch format {
    case "keras", "keras-h5":
      let container = format == "keras" ? "Keras 3 archive" : "Keras legacy HDF5"
      return "Keras \(kind), \(container)\(formatVersion.map { ", Keras \($0)" } ?? "")\(dtype), \(size)"
    case "onnx":
      return "ONNX \(kind), \(size)"
    case "safetensors":
      return "safetensors \(kind), \(size)"
    default:
      let version = formatVersion.map { " format \($0)" } ?? ""
      return "bpkit \(kind), \(format == "hdf5" ? "HDF5" : format.uppercased())\(version)\(dtype), \(size)"
    }
  }

  private var layerTable: [String] {
    let header = ["Layer", "Kind", "Output shape", "Activation", "Parameters"]
    let rows =
      [["input", "input", model.inputShape, "", "0"]]
      + model.layers.map {
        [
          PrintableText.escaped($0.name), $0.kind + ($0.frozen ? " (frozen)" : ""), $0.outputShape,
          $0.activation ?? $0.rate.map { "rate \($0)" } ?? "", Self.grouped($0.parameters),
        ]
      }
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
    func line(_ cells: [String]) -> String {
      cells.indices.map { column in
        let pad = String(repeating: " ", count: widths[column] - cells[column].count)
        // The parameter count is right-aligned, as numbers are.
        return column == cells.count - 1 ? pad + cells[column] : cells[column] + pad
      }
      .joined(separator: "  ")
    }
    let rule = String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1))
    // As model.summary() counts them: trainable, and frozen apart from the rest.
    let frozen = model.frozenParameters > 0 ? ", \(Self.grouped(model.frozenParameters)) frozen" : ""
    let trainable =
      model.trainableParameters == model.totalParameters
      ? "" : " (\(Self.grouped(model.trainableParameters)) trainable\(frozen))"
    // Keras' model.summary() omits regularizers; they change training, so they are listed.
    let regularized = model.layers.filter { !$0.regularizers.isEmpty }.map {
      Self.labelled("Regularizer", "\(PrintableText.escaped($0.name)): \($0.regularizers.summary)")
    }
    return [line(header), rule] + rows.map(line) + [
      rule, "Total parameters: \(Self.grouped(model.totalParameters))\(trainable)",
    ] + regularized
  }

  private func checkpointLines(_ run: CheckpointSummary) -> [String] {
    var lines = [
      Self.labelled(
        "Loss",
        "\(run.loss)"
          + (run.probabilityClip.map { ", probabilities clipped to \(ProbabilityClip.summary($0))" } ?? "")
          + ", batch size \(run.batchSize), seed \(run.seed)"),
      Self.labelled(
        "Progress",
        "epoch \(run.epoch) of \(run.plannedEpochs)"
          + (run.stepInEpoch > 0 ? ", \(run.stepInEpoch) steps into epoch \(run.epoch + 1)" : "")),
    ]
    if let weights = run.classWeights {
      lines.append(Self.labelled("Weights", "class weights " + ClassWeighting.summary(weights)))
    }
    lines.append(Self.labelled("Last epoch", run.last.map(Self.describe) ?? "none completed"))
    if let best = run.best { lines.append(Self.labelled("Best epoch", Self.describe(best))) }
    lines.append(Self.labelled("Data", run.data.map(Self.describe) ?? "not from a file"))
    if let validation = run.validationData { lines.append(Self.labelled("Validation", Self.describe(validation))) }
    if run.validationSplit > 0 {
      lines.append(
        Self.labelled(
          "Validation",
          "\(run.validationSplit) of the data held out: "
            + (run.validationSplitSeed.map { "\(run.validationHeldOut ?? 0) samples drawn with split seed \($0)" }
              ?? "its last samples")))
    }
    if let policy = run.earlyStopping {
      lines.append(Self.labelled("Stopping", "early stopping \(policy); \(run.earlyStoppingState ?? "")"))
    }
    if let policy = run.reduceLearningRateOnPlateau {
      lines.append(
        Self.labelled("Plateau", "reduce lr on plateau \(policy); \(run.reduceLearningRateOnPlateauState ?? "")"))
    }
    lines.append(Self.labelled("Elapsed", Self.duration(run.elapsedSeconds)))
    lines.append(Self.labelled("Written", "\(RFC3339.string(from: run.createdAt)) by bpkit \(run.bpkitVersion)"))
    return lines
  }

  private static func labelled(_ label: String, _ value: String) -> String {
    label.padding(toLength: 12, withPad: " ", startingAt: 0) + value
  }

  private static func describe(_ optimizer: OptimizerSummary) -> String {
    let values = optimizer.hyperparameters.map { "\($0.name) \(number($0.value))" }.joined(separator: ", ")
    let slots = optimizer.slots.isEmpty ? "no slots" : "slots " + optimizer.slots.joined(separator: ", ")
    let schedule = optimizer.schedule.map { ", learning rate schedule \($0)" } ?? ""
    return "\(optimizer.kind) (\(values))\(schedule), \(grouped(Int(optimizer.iterations))) iterations, \(slots)"
  }

  private static func describe(_ figures: CheckpointSummary.EpochFigures) -> String {
    func pair(_ loss: Double, _ accuracy: Double?) -> String {
      "loss \(number(loss))" + (accuracy.map { String(format: ", accuracy %.2f%%", $0 * 100) } ?? "")
    }
    var text = "\(figures.epoch): train \(pair(figures.trainLoss, figures.trainAccuracy))"
    if let loss = figures.validationLoss { text += "; validation \(pair(loss, figures.validationAccuracy))" }
    return text
  }

  private static func describe(_ data: DataFingerprint) -> String {
    let parts = [data.inputs, data.targets].compactMap { $0 }
    let within = parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
    let weights = data.sampleWeights.map { ", sample weights from \($0)" } ?? ""
    return "\(data.path)\(within), \(grouped(data.sampleCount)) samples\(weights), sha256 \(data.sha256.prefix(16))…"
  }

  /// Four significant digits, enough to compare runs by eye.
  static func number(_ value: Double) -> String {
    String(format: "%.4g", value)
  }

  /// `1,234,567`.
  static func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var text = ""
    for (index, digit) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { text += "," }
      text.append(digit)
    }
    return (value < 0 ? "-" : "") + text
  }

  static func bytes(_ count: Int64) -> String {
    if count < 1024 { return "\(count) bytes" }
    let units = ["KiB", "MiB", "GiB", "TiB"]
    var value = Double(count) / 1024
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    return String(format: "%.1f", value) + " " + units[unit]
  }

  static func duration(_ seconds: Double) -> String {
    if seconds < 1 { return String(format: "%.0f ms", seconds * 1000) }
    guard seconds >= 60 else { return String(format: "%.1f s", seconds) }
    let whole = Int(seconds.rounded())
    let (hours, minutes, rest) = (whole / 3600, whole / 60 % 60, whole % 60)
    return hours > 0 ? "\(hours) h \(minutes) min \(rest) s" : "\(minutes) min \(rest) s"
  }
}
