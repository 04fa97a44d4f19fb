import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// One spelling across subcommands, and bad values on the command line as
/// usage errors (exit 2) that name the option.
@Suite struct OptionSpellingTests {
  static let iris = Fixtures.path("datasets/iris.csv")

  func train(_ arguments: [String], in folder: TemporaryDirectory) throws -> ProcessResult {
    try BPKitBinary.run(
      arguments: [
        "train", "--data", Self.iris, "--target", "species", "--epochs", "1", "--quiet", "--checkpoint",
        folder.path("run.ckpt.h5"),
      ] + arguments)
  }

  @Test(arguments: ["cross-entropy", "cross_entropy", "Cross-Entropy", "categorical_crossentropy"])
  func crossEntropyIsSpelledEitherWayEverywhere(spelling: String) throws {
    let folder = try TemporaryDirectory()
    let trained = try train(["--layers", "4,3:softmax", "--loss", spelling], in: folder)
    #expect(trained.status == 0, "\(trained.error)")
    let checked = try BPKitBinary.run("gradcheck", "--layers", "3,4:tanh,2:softmax", "--loss", spelling)
    #expect(checked.status == 0, "\(checked.error)")
  }

  @Test func binaryCrossEntropyIsSpelledEitherWay() throws {
    for spelling in ["binary-cross-entropy", "binary_cross_entropy"] {
      let checked = try BPKitBinary.run("gradcheck", "--layers", "3,1:sigmoid", "--loss", spelling)
      #expect(checked.status == 0, "\(spelling): \(checked.error)")
    }
  }

  @Test func gradcheckTakesBatchSize() throws {
    let checked = try BPKitBinary.run("gradcheck", "--layers", "3,2", "--batch-size", "2")
    #expect(checked.status == 0, "\(checked.error)")
    #expect(checked.output.contains("batch size 2"))
    let old = try BPKitBinary.run("gradcheck", "--layers", "3,2", "--batch", "2")
    #expect(old.status == 2)
  }

  @Test(arguments: ["Adam", "SGD", "RMSprop", "Nesterov"])
  func optimizerNamesInAnyCase(name: String) throws {
    let folder = try TemporaryDirectory()
    let trained = try train(["--layers", "4,3:softmax", "--optimizer", name], in: folder)
    #expect(trained.status == 0, "\(trained.error)")
    let stored = try Checkpoint(contentsOf: URL(fileURLWithPath: folder.path("run.ckpt.h5")))
    #expect(stored.optimizer.configuration.kind.rawValue == name.lowercased())
  }

  @Test func trainTakesThreads() throws {
    let folder = try TemporaryDirectory()
    let trained = try train(["--layers", "4,3:softmax", "--threads", "1"], in: folder)
    #expect(trained.status == 0, "\(trained.error)")
    let refused = try train(["--layers", "4,3:softmax", "--threads", "0"], in: folder)
    #expect(refused.status == 2)
    #expect(refused.error.contains("--threads must be at least 1"))
  }

  @Test func badValuesAreUsageErrorsNamingTheOption() throws {
    let folder = try TemporaryDirectory()
    let cases: [([String], String)] = [
      (["--layers", "4,3:swiglu"], "swiglu"),
      (["--layers", "4,3:softmax", "--lr", "-1"], "--lr must be a positive number, not -1.0"),
      (["--layers", "4,3:softmax", "--momentum", "1.5"], "--momentum must be in [0, 1], not 1.5"),
      (["--layers", "4,3:softmax", "--seed", "-1"], "--seed"),
      (["--layers", "4,3:softmax", "--epochs", "-2"], "--epochs must be at least 1"),
      // Beyond what a checkpoint's epochs, batch size and BPTT length may
      // hold (Schemas/FORMAT.md): a run that could not be resumed.
      (["--layers", "4,3:softmax", "--epochs", "9223372036854775807"], "--epochs must be at most 2147483647"),
      (["--layers", "4,3:softmax", "--batch-size", "16777217"], "--batch-size must be at most 16777216"),
      (["--layers", "4,3:softmax", "--bptt-steps", "9223372036854775807"], "--bptt-steps must be at most 16777216"),
      (["--layers", "4,3:softmax", "--validation-split", "-0.5"], "--validation-split must be in [0, 1)"),
    ]
    for (arguments, message) in cases {
      let result = try train(arguments, in: folder)
      #expect(result.status == 2, "\(arguments): \(result.error)")
      #expect(result.error.contains(message), "\(arguments): \(result.error)")
      #expect(!result.error.contains("Missing value"), "\(arguments): \(result.error)")
    }
    #expect(!FileManager.default.fileExists(atPath: folder.path("run.ckpt.h5")))
    let topK = try BPKitBinary.run("infer", "m.h5", "--input", "-", "--top-k", "-1")
    #expect(topK.status == 2)
    #expect(topK.error.contains("--top-k must be at least 1"), "\(topK.error)")
  }
}
