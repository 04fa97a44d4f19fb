import ArgumentParser
import BPKit
import Foundation

/// `bpkit plot`: a checkpoint's loss and accuracy per epoch, as an SVG file.
struct PlotCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plot",
    abstract: "Draw a checkpoint's training curves (loss and accuracy per epoch) as SVG.",
    discussion: """
      Draws train and validation loss, accuracy for classifiers, and the learning \
      rate when a schedule changed it, one panel per metric, with axes, a legend and a title naming the run. Open the \
      file in any browser.
      """
  )

  @Argument(help: ArgumentHelp("The checkpoint whose history to draw.", valueName: "checkpoint"))
  var checkpoint: String

  @Option(name: .shortAndLong, help: ArgumentHelp("The SVG file to write.", valueName: "file"))
  var output: String

  @Option(help: "The series: loss, accuracy, lr (the learning rate) or all (with lr when it changed).")
  var metric: TrainingCurves.Metric = .all

  @Option(help: "The title (default: the file's name, network, optimizer and epochs).")
  var title: String?

  func run() throws {
    try ExitStatus.reporting {
      let url = URL(fileURLWithPath: checkpoint)
      let file = try BPKitFile.open(url)
      guard case .checkpoint(let run) = file else {
        throw ReportingError.noHistory(file: checkpoint, kind: file.kind.rawValue)
      }
      guard !run.progress.history.isEmpty else { throw ReportingError.noCompletedEpoch(file: checkpoint) }
      if metric == .accuracy, !run.progress.history.contains(where: { $0.trainAccuracy != nil }) {
        throw ValidationError(
          "--metric accuracy needs a classifier, and \(checkpoint) trained "
            + "\(try run.model.network.outputKind().description) with \(run.configuration.loss.rawValue) loss, "
            + "which has no accuracy; plot --metric loss")
      }
      var isFolder: ObjCBool = false
      if FileManager.default.fileExists(atPath: output, isDirectory: &isFolder), isFolder.boolValue {
        throw ReportingError.unwritable(
          file: output, reason: "it is a folder; give a file name, such as \(output)/curves.svg")
      }
      let curves = TrainingCurves(
        history: run.progress.history, title: title ?? Self.title(of: run, named: url.lastPathComponent),
        metric: metric)
      let svg = curves.svg
      try OutputFile.write(to: output, options: FileWriteOptions(inputs: [checkpoint])) { try $0.write(svg) }
    }
  }

  /// `run.ckpt.h5: 64 → 64 relu → 10 softmax, momentum, 30 epochs`.
  static func title(of run: Checkpoint, named name: String) -> String {
    let network = run.model.network
    let layers = network.layers.map { layer -> String in
      switch layer.kind {
      case .dense(let units, let activation, _): "\(units) \(activation.name)"
      case .elman(let units, let activation, _, _): "Elman \(units) \(activation.name)"
      case .lstm(let settings, _): "LSTM \(settings.units)"
      case .gru(let settings, _): "GRU \(settings.units)"
      case .standardize: "standardize"
      }
    }
    let input = network.input.isSequence ? "sequence of \(network.input.features)" : "\(network.input.features)"
    let epochs = run.progress.epoch == 1 ? "1 epoch" : "\(run.progress.epoch) epochs"
    return "\(name): \(([input] + layers).joined(separator: " → ")), \(run.optimizer.configuration.kind), \(epochs)"
  }
}

extension TrainingCurves.Metric: ExpressibleByArgument {}
