import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// `bpkit train --early-stopping` and `--reduce-lr-on-plateau` through the
/// binary: the run stops and reduces as asked, `inspect` and `diff` show the
/// settings and watches, and a bad setting is a usage error naming it.
@Suite struct EarlyStoppingCommandTests {
  static let iris = Fixtures.path("datasets/iris.csv")

  static func train(_ checkpoint: String, _ extra: [String] = []) throws -> ProcessResult {
    try BPKitBinary.run(
      arguments: [
        "train", "--layers", "4,8:tanh,3:softmax", "--data", iris, "--target", "species", "--validation-split", "0.2",
        "--batch-size", "10", "--epochs", "6", "--seed", "7", "--checkpoint", checkpoint, "--quiet",
      ] + extra)
  }

  @Test func theRunStopsReducesAndInspectShowsBoth() throws {
    let folder = try TemporaryDirectory()
    let result = try Self.train(
      folder.path("run.h5"),
      [
        "--reduce-lr-on-plateau", "monitor=loss,factor=0.5,patience=0,min_delta=5", "--early-stopping",
        "patience=2,min_delta=5,restore_best_weights",
      ])
    #expect(result.status == 0, "\(result.error)")
    let checkpoint = try CheckpointComparison.load(folder.path("run.h5"))
    #expect(checkpoint.progress.history.count == 3)
    #expect(checkpoint.progress.history.map { Float($0.learningRate) } == [0.001, 0.001, 0.0005])
    let inspect = try BPKitBinary.run("inspect", folder.path("run.h5"))
    #expect(inspect.status == 0)
    #expect(
      inspect.output.contains(
        "\nStopping    early stopping monitor=val_loss,patience=2,min_delta=5.0,restore_best_weights; best "))
    #expect(inspect.output.contains(", 2 epochs waited, best weights kept, stopped at epoch 3\n"))
    #expect(
      inspect.output.contains(
        "\nPlateau     reduce lr on plateau monitor=loss,factor=0.5,patience=0,min_delta=5.0,cooldown=0,min_lr=0.0; "))
    let json = try BPKitBinary.run("inspect", "--json", folder.path("run.h5"))
    #expect(
      json.output.contains("\"early_stopping\" : \"monitor=val_loss,patience=2,min_delta=5.0,restore_best_weights\""))
    let plain = try Self.train(folder.path("plain.h5"))
    #expect(plain.status == 0, "\(plain.error)")
    let diff = try BPKitBinary.run("diff", folder.path("run.h5"), folder.path("plain.h5"))
    #expect(diff.status == 1)
    #expect(diff.output.contains("early stopping"))
    #expect(diff.output.contains("reduce lr on plateau"))
  }

  @Test(arguments: [
    (["--early-stopping", "patience=x"], "--early-stopping patience must be a whole number >= 0, not x"),
    (["--reduce-lr-on-plateau", "factor=2"], "--reduce-lr-on-plateau factor must be in (0, 1), not 2"),
    (["--reduce-lr-on-plateau", "mode=max"], "--reduce-lr-on-plateau has no setting mode"),
  ])
  func aBadSettingIsAUsageErrorNamingIt(extra: [String], message: String) throws {
    let folder = try TemporaryDirectory()
    let result = try Self.train(folder.path("run.h5"), extra)
    #expect(result.status == 2)
    #expect(result.error.contains(message), "\(result.error)")
    #expect(!FileManager.default.fileExists(atPath: folder.path("run.h5")))
  }
}
