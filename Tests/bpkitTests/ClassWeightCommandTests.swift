import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// `bpkit train --class-weight` through the binary: "auto" resolves from the
/// training samples and is kept in the checkpoint, `inspect` and `diff` show
/// it, a stopped run resumes to the uninterrupted bits, and what cannot be
/// weighed is a usage error naming the flag, leaving no file.
@Suite struct ClassWeightCommandTests {
  static let iris = Fixtures.path("datasets/iris.csv")

  static func train(_ checkpoint: String, layers: String = "4,8:tanh,3:softmax", _ extra: [String] = []) throws
    -> ProcessResult
  {
    try BPKitBinary.run(
      arguments: [
        "train", "--layers", layers, "--data", iris, "--target", "species", "--validation-split", "0.2",
        "--batch-size", "16", "--epochs", "4", "--seed", "7", "--checkpoint", checkpoint, "--quiet",
      ] + extra)
  }

  /// Iris holds 50 samples of each class in order; the last 20 % held out
  /// leave 50, 50 and 20 to train on: n/(k·n_c) = 120/150, 120/150, 120/60.
  @Test func autoIsBalancedOverTheTrainingSamplesAndShown() throws {
    let folder = try TemporaryDirectory()
    let result = try Self.train(folder.path("run.h5"), ["--class-weight", "auto"])
    #expect(result.status == 0, "\(result.error)")
    let checkpoint = try CheckpointComparison.load(folder.path("run.h5"))
    #expect(checkpoint.configuration.classWeights == [0.8, 0.8, 2])
    let inspect = try BPKitBinary.run("inspect", folder.path("run.h5"))
    #expect(inspect.output.contains("\nWeights     class weights 0: 0.8, 1: 0.8, 2: 2.0\n"), "\(inspect.output)")
    let json = try BPKitBinary.run("inspect", "--json", folder.path("run.h5"))
    #expect(json.output.contains("\"class_weights\" : ["), "\(json.output)")
    let plain = try Self.train(folder.path("plain.h5"))
    #expect(plain.status == 0, "\(plain.error)")
    let diff = try BPKitBinary.run("diff", folder.path("run.h5"), folder.path("plain.h5"))
    #expect(diff.status == 1)
    #expect(diff.output.contains("class weights"), "\(diff.output)")
    // The weights change the run: the same seed without them ends elsewhere.
    #expect(
      !CheckpointComparison.differences(checkpoint, try CheckpointComparison.load(folder.path("plain.h5"))).isEmpty)
  }

  /// The same weights spelled out again on resume are accepted; others are refused.
  @Test func aStoppedRunResumesToTheUninterruptedBits() throws {
    let folder = try TemporaryDirectory()
    let parts = try TrainingSettingChecks.expectStoppedRunResumesBitwise(
      in: folder, stoppingAfter: 11, again: ["--epochs", "5", "--class-weight", "2:5"],
      changed: ["--epochs", "6", "--class-weight", "2:4"], flag: "--class-weight"
    ) { checkpoint, extra in try Self.train(folder.path(checkpoint), ["--class-weight", "0:1,2:5"] + extra) }
    #expect(parts.configuration.classWeights == [1, 1, 5])
  }

  @Test(arguments: [
    ("4,8:tanh,3", ["--loss", "mse", "--class-weight", "0:2"], "the loss mse has no classes; drop --class-weight"),
    ("4,8:tanh,3:softmax", ["--class-weight", "3:2"], "--class-weight names class 3, but the model has 3 classes"),
    ("4,8:tanh,3:softmax", ["--class-weight", "0:-2"], "--class-weight: the weight of class 0 must be a number >= 0"),
    ("4,8:tanh,3:softmax", ["--class-weight", "0=2"], "--class-weight takes auto or CLASS:WEIGHT pairs"),
  ])
  func whatCannotBeWeighedIsAUsageErrorNamingTheFlag(layers: String, extra: [String], message: String) throws {
    let folder = try TemporaryDirectory()
    let result = try Self.train(folder.path("run.h5"), layers: layers, extra)
    TrainingSettingChecks.expectUsageError(result, message, writing: folder.path("run.h5"))
  }
}
