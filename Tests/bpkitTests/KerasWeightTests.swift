import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Keras runs with `fit(class_weight=...)` (Fixtures/keras-weights/README.md)
/// continue in bpkit, given the same `--class-weight`, where Keras' own
/// continuation ends, and train from the never-trained file to where Keras'
/// 2 epochs end; a bpkit run with class weights, exported, is left for
/// `make keras-check` to continue in Keras with them.
@Suite struct KerasWeightTests {
  static let cases = [
    "class_weight_softmax", "class_weight_balanced", "class_weight_sigmoid", "sample_weight_softmax",
    "sample_weight_mse",
  ]

  static func reference(_ name: String) -> String { Fixtures.path("keras-weights/\(name).ref.h5") }

  static func read(_ name: String, _ dataset: String) throws -> [Float] {
    try HDF5File(openingAtPath: reference(name)).root.openDataset(dataset).read(as: Float.self)
  }

  /// The flags that weigh the case's run: `--class-weight W` or `--sample-weight /sample_weight`.
  static func weighing(_ name: String) throws -> [String] {
    name.hasPrefix("sample_weight")
      ? ["--sample-weight", "/sample_weight"]
      : ["--class-weight", try HDF5File(openingAtPath: reference(name)).root.stringAttribute("class_weight")]
  }

  static func worst(_ a: [Float], _ b: [Float]) -> Float {
    a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
  }

  /// Trains `file` `epochs` epochs on the case's data with `extra` flags; the predictions on `x`.
  static func train(_ name: String, file: String, epochs: Int, _ extra: [String]) throws -> [Float] {
    try trainRun(name, file: file, epochs: epochs, extra).predictions
  }

  static func trainRun(_ name: String, file: String, epochs: Int, _ extra: [String]) throws -> (
    predictions: [Float], checkpoint: Checkpoint
  ) {
    let folder = try TemporaryDirectory()
    let result = try BPKitBinary.run(
      arguments: [
        "train", "--model", Fixtures.path("keras-weights/\(file)"), "--data", reference(name), "--x", "/x", "--y",
        "/y", "--epochs", "\(epochs)", "--batch-size", "8", "--no-shuffle", "--checkpoint", folder.path("run.h5"),
        "--quiet",
      ] + extra)
    #expect(result.status == 0, "\(result.error)")
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.h5"))
    let x = try read(name, "x")
    return (try checkpoint.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x)).scalars, checkpoint)
  }

  @Test(arguments: cases, ["keras", "h5"])
  func bpkitContinuesWhereKerasContinues(name: String, format: String) throws {
    let weights = try Self.weighing(name)
    let continued = try Self.read(name, "continued")
    let predicted = try Self.train(name, file: "\(name).\(format)", epochs: 1, weights)
    let difference = Self.worst(predicted, continued)
    #expect(difference <= 1e-4, "\(name).\(format): \(difference) from Keras' continuation")
    // Without the weights the run ends elsewhere: the fixture tells them apart.
    let unweighted = Self.worst(try Self.train(name, file: "\(name).\(format)", epochs: 1, []), continued)
    #expect(unweighted > 1e-3, "\(name).\(format): unweighted only \(unweighted) from Keras")
  }

  @Test(arguments: cases, ["keras", "h5"])
  func bpkitTrainsANeverTrainedFileAsKerasDoes(name: String, format: String) throws {
    let weights = try Self.weighing(name)
    let predicted = try Self.train(name, file: "\(name).start.\(format)", epochs: 2, weights)
    let difference = Self.worst(predicted, try Self.read(name, "trained"))
    #expect(difference <= 1e-4, "\(name).start.\(format): \(difference) from Keras' 2 epochs")
  }

  /// Keras' fit with sample weights and validation_split=0.25 weighs the
  /// held-out samples' loss too: bpkit's validation loss each epoch, as its
  /// predictions, ends within 1e-4 of Keras'.
  @Test(arguments: ["keras", "h5"])
  func aValidationSplitWeighsItsSamplesAsKerasDoes(format: String) throws {
    let name = "sample_weight_validation"
    let run = try Self.trainRun(
      name, file: "\(name).start.\(format)", epochs: 2,
      ["--sample-weight", "/sample_weight", "--validation-split", "0.25"])
    #expect(Self.worst(run.predictions, try Self.read(name, "trained")) <= 1e-4)
    let file = try HDF5File(openingAtPath: Self.reference(name))
    let validation = try file.root.openDataset("val_loss_history").read(as: Double.self)
    let training = try file.root.openDataset("loss_history").read(as: Double.self)
    let history = run.checkpoint.progress.history
    #expect(history.count == 2)
    for (record, (keras, kerasTraining)) in zip(history, zip(validation, training)) {
      #expect(abs((record.validationLoss ?? .nan) - keras) <= 1e-4, "epoch \(record.epoch): \(record) against \(keras)")
      #expect(
        abs(record.trainLoss - kerasTraining) <= 1e-4, "epoch \(record.epoch): \(record) against \(kerasTraining)")
    }
  }

  /// A bpkit run with class weights exported to `.keras`, with bpkit's
  /// predictions after a third epoch and the weights beside it: `make
  /// keras-check` continues it in Keras with `class_weight` and requires
  /// Keras' predictions within 1e-4 of bpkit's.
  @Test(arguments: [
    ("softmax", "4,6:tanh,3:softmax", "class_weight_softmax"),
    ("sigmoid", "4,6:tanh,1:sigmoid", "class_weight_sigmoid"),
    ("sample", "4,6:tanh,3:softmax", "sample_weight_softmax"),
  ])
  func aBpkitRunExportedToKerasIsReadyToContinue(case: (String, String, String)) throws {
    let (label, layers, name) = `case`
    let folder = try TemporaryDirectory()
    let checkpoint = folder.path("run.ckpt.h5")
    let weighing =
      label == "sample"
      ? ["--sample-weight", "/sample_weight"] : ["--class-weight", label == "softmax" ? "0:0.5,2:4" : "0:3,1:0.25"]
    let train = try BPKitBinary.run(
      "train", "--layers", layers, "--data", Self.reference(name), "--x", "/x", "--y", "/y", "--optimizer", "adam",
      "--lr", "0.01", "--epochs", "2", "--batch-size", "8", "--no-shuffle", "--seed", "5", "--checkpoint", checkpoint,
      "--quiet", weighing[0], weighing[1])
    #expect(train.status == 0, "\(train.error)")
    let exported = KerasOutputs.path("continue_\(label == "sample" ? "sample_weight" : "class_weight_\(label)").keras")
    let convert = try BPKitBinary.run("convert", checkpoint, exported)
    #expect(convert.status == 0, "\(convert.error)")
    let loss = label == "sigmoid" ? "binary_crossentropy" : "categorical_crossentropy"
    KerasOutputs.expect(exported, optimizer: "Adam", hyperparameters: ["learning_rate": 0.01], loss: loss)
    let resumed = try BPKitBinary.run("train", "--resume", checkpoint, "--epochs", "3", "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)")
    let continued = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    let x = try Self.read(name, "x")
    let y = try Self.read(name, "y")
    let predicted = try continued.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    let reference = try HDF5File.create(atPath: exported + ".continue.h5", overwrite: true)
    let root = try reference.root
    _ = try root.write(x, shape: [x.count / 4, 4], to: "x")
    _ = try root.write(y, shape: [x.count / 4, y.count / (x.count / 4)], to: "y")
    _ = try root.write(predicted.scalars, shape: predicted.shape, to: "continued")
    if let classWeights = continued.configuration.classWeights {
      let json =
        "{" + classWeights.enumerated().map { "\"\($0.offset)\": \($0.element)" }.joined(separator: ", ") + "}"
      try root.setAttribute("class_weight", to: json)
    } else {
      #expect(continued.data?.sampleWeights == "/sample_weight")
      let weights = try Self.read(name, "sample_weight")
      _ = try root.write(weights, shape: [weights.count], to: "sample_weight")
    }
  }
}
