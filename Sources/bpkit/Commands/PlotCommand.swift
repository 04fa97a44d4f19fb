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
      let file = try BPKitFile.open(URL(fileURLWithPath: checkpoint))
      guard case .checkpoint(let run) = file else {
        throw ReportingError.noHistory(file: checkpoint, kind: file.kind.rawValue)
      }
      let curves = try TrainingCurves(checkpoint: run, file: checkpoint, title: title, metric: metric)
      var isFolder: ObjCBool = false
      if FileManager.default.fileExists(atPath: output, isDirectory: &isFolder), isFolder.boolValue {
        throw ReportingError.unwritable(
          file: output, reason: "it is a folder; give a file name, such as \(output)/curves.svg")
      }
      let svg = curves.svg
      try OutputFile.write(to: output, options: FileWriteOptions(inputs: [checkpoint])) { try $0.write(svg) }
    }
  }
}

extension TrainingCurves.Metric: ExpressibleByArgument {}
