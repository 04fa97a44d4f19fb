import ArgumentParser
import BPKit
import Foundation

/// `bpkit inspect`: what a model or checkpoint holds, as a table or as JSON.
struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show what a model or checkpoint holds: its layers, and where its run stands.",
    discussion: """
      Prints the file's kind, format version and size; a table of the layers \
      (name, kind, output shape, activation, parameters) with the total, as \
      Keras' model.summary() does; and for checkpoints the optimizer and its \
      hyperparameters, the epoch and step, the last and best epochs' loss and \
      accuracy, the data the run trained on and the time it took. With --json \
      the same as one JSON object with snake_case keys; members a file lacks \
      are null.
      """
  )

  @Argument(
    help: ArgumentHelp(
      "A bpkit model or checkpoint (HDF5 or JSON), or a Keras .keras or .h5 file.", valueName: "file"))
  var file: String

  @Flag(help: "Print one JSON object instead of the table.")
  var json = false

  func run() throws {
    try ExitStatus.reporting {
      var summary = try FileSummary(contentsOf: URL(fileURLWithPath: file))
      // The path as the user wrote it, not resolved against the working folder.
      summary.path = file
      if json {
        FileHandle.standardOutput.write(try summary.jsonData() + Data("\n".utf8))
      } else {
        print(summary.text, terminator: "")
      }
    }
  }
}
