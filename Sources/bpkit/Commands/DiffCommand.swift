import ArgumentParser
import BPKit
import Foundation

/// `bpkit diff`: whether two models or checkpoints hold the same numbers, and where not.
struct DiffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "Compare two models or checkpoints tensor by tensor; exit 0 when identical, 1 when not.",
    discussion: """
      A and B are bpkit models or checkpoints (HDF5 or JSON) or Keras files, \
      in any mix. Compares every weight tensor bit for bit and reports, for each that \
      differs, the largest absolute and relative difference. For two \
      checkpoints it also compares the optimizer (hyperparameters, iterations, \
      every slot tensor) and the training state (epoch, step, sample order and \
      cursor, random generator state, history, data fingerprints); wall-clock \
      times, paths and the writing bpkit's version are not compared. It is how \
      to show that a resumed run or a conversion changed nothing.

      Exits 0 when identical, 1 when something differs (including the \
      architecture), 3 when a file is not a model or checkpoint, 4 when a \
      file cannot be read, as diff(1) does.
      """
  )

  @Argument(help: ArgumentHelp("The first model or checkpoint.", valueName: "a"))
  var first: String

  @Argument(help: ArgumentHelp("The second model or checkpoint.", valueName: "b"))
  var second: String

  @Option(
    parsing: .unconditional,
    help: "Tensors whose values all differ by at most this much count as identical; 0 asks for identical bits.")
  var tolerance: Double = 0

  func validate() throws {
    guard tolerance >= 0, tolerance.isFinite else {
      throw ValidationError("--tolerance must be a finite number of at least 0")
    }
  }

  func run() throws {
    try ExitStatus.reporting {
      let a = try BPKitFile.open(URL(fileURLWithPath: first))
      let b = try BPKitFile.open(URL(fileURLWithPath: second))
      let difference = FileDifference(a, b, tolerance: tolerance)
      print(difference.text, terminator: "")
      if !difference.isIdentical { throw ExitCode(ExitStatus.different) }
    }
  }
}
