import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// `bpkit train --clip-probabilities` through the binary, on the saturated
/// Keras run (Fixtures/keras-logits, `saturated`), whose probabilities pass
/// Keras' bounds: a legacy `.h5` (saved by JAX) continues as Keras clips,
/// a `.keras` archive (no backend recorded) as TensorFlow does unless the
/// flag says otherwise, with a note naming it; the checkpoint keeps ε,
/// `inspect` and `diff` show it, a stopped run resumes to the same bits, and
/// a clip that means nothing is a usage error naming the flag.
@Suite struct ProbabilityClipCommandTests {
  static var fixture: KerasContinuation { KerasContinuation(folder: "keras-logits", name: "saturated") }

  @Test(arguments: [
    ("h5", 1, "continued", [String]()), ("keras", 1, "continued", ["--clip-probabilities", "keras"]),
    ("start.h5", 2, "trained", []), ("start.keras", 2, "trained", ["--clip-probabilities", "1e-7"]),
  ])
  func theSaturatedRunContinuesAsKerasClips(suffix: String, epochs: Int, reference: String, extra: [String]) throws {
    let folder = try TemporaryDirectory()
    let run = try Self.fixture.train(suffix, epochs: epochs, in: folder, extra: extra)
    #expect(run.result.status == 0, "\(run.result.error)")
    #expect(run.checkpoint?.configuration.probabilityClip == 1e-7)
    #expect(!run.result.error.contains("--clip-probabilities"), "\(run.result.error)")
    let difference = KerasContinuation.worst(run.predicted, try Self.fixture.read(reference))
    #expect(difference <= 1e-4, "\(suffix): \(difference) from Keras' predictions")
    if epochs == 2 {
      // The loss reported is Keras' clipped one (loss_history: 7.7137, 7.0082; unclipped 10.79, 9.14).
      let keras = try HDF5File(openingAtPath: Self.fixture.reference).root.openDataset("loss_history")
        .read(as: Double.self)
      let reported = try #require(run.checkpoint).progress.history.map(\.trainLoss)
      #expect(reported.count == 2 && zip(reported, keras).allSatisfy { abs($0 - $1) <= 1e-5 * $1 }, "\(reported)")
    }
  }

  /// A `.keras` archive does not record its backend: it trains unclipped,
  /// as Keras' default TensorFlow backend does, and a note says so and
  /// names the flag; `none` overrides a legacy `.h5`'s JAX rule.
  @Test(arguments: [("keras", [String]()), ("h5", ["--clip-probabilities", "none"])])
  func unclippedRunsEndWhereTensorFlowWould(suffix: String, extra: [String]) throws {
    let folder = try TemporaryDirectory()
    let run = try Self.fixture.train(suffix, epochs: 1, in: folder, extra: extra)
    #expect(run.result.status == 0, "\(run.result.error)")
    #expect(run.checkpoint?.configuration.probabilityClip == nil)
    let notes = run.result.error.split(separator: "\n")
    if suffix == "keras" {
      #expect(notes.count == 1, "\(run.result.error)")
      #expect(
        run.result.error.contains("saturated.keras does not record the Keras backend that trained it")
          && run.result.error.contains("--clip-probabilities keras"), "\(run.result.error)")
    } else {
      #expect(notes.isEmpty, "\(run.result.error)")
    }
    // JAX clipped where this run did not: it ends far from Keras' continuation.
    #expect(KerasContinuation.worst(run.predicted, try Self.fixture.read("continued")) > 1e-2)
  }

  /// `inspect` of a Keras file names its loss and the backend's rule.
  @Test func inspectShowsAKerasFilesBackendRule() throws {
    let legacy = try BPKitBinary.run("inspect", Self.fixture.model("h5"))
    #expect(
      legacy.output.contains(
        "\nLoss        cross_entropy; Keras backend jax: probabilities clipped to [1e-07, 1 − 1e-07]\n"),
      "\(legacy.output)")
    let archive = try BPKitBinary.run("inspect", Self.fixture.model("keras"))
    #expect(
      archive.output.contains(
        "\nLoss        cross_entropy; Keras backend not recorded: trained unclipped, as on TensorFlow, unless "
          + "--clip-probabilities keras\n"), "\(archive.output)")
    let json = try BPKitBinary.run("inspect", "--json", Self.fixture.model("h5"))
    #expect(json.output.contains("\"backend\" : \"jax\""), "\(json.output)")
    let logits = try BPKitBinary.run("inspect", Fixtures.path("keras-logits/categorical_logits.h5"))
    #expect(logits.output.contains("\nLoss        cross_entropy_from_logits\n"), "\(logits.output)")
  }

  @Test func inspectAndDiffShowTheClip() throws {
    let folder = try TemporaryDirectory()
    let clipped = try Self.fixture.train("h5", epochs: 1, in: folder)
    #expect(clipped.result.status == 0, "\(clipped.result.error)")
    let plain = try Self.fixture.train("keras", epochs: 1, in: folder)
    #expect(plain.result.status == 0, "\(plain.result.error)")
    let clippedPath = folder.path("saturated.h5.ckpt.h5")
    let inspect = try BPKitBinary.run("inspect", clippedPath)
    #expect(
      inspect.output.contains("\nLoss        cross_entropy, probabilities clipped to [1e-07, 1 − 1e-07], batch size 8"),
      "\(inspect.output)")
    let json = try BPKitBinary.run("inspect", "--json", clippedPath)
    #expect(json.output.contains("\"probability_clip\" : 1e-07"), "\(json.output)")
    let plainJSON = try BPKitBinary.run("inspect", "--json", folder.path("saturated.keras.ckpt.h5"))
    #expect(plainJSON.output.contains("\"probability_clip\" : null"), "\(plainJSON.output)")
    let diff = try BPKitBinary.run("diff", clippedPath, folder.path("saturated.keras.ckpt.h5"))
    #expect(diff.status == 1)
    #expect(diff.output.contains("probability clip: [1e-07, 1 − 1e-07] vs none"), "\(diff.output)")
    // JSON keeps it: converted and back, the checkpoint is the same.
    let converted = folder.path("run.json")
    #expect(try BPKitBinary.run("convert", clippedPath, converted).status == 0)
    let back = folder.path("back.h5")
    #expect(try BPKitBinary.run("convert", converted, back).status == 0)
    #expect(try BPKitBinary.run("diff", clippedPath, back).status == 0)
  }

  /// A legacy `.h5` export names the backend whose rule the run followed
  /// (`jax` when it clipped), so that bpkit trains it back the same way; a
  /// `.keras` export cannot say it, and `convert` notes that in one line.
  @Test func exportsSayWhatTheKerasFileCannotHold() throws {
    let folder = try TemporaryDirectory()
    let clipped = try Self.fixture.train("h5", epochs: 1, in: folder)
    #expect(clipped.result.status == 0, "\(clipped.result.error)")
    let plain = try Self.fixture.train("keras", epochs: 1, in: folder)
    #expect(plain.result.status == 0, "\(plain.result.error)")
    let clippedPath = folder.path("saturated.h5.ckpt.h5")
    let legacy = try BPKitBinary.run("convert", clippedPath, folder.path("out.h5"), "--to", "keras-h5")
    #expect(legacy.status == 0, "\(legacy.error)")
    #expect(legacy.error.isEmpty, "\(legacy.error)")
    let plainLegacy = try BPKitBinary.run(
      "convert", folder.path("saturated.keras.ckpt.h5"), folder.path("plain.h5"), "--to", "keras-h5")
    #expect(plainLegacy.status == 0, "\(plainLegacy.error)")
    #expect(try HDF5File(openingAtPath: folder.path("out.h5")).root.stringAttribute("backend") == "jax")
    #expect(try HDF5File(openingAtPath: folder.path("plain.h5")).root.stringAttribute("backend") == "tensorflow")
    let archive = try BPKitBinary.run("convert", clippedPath, folder.path("out.keras"))
    #expect(archive.status == 0, "\(archive.error)")
    #expect(archive.error.split(separator: "\n").count == 1, "\(archive.error)")
    #expect(
      archive.error.contains("is not recorded in a .keras file")
        && archive.error.contains("--clip-probabilities keras"), "\(archive.error)")
    // bpkit reads each back as written: the .h5 clipped, the .keras unclipped with its note.
    let again = KerasContinuation(folder: "keras-logits", name: "saturated")
    for (file, clip) in [("out.h5", 1e-7), ("plain.h5", nil)] as [(String, Double?)] {
      let checkpoint = folder.path("again-\(file).ckpt.h5")
      let result = try BPKitBinary.run(
        "train", "--model", folder.path(file), "--data", again.reference, "--x", "/x", "--y", "/y", "--epochs", "1",
        "--checkpoint", checkpoint, "--quiet")
      #expect(result.status == 0, "\(result.error)")
      #expect(try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint)).configuration.probabilityClip == clip)
    }
  }

  /// The reverse: a clipping bpkit run on the saturated model, exported to
  /// `.keras`, is left for `make keras-check` (Keras on JAX, which clips) to
  /// continue one epoch and end within 1e-4 of bpkit's own continuation.
  @Test func aClippedRunExportedToKerasIsReadyToContinue() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = folder.path("run.ckpt.h5")
    let train = try BPKitBinary.run(
      "train", "--model", Self.fixture.model("h5"), "--data", Self.fixture.reference, "--x", "/x", "--y", "/y",
      "--epochs", "1", "--batch-size", "8", "--no-shuffle", "--checkpoint", checkpoint, "--quiet")
    #expect(train.status == 0, "\(train.error)")
    let exported = KerasOutputs.path("continue_clipped_saturated.keras")
    let convert = try BPKitBinary.run("convert", checkpoint, exported)
    #expect(convert.status == 0, "\(convert.error)")
    KerasOutputs.expect(
      exported, optimizer: "Adam", hyperparameters: ["learning_rate": 0.01], loss: "categorical_crossentropy")
    let resumed = try BPKitBinary.run("train", "--resume", checkpoint, "--epochs", "2", "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)")
    let continued = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    #expect(continued.configuration.probabilityClip == 1e-7)
    let x = try Self.fixture.read("x")
    let y = try Self.fixture.read("y")
    let predicted = try continued.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    // Saturated still: without the clip the continuation would differ from Keras'.
    #expect(predicted.scalars.contains { $0 < 1e-7 })
    let reference = try HDF5File.create(atPath: exported + ".continue.h5", overwrite: true)
    let root = try reference.root
    _ = try root.write(x, shape: [x.count / 4, 4], to: "x")
    _ = try root.write(y, shape: [x.count / 4, 3], to: "y")
    _ = try root.write(predicted.scalars, shape: predicted.shape, to: "continued")
  }

  /// Training's validation and `infer --labels` on its checkpoint report
  /// the same loss, clipped at the run's own ε (0.01 here, where Keras'
  /// 1e-7 would give another figure on these saturated outputs).
  @Test func inferEvaluatesWithTheRunsClip() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = folder.path("run.h5")
    let reference = Self.fixture.reference
    let train = try BPKitBinary.run(
      "train", "--model", Self.fixture.model("h5"), "--data", reference, "--x", "/x", "--y", "/y", "--validation",
      reference, "--validation-x", "/x", "--validation-y", "/y", "--epochs", "1", "--batch-size", "8",
      "--no-shuffle", "--clip-probabilities", "0.01", "--checkpoint", checkpoint, "--quiet")
    #expect(train.status == 0, "\(train.error)")
    let validation = try #require(
      try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint)).progress.history.last?.validationLoss)
    let infer = try BPKitBinary.run(
      "infer", checkpoint, "--input", reference, "--x", "/x", "--labels", "/y", "--metrics-only")
    #expect(infer.status == 0, "\(infer.error)")
    let line = try #require(infer.output.split(separator: "\n").first { $0.hasPrefix("loss") }, "\(infer.output)")
    let loss = try #require(Double(line.split(separator: " ").last ?? ""), "\(line)")
    #expect(abs(loss - validation) <= 1e-5 * validation, "infer \(loss), validation \(validation)")
    // Clipped at Keras' 1e-7 instead, the same outputs give another figure.
    let model = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint)).model
    let x = try Self.fixture.read("x")
    let outputs = try model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    var keras = try Evaluation(network: model.network, loss: .categoricalCrossEntropy)
    #expect(keras.probabilityClip == 1e-7)
    try keras.add(outputs: outputs.scalars[...], labels: try Self.fixture.read("y")[...], units: 3, source: "y")
    #expect(abs(keras.meanLoss - validation) > 1e-2 * validation, "\(keras.meanLoss) \(validation)")
  }

  /// The same clip given again on resume is accepted; another is refused.
  @Test func aStoppedRunResumesToTheUninterruptedBits() throws {
    let folder = try TemporaryDirectory()
    func train(_ checkpoint: String, _ extra: [String], clip: String = "keras") throws -> ProcessResult {
      try BPKitBinary.run(
        arguments: [
          "train", "--model", Self.fixture.model("keras"), "--data", Self.fixture.reference, "--x", "/x", "--y", "/y",
          "--epochs", "3", "--batch-size", "8", "--checkpoint", folder.path(checkpoint), "--quiet",
          "--clip-probabilities", clip,
        ] + extra)
    }
    let parts = try TrainingSettingChecks.expectStoppedRunResumesBitwise(
      in: folder, stoppingAfter: 7, again: ["--epochs", "4", "--clip-probabilities", "1e-7"],
      changed: ["--epochs", "5", "--clip-probabilities", "none"], flag: "--clip-probabilities"
    ) { checkpoint, extra in try train(checkpoint, extra) }
    #expect(parts.configuration.probabilityClip == 1e-7)
    // The clip changes the run: without it the same run ends elsewhere.
    #expect(try train("plain.h5", [], clip: "none").status == 0)
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    #expect(!CheckpointComparison.differences(whole, try CheckpointComparison.load(folder.path("plain.h5"))).isEmpty)
  }

  @Test(arguments: [
    ("4,6:tanh,3", ["--loss", "mse", "--clip-probabilities", "keras"], "loss mse reads no probabilities to clip"),
    (
      "4,6:tanh,3", ["--loss", "cross-entropy-from-logits", "--clip-probabilities", "keras"],
      "loss cross_entropy_from_logits reads no probabilities to clip"
    ),
    ("4,6:tanh,3:softmax", ["--clip-probabilities", "0.5"], "--clip-probabilities takes keras"),
    ("4,6:tanh,3:softmax", ["--clip-probabilities", "tensorflow"], "--clip-probabilities takes keras"),
  ])
  func aClipThatMeansNothingIsAUsageErrorNamingTheFlag(layers: String, extra: [String], message: String) throws {
    let folder = try TemporaryDirectory()
    let result = try BPKitBinary.run(
      arguments: [
        "train", "--layers", layers, "--data", Self.fixture.reference, "--x", "/x", "--y", "/y", "--epochs", "1",
        "--checkpoint", folder.path("run.h5"), "--quiet",
      ] + extra)
    TrainingSettingChecks.expectUsageError(result, message, writing: folder.path("run.h5"))
  }

  /// The refusal comes before any data is read: a missing data file is not what it names.
  @Test func aMeaninglessClipIsRefusedBeforeTheData() throws {
    let folder = try TemporaryDirectory()
    let result = try BPKitBinary.run(
      "train", "--layers", "4,6:tanh,3", "--data", folder.path("missing.h5"), "--clip-probabilities", "keras",
      "--checkpoint", folder.path("run.h5"), "--quiet")
    #expect(result.status == 2)
    #expect(result.error.contains("loss mse reads no probabilities to clip"), "\(result.error)")
  }
}
