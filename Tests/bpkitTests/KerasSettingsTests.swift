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
  static let cases: [(String, OptimizerKind)] =
    [
      ("adagrad", .adagrad), ("adagrad_accumulator", .adagrad), ("nadam", .nadam), ("adamw", .adamw),
      ("adam_amsgrad", .adam), ("adamw_amsgrad", .adamw), ("rmsprop_centered", .rmsprop),
      ("rmsprop_momentum", .rmsprop), ("rmsprop_momentum_centered", .rmsprop), ("sgd_weight_decay", .momentum),
      ("adagrad_weight_decay", .adagrad), ("adam_clipnorm", .adam), ("sgd_clipvalue", .sgd),
      ("rmsprop_global_clipnorm", .rmsprop), ("nadam_clipnorm_weight_decay", .nadam),
    ] + scheduleCases.map { ($0.0, $0.1) }

  /// The learning-rate schedule cases (`Scripts/keras_reference.py schedules`), with the Keras schedule each carries.
  static let scheduleCases: [(String, OptimizerKind, String)] = [
    ("sgd_exponential_decay", .momentum, "ExponentialDecay"),
    ("sgd_exponential_decay_staircase", .sgd, "ExponentialDecay"),
    ("adam_piecewise_constant_decay", .adam, "PiecewiseConstantDecay"),
    ("rmsprop_inverse_time_decay", .rmsprop, "InverseTimeDecay"),
    ("adagrad_inverse_time_decay_staircase", .adagrad, "InverseTimeDecay"),
    ("adam_polynomial_decay", .adam, "PolynomialDecay"), ("sgd_polynomial_decay_cycle", .sgd, "PolynomialDecay"),
    ("nadam_cosine_decay", .nadam, "CosineDecay"), ("adamw_cosine_decay_warmup", .adamw, "CosineDecay"),
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
    #expect(configuration.schedule?.kerasClassName == Self.scheduleCases.first { $0.0 == name }?.2)
  }

  /// A rate beside a file's schedule, or a schedule bpkit has not, is refused
  /// in one line with the way out, before any file is written.
  @Test func aRateBesideTheFilesScheduleOrAnUnknownScheduleIsRefused() throws {
    let folder = try TemporaryDirectory()
    let reference = Fixtures.path("keras-settings/sgd_exponential_decay.ref.h5")
    let common = [
      "train", "--model", Fixtures.path("keras-settings/sgd_exponential_decay.keras"), "--data", reference, "--x",
      "/x", "--y", "/y", "--epochs", "1", "--checkpoint", folder.path("run.ckpt.h5"), "--quiet",
    ]
    let rate = try BPKitBinary.run(arguments: common + ["--lr", "0.1"])
    #expect(rate.status == 2)
    #expect(
      rate.error
        == "bpkit: error: the learning rate follows the schedule exponential_decay:initial_learning_rate=0.2,"
        + "decay_steps=5,decay_rate=0.8,staircase=false; replace it with --lr-schedule, or drop --lr\n")
    let unknown = try BPKitBinary.run(
      arguments: common + ["--lr-schedule", "cosine_decay_restarts:first_decay_steps=4"])
    #expect(unknown.status == 2)
    #expect(unknown.error.hasPrefix("bpkit: error: --lr-schedule cosine_decay_restarts is not a schedule bpkit has"))
    #expect(!FileManager.default.fileExists(atPath: folder.path("run.ckpt.h5")))
    // A schedule given replaces the file's, and is what the checkpoint keeps.
    let replaced = try BPKitBinary.run(
      arguments: common + ["--lr", "0.05", "--lr-schedule", "inverse_time_decay:decay_steps=2,decay_rate=1"])
    #expect(replaced.status == 0, "\(replaced.error)")
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.ckpt.h5"))
    #expect(
      checkpoint.optimizer.configuration.schedule
        == .inverseTimeDecay(initialLearningRate: 0.05, decaySteps: 2, decayRate: 1, staircase: false))
  }

  /// The same continuation with the schedule left out lands far from Keras:
  /// the fixtures tell a scheduled rate from its first value.
  @Test func withoutItsScheduleARunEndsElsewhere() throws {
    let keras = try KerasModel(contentsOfFile: Fixtures.path("keras-settings/sgd_exponential_decay.keras"))
    var optimizer = try #require(keras.optimizer)
    let schedule = try #require(optimizer.configuration.schedule)
    optimizer.configuration.schedule = nil
    optimizer.configuration.learningRate = schedule.learningRate(atStep: 10)
    let file = try HDF5File(openingAtPath: Fixtures.path("keras-settings/sgd_exponential_decay.ref.h5"))
    let x = try file.root.openDataset("x").read(as: Float.self)
    let y = try file.root.openDataset("y").read(as: Float.self)
    let expected = try file.root.openDataset("continued").read(as: Float.self)
    let engine = try TrainingEngine<Float>(model: keras.model, optimizer: optimizer, loss: .categoricalCrossEntropy)
    for start in stride(from: 0, to: 40, by: 8) {
      try x[(start * 4)..<((start + 8) * 4)].withUnsafeBufferPointer { inputs in
        try y[(start * 3)..<((start + 8) * 3)].withUnsafeBufferPointer { targets in
          _ = try engine.step(inputs: inputs, targets: .values(targets), count: 8)
        }
      }
    }
    let predicted = try engine.model.predict(Tensor(shape: [40, 4], scalars: x))
    let worst = zip(predicted.scalars, expected).map { abs($0 - $1) }.max() ?? 0
    #expect(worst > 1e-3, "a constant rate lands \(worst) from Keras")
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
    return name == "sgd_weight_decay" || name == "sgd_exponential_decay" ? ["momentum"] : []
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
    (
      "sgd_exponential_decay",
      ["--optimizer", "momentum", "--lr", "0.2", "--lr-schedule", "exponential_decay:decay_steps=5,decay_rate=0.8"],
      ["momentum": 0.9]
    ),
    (
      "adamw_cosine_decay_warmup",
      [
        "--optimizer", "adamw", "--lr", "0.001", "--lr-schedule",
        "cosine_decay:decay_steps=8,alpha=0.1,warmup_target=0.02,warmup_steps=4",
      ],
      ["weight_decay": 0.004]
    ),
    (
      "adam_piecewise_constant_decay",
      ["--optimizer", "adam", "--lr-schedule", "piecewise_constant_decay:boundaries=6/12,values=0.02/0.01/0.004"],
      [:]
    ),
    (
      "rmsprop_polynomial_decay_cycle",
      ["--optimizer", "rmsprop", "--lr", "0.01", "--lr-schedule", "polynomial_decay:decay_steps=4,power=0.5,cycle"],
      [:]
    ),
    (
      "adagrad_inverse_time_decay",
      [
        "--optimizer", "adagrad", "--lr", "0.1", "--lr-schedule",
        "inverse_time_decay:decay_steps=3,decay_rate=0.7,staircase",
      ],
      ["initial_accumulator_value": 0.1]
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
    let className = [
      "adagrad": "Adagrad", "nadam": "Nadam", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "sgd": "SGD",
    ][
      String(run.0.prefix { $0 != "_" })]!
    let learningRate = run.1.firstIndex(of: "--lr").map { Double(run.1[$0 + 1])! } ?? 0.001
    if let position = run.1.firstIndex(of: "--lr-schedule") {
      let schedule = try LearningRateSchedule(specification: run.1[position + 1], learningRate: learningRate)
      var settings: [String: Any] = [:]
      for (name, value) in schedule.kerasSettings {
        switch value {
        case .number(let number): settings[name] = number
        case .flag(let flag): settings[name] = flag
        case .numbers(let numbers): settings[name] = numbers
        case nil: settings[name] = NSNull()
        }
      }
      KerasOutputs.expect(
        exported, optimizer: className, hyperparameters: run.2, loss: "categorical_crossentropy",
        schedule: ["class_name": schedule.kerasClassName, "config": settings])
    } else {
      KerasOutputs.expect(
        exported, optimizer: className, hyperparameters: run.2.merging(["learning_rate": learningRate]) { $1 },
        loss: "categorical_crossentropy")
    }

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
