import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// `bpkit infer --labels` on a network trained with a from-logits loss: the
/// file's recorded loss (a checkpoint's, a Keras file's) evaluates the
/// outputs as logits, matching training's validation and Keras' `evaluate`;
/// a model file, which records no loss, takes `--loss`, and without it says
/// in a note how its linear outputs were read. `--argmax` and `--top-k` take
/// the largest logit and the logits' softmax or sigmoid probabilities, the
/// numbers of the same network with a softmax or sigmoid output layer.
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
    #expect(alone.status == 2 && alone.error.contains("--loss needs --labels, --argmax or --top-k"), "\(alone.error)")
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

  /// Trains `layers` with `loss` on iris (or its binary relabelling) into `run.h5`.
  static func train(_ layers: String, _ loss: String, data: String, in folder: TemporaryDirectory) throws -> String {
    let run = folder.path("run.h5")
    let train = try BPKitBinary.run(
      arguments: [
        "train", "--layers", layers, "--loss", loss, "--data", data, "--target", "species", "--standardize",
        "--batch-size", "16", "--epochs", "3", "--seed", "7", "--checkpoint", run, "--quiet",
      ])
    #expect(train.status == 0, "\(train.error)")
    return run
  }

  /// A checkpoint's `--argmax` and `--top-k` are those of its twin with a
  /// softmax or sigmoid output layer, byte for byte (the same pre-activations
  /// through the same exp), in CSV and JSON; its model file gives the same
  /// with `--loss` and is refused without, naming `--loss`.
  @Test(arguments: [
    ("4,8:tanh,3", "cross-entropy-from-logits", "softmax", false, "3"),
    ("4,8:tanh,3", "sparse-cross-entropy-from-logits", "softmax", false, "2"),
    ("4,8:tanh,1", "binary-cross-entropy-from-logits", "sigmoid", true, "2"),
  ])
  func classesOfLogitsAreThoseOfTheSoftmaxOrSigmoidTwin(
    layers: String, loss: String, activation: String, binary: Bool, k: String
  ) throws {
    let folder = try TemporaryDirectory()
    let data = try Self.data(in: folder, binary: binary)
    let run = try Self.train(layers, loss, data: data, in: folder)
    let model = folder.path("model.json")
    #expect(try BPKitBinary.run("convert", run, model, "--model-only").status == 0)
    // The twin: the model document with its linear output layer made softmax or sigmoid.
    let document = try String(contentsOfFile: model, encoding: .utf8)
    let linear = try #require(document.range(of: "\"activation\": \"linear\"", options: .backwards))
    let twin = folder.path("twin.json")
    try document.replacingCharacters(in: linear, with: "\"activation\": \"\(activation)\"").write(
      toFile: twin, atomically: true, encoding: .utf8)

    for mode in [["--argmax"], ["--top-k", k]] {
      for format in ["csv", "json"] {
        let flags = ["--input", data, "--ignore", "species", "--format", format] + mode
        let fromLogits = try BPKitBinary.run(arguments: ["infer", run] + flags)
        #expect(fromLogits.status == 0 && fromLogits.error.isEmpty, "\(fromLogits.error)")
        let fromTwin = try BPKitBinary.run(arguments: ["infer", twin] + flags)
        #expect(fromTwin.status == 0, "\(fromTwin.error)")
        #expect(fromLogits.output == fromTwin.output, "\(mode) \(format)")
        #expect(fromLogits.output.split(separator: "\n").count >= 150)

        let given = try BPKitBinary.run(arguments: ["infer", model, "--loss", loss] + flags)
        #expect(given.status == 0 && given.error.isEmpty, "\(given.error)")
        #expect(given.output == fromLogits.output)
        let refused = try BPKitBinary.run(arguments: ["infer", model] + flags)
        #expect(refused.status == 2, "\(refused.error)")
        #expect(refused.error.split(separator: "\n").count == 1, "\(refused.error)")
        #expect(refused.error.contains("does not record the loss that trained it"), "\(refused.error)")
        #expect(refused.error.contains("give --loss cross-entropy-from-logits"), "\(refused.error)")
        #expect(refused.output.isEmpty)
      }
    }
    // The class is the largest logit (or a logit above 0), as the plain outputs show.
    let logits = try BPKitBinary.run("infer", run, "--input", data, "--ignore", "species")
    let classes = try BPKitBinary.run("infer", run, "--input", data, "--ignore", "species", "--argmax")
    let expected = logits.output.split(separator: "\n").dropFirst().map { line in
      let z = line.split(separator: ",").map { Float($0)! }
      return binary ? (z[0] > 0 ? "1" : "0") : "\(z.indices.max { z[$0] < z[$1] }!)"
    }
    #expect(classes.output.split(separator: "\n").dropFirst().map(String.init) == expected)
    #expect(Set(expected).count > 1, "the model should predict more than one class")
  }

  @Test func aFromLogitsLossForASoftmaxModelFileIsRefusedInOneLine() throws {
    let folder = try TemporaryDirectory()
    let run = try Self.train("4,8:tanh,3:softmax", "cross-entropy", data: Self.iris, in: folder)
    let model = folder.path("model.h5")
    #expect(try BPKitBinary.run("convert", run, model, "--model-only").status == 0)
    let refused = try BPKitBinary.run(
      "infer", model, "--input", Self.iris, "--ignore", "species", "--argmax", "--loss", "cross-entropy-from-logits")
    #expect(refused.status != 0)
    #expect(refused.error.split(separator: "\n").count == 1, "\(refused.error)")
    #expect(refused.error.contains("takes a linear output layer's logits"), "\(refused.error)")
    #expect(refused.output.isEmpty)
  }

  /// A Keras file compiled from logits gives its classes without --loss; the
  /// classes are the largest logits of Keras' own predictions' inputs.
  @Test(arguments: ["categorical_logits", "sparse_logits", "binary_logits"])
  func aKerasFileCompiledFromLogitsGivesClasses(name: String) throws {
    for suffix in ["keras", "h5"] {
      let file = Fixtures.path("keras-logits/\(name).\(suffix)")
      let input = ["--input", Fixtures.path("keras-logits/\(name).ref.h5"), "--x", "/x"]
      let classes = try BPKitBinary.run(arguments: ["infer", file, "--argmax"] + input)
      #expect(classes.status == 0 && classes.error.isEmpty, "\(classes.error)")
      let logits = try BPKitBinary.run(arguments: ["infer", file] + input)
      let expected = logits.output.split(separator: "\n").dropFirst().map { line in
        let z = line.split(separator: ",").map { Float($0)! }
        return z.count == 1 ? (z[0] > 0 ? "1" : "0") : "\(z.indices.max { z[$0] < z[$1] }!)"
      }
      #expect(classes.output.split(separator: "\n").dropFirst().map(String.init) == expected)
      let top = try BPKitBinary.run(arguments: ["infer", file, "--top-k", "2"] + input)
      #expect(top.status == 0 && top.error.isEmpty, "\(top.error)")
      for line in top.output.split(separator: "\n").dropFirst() {
        let fields = line.split(separator: ",")
        let (first, second) = (Double(fields[1])!, Double(fields[3])!)
        #expect(first >= second && first >= 0 && first <= 1 && second >= 0, "\(line)")
      }
    }
  }

  /// Text labels name the classes of a model trained from logits.
  @Test func aFromLogitsModelTrainedOnTextLabelsNamesItsClasses() throws {
    let folder = try TemporaryDirectory()
    let names = ["setosa", "versicolor", "virginica"]
    let rows = try String(contentsOfFile: Self.iris, encoding: .utf8).split(separator: "\n")
    let named = rows.enumerated().map { index, row in
      index == 0
        ? String(row)
        : row.split(separator: ",").dropLast().joined(separator: ",") + ","
          + names[Int(row.split(separator: ",").last!)!]
    }
    let data = folder.path("named.csv")
    try (named.joined(separator: "\n") + "\n").write(toFile: data, atomically: true, encoding: .utf8)
    let run = try Self.train("4,8:tanh,3", "sparse-cross-entropy-from-logits", data: data, in: folder)
    let classes = try BPKitBinary.run("infer", run, "--input", data, "--ignore", "species", "--argmax")
    #expect(classes.status == 0 && classes.error.isEmpty, "\(classes.error)")
    let predicted = Set(classes.output.split(separator: "\n").dropFirst().map(String.init))
    #expect(!predicted.isEmpty && predicted.isSubset(of: names), "\(predicted)")
    let scored = try BPKitBinary.run(
      "infer", run, "--input", data, "--labels", "species", "--argmax", "--output", folder.path("p.csv"))
    #expect(scored.status == 0, "\(scored.error)")
    #expect(scored.output.contains("accuracy: "), "\(scored.output)")
  }
}
