import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// `bpkit train --loss cross-entropy-from-logits` and its kin through the
/// binary: a linear output trains bit for bit as the softmax or sigmoid
/// network on the fused loss, the checkpoint (format 1.6), its JSON form,
/// `inspect` and `diff` carry the loss, a stopped run resumes to the
/// uninterrupted bits, and an output activation is refused in one line.
@Suite struct FromLogitsCommandTests {
  static let iris = Fixtures.path("datasets/iris.csv")

  static func train(_ checkpoint: String, layers: String, loss: String, _ extra: [String] = []) throws
    -> ProcessResult
  {
    try BPKitBinary.run(
      arguments: [
        "train", "--layers", layers, "--loss", loss, "--data", iris, "--target", "species", "--standardize",
        "--validation-split", "0.2", "--split-seed", "3", "--batch-size", "16", "--epochs", "4", "--seed", "7",
        "--checkpoint", checkpoint, "--quiet",
      ] + extra)
  }

  static func weightBits(_ path: String) throws -> [[UInt32]] {
    try CheckpointComparison.load(path).model.orderedParameters.map { $0.tensor.scalars.map(\.bitPattern) }
  }

  @Test(arguments: [
    ("4,8:tanh,3", "cross-entropy-from-logits", "4,8:tanh,3:softmax", "cross-entropy", "cross_entropy_from_logits"),
    (
      "4,8:tanh,3", "sparse-cross-entropy-from-logits", "4,8:tanh,3:softmax", "cross-entropy",
      "sparse_cross_entropy_from_logits"
    ),
    ("4,8:tanh,3:softmax", "sparse-cross-entropy", "4,8:tanh,3:softmax", "cross-entropy", "sparse_cross_entropy"),
  ])
  func logitsTrainAsTheFusedLossAndTheFileKeepsTheLoss(
    layers: String, loss: String, fusedLayers: String, fusedLoss: String, stored: String
  ) throws {
    let folder = try TemporaryDirectory()
    let run = try Self.train(folder.path("logits.h5"), layers: layers, loss: loss)
    #expect(run.status == 0, "\(run.error)")
    #expect(try Self.train(folder.path("fused.h5"), layers: fusedLayers, loss: fusedLoss).status == 0)
    #expect(try Self.weightBits(folder.path("logits.h5")) == Self.weightBits(folder.path("fused.h5")))
    let checkpoint = try CheckpointComparison.load(folder.path("logits.h5"))
    #expect(checkpoint.configuration.loss.rawValue == stored)
    let fused = try CheckpointComparison.load(folder.path("fused.h5"))
    func figures(_ c: Checkpoint) -> [[Double?]] {
      c.progress.history.map { [$0.trainLoss, $0.trainAccuracy, $0.validationLoss, $0.validationAccuracy] }
    }
    #expect(figures(checkpoint) == figures(fused))
    let inspect = try BPKitBinary.run("inspect", folder.path("logits.h5"))
    #expect(inspect.output.contains("HDF5 format \(FormatVersion.current)"), "\(inspect.output)")
    #expect(inspect.output.contains("\nLoss        \(stored), batch size 16"), "\(inspect.output)")
    // The JSON form keeps the loss, and converts back to the same bits.
    let json = try BPKitBinary.run("convert", folder.path("logits.h5"), folder.path("logits.json"))
    #expect(json.status == 0, "\(json.error)")
    JSONOutputs.keep(fileAtPath: folder.path("logits.json"), kind: "checkpoint", name: "loss_\(stored).json")
    let text = try String(contentsOfFile: folder.path("logits.json"), encoding: .utf8)
    #expect(text.contains("\"loss\": \"\(stored)\"") || text.contains("\"loss\" : \"\(stored)\""))
    #expect(try BPKitBinary.run("convert", folder.path("logits.json"), folder.path("back.h5")).status == 0)
    let same = try BPKitBinary.run("diff", folder.path("logits.h5"), folder.path("back.h5"))
    #expect(same.status == 0, "\(same.output)")
    // diff names the loss when only it differs.
    let other = layers == fusedLayers ? "cross-entropy" : "cross-entropy-from-logits"
    let otherStored = layers == fusedLayers ? "cross_entropy" : "cross_entropy_from_logits"
    #expect(try Self.train(folder.path("other.h5"), layers: layers, loss: other).status == 0)
    let diff = try BPKitBinary.run("diff", folder.path("logits.h5"), folder.path("other.h5"))
    if stored == otherStored {
      #expect(diff.status == 0, "\(diff.output)")
    } else {
      #expect(diff.status == 1)
      #expect(diff.output.contains("loss: \(stored) vs \(otherStored)"), "\(diff.output)")
    }
  }

  @Test func aStoppedRunResumesToTheUninterruptedBits() throws {
    let folder = try TemporaryDirectory()
    let layers = "4,8:tanh,3"
    let loss = "cross-entropy-from-logits"
    #expect(try Self.train(folder.path("whole.h5"), layers: layers, loss: loss).status == 0)
    let first = try Self.train(folder.path("parts.h5"), layers: layers, loss: loss, ["--stop-after-steps", "11"])
    #expect(first.status == 0, "\(first.error)")
    let resumed = try BPKitBinary.run("train", "--resume", folder.path("parts.h5"), "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)")
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    let parts = try CheckpointComparison.load(folder.path("parts.h5"))
    #expect(CheckpointComparison.differences(whole, parts) == [])
    #expect(parts.configuration.loss == .categoricalCrossEntropyFromLogits)
  }

  /// The network and the loss do not fit: bad input (exit 3), as for any loss
  /// and output activation that do not go together.
  @Test(arguments: [
    ("4,8:tanh,3:softmax", "cross-entropy-from-logits", "'cross_entropy_from_logits'", "softmax"),
    ("4,8:tanh,1:sigmoid", "binary-cross-entropy-from-logits", "'binary_cross_entropy_from_logits'", "sigmoid"),
    ("4,8:tanh,3:tanh", "sparse-cross-entropy-from-logits", "'sparse_cross_entropy_from_logits'", "tanh"),
  ])
  func anOutputActivationIsRefusedNamingBoth(layers: String, loss: String, named: String, activation: String) throws {
    let folder = try TemporaryDirectory()
    // Two classes, 0 and 1, which every one of these losses takes.
    let data = folder.path("two.csv")
    try ("a,b,c,d,label\n" + (0..<12).map { "\($0 % 3),\($0 % 5),\($0 % 2),\($0),\($0 % 2)" }.joined(separator: "\n"))
      .write(toFile: data, atomically: true, encoding: .utf8)
    let result = try BPKitBinary.run(
      "train", "--layers", layers, "--loss", loss, "--data", data, "--target", "label", "--epochs", "1",
      "--checkpoint", folder.path("run.h5"), "--quiet")
    #expect(result.status == 3, "\(result.error)")
    #expect(
      result.error.contains(named) && result.error.contains("has \(activation); make it linear"), "\(result.error)")
    #expect(result.error.split(separator: "\n").count == 1, "\(result.error)")
    #expect(!FileManager.default.fileExists(atPath: folder.path("run.h5")))
  }

  /// The predictions of a network trained from logits are its logits, as Keras' `predict` gives them.
  @Test func inferWritesLogits() throws {
    let folder = try TemporaryDirectory()
    #expect(
      try Self.train(folder.path("logits.h5"), layers: "4,8:tanh,3", loss: "cross-entropy-from-logits").status == 0)
    let rows = folder.path("rows.csv")
    try "5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n".write(toFile: rows, atomically: true, encoding: .utf8)
    let result = try BPKitBinary.run("infer", folder.path("logits.h5"), "--input", rows)
    #expect(result.status == 0, "\(result.error)")
    let values = result.output.split(separator: "\n").last.map { $0.split(separator: ",").compactMap { Double($0) } }
    #expect(values?.count == 3)
    // Logits, not probabilities: they do not sum to 1, and some lie outside 0...1.
    #expect(
      values.map { abs($0.reduce(0, +) - 1) > 1e-3 && $0.contains { $0 < 0 || $0 > 1 } } == true, "\(result.output)")
    let help = try BPKitBinary.run("infer", "--help")
    #expect(help.output.contains("logits"), "\(help.output)")
  }

  @Test(arguments: [
    ("3,5:tanh,4", "cross-entropy-from-logits", ["--labels"]), ("3,5:tanh,4", "sparse-cross-entropy-from-logits", []),
    ("3,5:relu,2", "binary-cross-entropy-from-logits", []), ("3,5:tanh,4:softmax", "sparse-cross-entropy", []),
  ])
  func gradcheckPasses(layers: String, loss: String, extra: [String]) throws {
    let result = try BPKitBinary.run(arguments: ["gradcheck", "--layers", layers, "--loss", loss] + extra)
    #expect(result.status == 0, "\(result.output)\(result.error)")
    #expect(result.output.contains("loss \(loss)"), "\(result.output)")
  }
}
