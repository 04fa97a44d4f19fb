import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// `bpkit infer --labels` on a network trained with a from-logits loss: the
/// file's recorded loss (a checkpoint's, a Keras file's) evaluates the
/// outputs as logits, matching training's validation and Keras' `evaluate`;
/// a model file, which records no loss, takes `--loss`, and without it says
/// in a note how its linear outputs were read.
@Suite struct InferFromLogitsTests {
  static let iris = Fixtures.path("datasets/iris.csv")

  /// The loss and accuracy `infer --labels` prints.
  static func figures(_ output: String) -> (loss: Double?, accuracy: Double?) {
    let lines = output.split(separator: "\n")
    let loss = lines.first { $0.hasPrefix("loss (") }.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
    let accuracy = lines.first { $0.hasPrefix("accuracy: ") }
      .flatMap { Double($0.dropFirst("accuracy: ".count).dropLast()) }
    return (loss, accuracy.map { $0 / 100 })
  }

  /// Iris, or iris as class 0 against the others for a binary loss.
  static func data(in folder: TemporaryDirectory, binary: Bool) throws -> String {
    guard binary else { return iris }
    let rows = try String(contentsOfFile: iris, encoding: .utf8).split(separator: "\n")
    let relabelled = rows.enumerated().map { index, row in
      index == 0
        ? String(row)
        : row.split(separator: ",").dropLast().joined(separator: ",") + (row.hasSuffix(",0") ? ",0" : ",1")
    }
    let path = folder.path("binary.csv")
    try (relabelled.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test(arguments: [
    ("4,8:tanh,3", "cross-entropy-from-logits", "cross_entropy_from_logits", false),
    ("4,8:tanh,3", "sparse-cross-entropy-from-logits", "sparse_cross_entropy_from_logits", false),
    ("4,8:tanh,1", "binary-cross-entropy-from-logits", "binary_cross_entropy_from_logits", true),
  ])
  func aCheckpointAndItsModelFileWithLossAreEvaluatedAsTrainingValidates(
    layers: String, loss: String, stored: String, binary: Bool
  ) throws {
    let folder = try TemporaryDirectory()
    let data = try Self.data(in: folder, binary: binary)
    let run = folder.path("run.h5")
    let train = try BPKitBinary.run(
      arguments: [
        "train", "--layers", layers, "--loss", loss, "--data", data, "--validation", data, "--target", "species",
        "--standardize", "--batch-size", "16", "--epochs", "3", "--seed", "7", "--checkpoint", run, "--quiet",
      ])
    #expect(train.status == 0, "\(train.error)")
    let last = try #require(try CheckpointComparison.load(run).progress.history.last)
    let validationLoss = try #require(last.validationLoss)

    let fromCheckpoint = try BPKitBinary.run("infer", run, "--input", data, "--labels", "species", "--metrics-only")
    #expect(fromCheckpoint.status == 0 && fromCheckpoint.error.isEmpty, "\(fromCheckpoint.error)")
    #expect(fromCheckpoint.output.contains("loss (\(stored)): "), "\(fromCheckpoint.output)")
    let figures = Self.figures(fromCheckpoint.output)
    #expect(figures.loss.map { abs($0 - validationLoss) <= 1e-6 } == true, "\(fromCheckpoint.output) \(validationLoss)")
    #expect(
      figures.accuracy.map { abs($0 - (last.validationAccuracy ?? -1)) <= 1e-4 } == true, "\(fromCheckpoint.output)")

    let model = folder.path("model.h5")
    #expect(try BPKitBinary.run("convert", run, model, "--model-only").status == 0)
    let given = try BPKitBinary.run(
      "infer", model, "--input", data, "--labels", "species", "--metrics-only", "--loss", loss)
    #expect(given.status == 0 && given.error.isEmpty, "\(given.error)")
    #expect(given.output == fromCheckpoint.output)

    // Without --loss the model file's linear outputs are values, and a note says so and how to read logits.
    let unknown = try BPKitBinary.run("infer", model, "--input", data, "--labels", "species", "--metrics-only")
    #expect(unknown.error.contains("does not record the loss that trained it"), "\(unknown.error)")
    #expect(unknown.error.contains("--loss cross-entropy-from-logits"), "\(unknown.error)")
    #expect(!unknown.output.contains("loss (\(stored))"), "\(unknown.output)")
  }

  @Test func aLossOtherThanTheRecordedOneIsRefusedInOneLine() throws {
    let folder = try TemporaryDirectory()
    let run = folder.path("run.h5")
    let train = try BPKitBinary.run(
      arguments: [
        "train", "--layers", "4,8:tanh,3", "--loss", "cross-entropy-from-logits", "--data", Self.iris, "--target",
        "species", "--epochs", "1", "--checkpoint", run, "--quiet",
      ])
    #expect(train.status == 0, "\(train.error)")
    let result = try BPKitBinary.run(
      "infer", run, "--input", Self.iris, "--labels", "species", "--loss", "mse", "--metrics-only")
    #expect(result.status == 2, "\(result.error)")
    #expect(result.error.contains("--loss mse differs from the loss cross_entropy_from_logits"))
    #expect(result.error.split(separator: "\n").count == 1, "\(result.error)")
    let alone = try BPKitBinary.run("infer", run, "--input", Self.iris, "--loss", "mse")
    #expect(alone.status == 2 && alone.error.contains("--loss needs --labels"), "\(alone.error)")
  }

  /// Keras' `model.evaluate` on the fixtures' samples (Fixtures/keras-evaluate,
  /// Scripts/keras_evaluate.py), for Keras files compiled from logits and one on probabilities.
  @Test(arguments: ["categorical_logits", "sparse_logits", "binary_logits", "sparse"])
  func aKerasFileIsEvaluatedAsKerasEvaluates(name: String) throws {
    let reference = try #require(
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: Fixtures.path("keras-evaluate/evaluate.json"))))
        as? [String: [String: Any]])
    let keras = try #require(reference[name])
    let kerasLoss = try #require(keras["loss"] as? Double)
    let kerasAccuracy = try #require(keras["accuracy"] as? Double)
    for suffix in ["keras", "h5"] {
      let result = try BPKitBinary.run(
        "infer", Fixtures.path("keras-logits/\(name).\(suffix)"), "--input",
        Fixtures.path("keras-logits/\(name).ref.h5"), "--x", "/x", "--labels", "/y", "--metrics-only")
      #expect(result.status == 0 && result.error.isEmpty, "\(result.error)")
      let figures = Self.figures(result.output)
      // Keras evaluates in Float32; bpkit sums in Double and prints six decimals.
      #expect(
        figures.loss.map { abs($0 - kerasLoss) <= 2e-6 } == true, "\(name).\(suffix): \(result.output) \(kerasLoss)")
      #expect(figures.accuracy.map { abs($0 - kerasAccuracy) <= 1e-9 } == true, "\(result.output)")
    }
  }
}
