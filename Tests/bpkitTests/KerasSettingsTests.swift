import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// A Keras run with each optimizer setting continues in bpkit where Keras'
/// own continuation ends (Fixtures/keras-settings/README.md): the file alone
/// carries the optimizer, its settings, its slots and its step count.
@Suite struct KerasSettingsTests {
  /// Every case of `Scripts/keras_reference.py settings`, with the bpkit optimizer it must import as.
  static let cases: [(String, OptimizerKind)] = [
    ("adagrad", .adagrad), ("adagrad_accumulator", .adagrad), ("nadam", .nadam), ("adamw", .adamw),
    ("adam_amsgrad", .adam), ("adamw_amsgrad", .adamw), ("rmsprop_centered", .rmsprop),
    ("rmsprop_momentum", .rmsprop), ("rmsprop_momentum_centered", .rmsprop), ("sgd_weight_decay", .momentum),
    ("adagrad_weight_decay", .adagrad), ("adam_clipnorm", .adam), ("sgd_clipvalue", .sgd),
    ("rmsprop_global_clipnorm", .rmsprop), ("nadam_clipnorm_weight_decay", .nadam),
  ]

  @Test(arguments: cases.map(\.0), ["keras", "h5"])
  func bpkitContinuesWhereKerasContinues(name: String, format: String) throws {
    try continueRun(from: "\(name).\(format)", reference: name)
  }

  /// The same runs with the optimizer variables laid out as tf.keras 2 wrote
  /// them (`iter`, `Adam/hidden/kernel/m:0`, ...; Fixtures/keras-settings/README.md).
  @Test(arguments: ["adam_amsgrad", "rmsprop_momentum_centered", "nadam", "adagrad"])
  func bpkitContinuesATfKeras2Layout(name: String) throws {
    try continueRun(from: "tf2_\(name).h5", reference: name)
  }

  func continueRun(from file: String, reference name: String) throws {
    let folder = try TemporaryDirectory()
    let reference = Fixtures.path("keras-settings/\(name).ref.h5")
    let result = try BPKitBinary.run(
      "train", "--model", Fixtures.path("keras-settings/\(file)"), "--data", reference, "--x", "/x", "--y",
      "/y", "--epochs", "1", "--batch-size", "8", "--no-shuffle", "--checkpoint", folder.path("run.ckpt.h5"),
      "--quiet")
    #expect(result.status == 0, "\(result.error)")
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.ckpt.h5"))
    #expect(checkpoint.optimizer.iterations == 15)
    let file = try HDF5File(openingAtPath: reference)
    let x = try file.root.openDataset("x").read(as: Float.self)
    let expected = try file.root.openDataset("continued").read(as: Float.self)
    let predicted = try checkpoint.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    #expect(predicted.scalars.count == expected.count)
    let worst = zip(predicted.scalars, expected).map { abs($0 - $1) }.max() ?? .infinity
    #expect(worst <= 1e-4, "\(file): predictions differ from Keras' by \(worst)")
  }

  @Test(arguments: cases, ["keras", "h5"])
  func theFilesCarryEverySetting(setting: (String, OptimizerKind), format: String) throws {
    let keras = try KerasModel(contentsOfFile: Fixtures.path("keras-settings/\(setting.0).\(format)"))
    let optimizer = try #require(keras.optimizer, "\(keras.warnings)")
    #expect(optimizer.configuration.kind == setting.1)
    #expect(optimizer.iterations == 10)
    let configuration = optimizer.configuration
    let name = setting.0
    #expect(configuration.amsgrad == name.contains("amsgrad"))
    #expect(configuration.centered == name.contains("centered"))
    #expect((configuration.weightDecay != 0) == (name.contains("weight_decay") || name.hasPrefix("adamw")))
    #expect((configuration.clipNorm != 0) == (name.contains("_clipnorm") && !name.contains("global")))
    #expect((configuration.globalClipNorm != 0) == name.contains("global_clipnorm"))
    #expect((configuration.clipValue != 0) == name.contains("clipvalue"))
    #expect(Set(optimizer.slots.keys) == Self.slots(name))
  }

  /// The Keras slots each case's optimizer keeps.
  static func slots(_ name: String) -> Set<String> {
    if name.hasPrefix("adagrad") { return ["accumulator"] }
    if name.hasPrefix("adam") || name.hasPrefix("nadam") {
      return name.contains("amsgrad") ? ["momentum", "velocity", "velocity_hat"] : ["momentum", "velocity"]
    }
    if name.hasPrefix("rmsprop") {
      return Set(
        ["velocity"] + (name.contains("momentum") ? ["momentum"] : [])
          + (name.contains("centered") ? ["average_gradient"] : []))
    }
    return name == "sgd_weight_decay" ? ["momentum"] : []
  }

  /// bpkit runs with the settings, for the reverse direction.
  static let bpkitRuns: [(String, [String], [String: Double])] = [
    ("adagrad", ["--optimizer", "adagrad", "--lr", "0.05"], ["initial_accumulator_value": 0.1]),
    (
      "nadam_clipnorm_decay", ["--optimizer", "nadam", "--lr", "0.01", "--clipnorm", "0.05", "--weight-decay", "0.02"],
      ["clipnorm": 0.05, "weight_decay": 0.02]
    ),
    ("adamw_amsgrad", ["--optimizer", "adamw", "--lr", "0.01", "--amsgrad"], ["weight_decay": 0.004, "amsgrad": 1]),
    (
      "rmsprop_centered_global",
      ["--optimizer", "rmsprop", "--lr", "0.005", "--momentum", "0.5", "--centered", "--global-clipnorm", "0.05"],
      ["momentum": 0.5, "centered": 1, "global_clipnorm": 0.05]
    ),
    (
      "sgd_clipvalue_decay", ["--optimizer", "sgd", "--lr", "0.2", "--clipvalue", "0.02", "--weight-decay", "0.01"],
      ["clipvalue": 0.02, "weight_decay": 0.01]
    ),
  ]

  /// Leaves, in `.build/keras-outputs`, a bpkit run of 2 epochs with each
  /// setting exported to `.keras`, and beside it (`.continue.h5`) the data and
  /// bpkit's predictions after a third epoch: `make keras-check` loads the
  /// file compiled in Keras, continues it one epoch and requires Keras'
  /// predictions within 1e-4 of bpkit's.
  @Test(arguments: bpkitRuns)
  func aBpkitRunExportedToKerasIsReadyToContinue(run: (String, [String], [String: Double])) throws {
    let folder = try TemporaryDirectory()
    let data = Fixtures.path("keras-settings/adagrad.ref.h5")
    let checkpoint = folder.path("run.ckpt.h5")
    let train = try BPKitBinary.run(
      arguments: [
        "train", "--layers", "4,6:tanh,3:softmax", "--data", data, "--x", "/x", "--y", "/y", "--loss",
        "cross-entropy", "--epochs", "2", "--batch-size", "8", "--no-shuffle", "--seed", "5", "--checkpoint",
        checkpoint, "--quiet",
      ] + run.1)
    #expect(train.status == 0, "\(train.error)")
    let exported = KerasOutputs.path("continue_\(run.0).keras")
    let convert = try BPKitBinary.run("convert", checkpoint, exported)
    #expect(convert.status == 0, "\(convert.error)")
    let className = ["adagrad": "Adagrad", "nadam": "Nadam", "adamw": "AdamW", "rmsprop": "RMSprop", "sgd": "SGD"][
      String(run.0.prefix { $0 != "_" })]!
    let learningRate = Double(run.1[run.1.firstIndex(of: "--lr")! + 1])!
    KerasOutputs.expect(
      exported, optimizer: className, hyperparameters: run.2.merging(["learning_rate": learningRate]) { $1 },
      loss: "categorical_crossentropy")

    let resumed = try BPKitBinary.run("train", "--resume", checkpoint, "--epochs", "3", "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)")
    let continued = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    #expect(continued.optimizer.iterations == 15)
    let file = try HDF5File(openingAtPath: data)
    let x = try file.root.openDataset("x").read(as: Float.self)
    let y = try file.root.openDataset("y").read(as: Float.self)
    let predicted = try continued.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    let reference = try HDF5File.create(atPath: exported + ".continue.h5", overwrite: true)
    let root = try reference.root
    _ = try root.write(x, shape: [x.count / 4, 4], to: "x")
    _ = try root.write(y, shape: [y.count / 3, 3], to: "y")
    _ = try root.write(predicted.scalars, shape: predicted.shape, to: "continued")
  }
}
