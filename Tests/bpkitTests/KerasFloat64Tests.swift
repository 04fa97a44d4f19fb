import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Keras models with a float64 dtype policy (Fixtures/keras-float64/README.md):
/// they import as float64 models, weights and optimizer slots exact, and
/// bpkit continues them, or trains a never-trained one, in Double where Keras
/// did; a model mixing policies is refused by layer name.
@Suite struct KerasFloat64Tests {
  static let cases = ["adam_floatx_float64", "sgd_momentum_layers_float64"]

  /// How close bpkit lands to Keras. With floatx float64 the two compute the
  /// same float64 arithmetic up to the order of their sums. With dtype="float64"
  /// on the layers and floatx left at float32, Keras keeps the optimizer's
  /// learning rate in a float32 variable (0.05 becomes 0.05000000074505806),
  /// which bpkit takes from the configuration exactly: about 1e-8 apart.
  static func tolerance(_ name: String) -> Double { name.contains("floatx") ? 1e-12 : 1e-8 }

  /// Trains `file` for `epochs` and returns the largest difference between
  /// bpkit's float64 predictions and `reference`'s float64 dataset `expected`.
  func train(_ file: String, epochs: Int, reference name: String, expected: String) throws -> Double {
    let folder = try TemporaryDirectory()
    let reference = Fixtures.path("keras-float64/\(name).ref.h5")
    let result = try BPKitBinary.run(
      "train", "--model", Fixtures.path("keras-float64/\(file)"), "--data", reference, "--x", "/x", "--y", "/y",
      "--epochs", "\(epochs)", "--batch-size", "8", "--no-shuffle", "--checkpoint", folder.path("run.h5"), "--quiet")
    #expect(result.status == 0, "\(result.error)")
    #expect(!result.error.contains("dtype"), "\(result.error)")
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.h5"))
    #expect(checkpoint.model.dtype == .float64)
    #expect(checkpoint.optimizer.dtype == .float64)
    let file = try HDF5File(openingAtPath: reference)
    let x = try file.root.openDataset("x").read(as: Float.self).map(Double.init)
    let wanted = try file.root.openDataset(expected).read(as: Double.self)
    let predicted = try checkpoint.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    #expect(predicted.scalars.count == wanted.count)
    return zip(predicted.scalars, wanted).map { abs($0 - $1) }.max() ?? .infinity
  }

  @Test(arguments: cases, ["keras", "h5"])
  func importsAsFloat64WithItsSlots(name: String, format: String) throws {
    let keras = try KerasModel(contentsOfFile: Fixtures.path("keras-float64/\(name).\(format)"))
    #expect(keras.model.dtype == .float64)
    #expect(keras.optimizer?.dtype == .float64)
    #expect(keras.warnings.allSatisfy { !$0.contains("dtype") }, "\(keras.warnings)")
    // Trained in float64, most weights hold bits no float32 has.
    let weights = keras.model.float64Parameters!.values.flatMap(\.scalars)
    #expect(weights.filter { Double(Float($0)) != $0 }.count > weights.count / 2)
    let inspect = try BPKitBinary.run("inspect", Fixtures.path("keras-float64/\(name).\(format)"))
    #expect(inspect.output.contains(", float64, "), "\(inspect.output)")
  }

  /// Keras' continuation in float64, and bpkit's: far closer than the 1e-4
  /// that float32 runs allow (``tolerance(_:)``).
  @Test(arguments: cases, ["keras", "h5"])
  func bpkitContinuesWhereKerasContinues(name: String, format: String) throws {
    let worst = try train("\(name).\(format)", epochs: 1, reference: name, expected: "continued")
    #expect(worst <= Self.tolerance(name), "\(name).\(format): predictions differ from Keras' by \(worst)")
  }

  @Test(arguments: cases, ["keras", "h5"])
  func bpkitTrainsANeverTrainedFileAsKerasDid(name: String, format: String) throws {
    let worst = try train("\(name).start.\(format)", epochs: 2, reference: name, expected: "trained")
    #expect(worst <= Self.tolerance(name), "\(name).start.\(format): predictions differ from Keras' by \(worst)")
  }

  @Test(arguments: ["keras", "h5"])
  func aModelMixingDtypePoliciesIsRefusedByLayer(format: String) throws {
    let path = Fixtures.path("keras-float64/mixed_policies.\(format)")
    let result = try BPKitBinary.run("inspect", path)
    #expect(result.status == 3, "\(result.error)")
    #expect(
      result.error.contains("the layers mix dtype policies: 'hidden' (float64) against 'out' (float32)"),
      "\(result.error)")
    #expect(result.error.split(separator: "\n").count == 1, "\(result.error)")
  }

  /// A read failure inside a `.keras` archive names the user's file and the
  /// member, never the name of the weights' image in memory alone: float64
  /// weights under a configuration that says float32 are refused, not rounded.
  @Test func aFailureInsideAnArchiveNamesTheFileAndTheMember() throws {
    let path = Fixtures.path("keras-float64/float64_weights_float32_config.keras")
    let result = try BPKitBinary.run("inspect", path)
    #expect(result.status == 3, "\(result.error)")
    #expect(
      result.error.contains("'/layers/dense/vars/0' in '\(path), member model.weights.h5': it holds float64"),
      "\(result.error)")
  }

  /// A Keras float64 file through bpkit and back to Keras: the same float64
  /// weights and optimizer slots, bit for bit, in both Keras formats.
  @Test(arguments: ["keras", "h5"])
  func aKerasFloat64FileGoesBackToKerasBitForBit(format: String) throws {
    let folder = try TemporaryDirectory()
    let source = Fixtures.path("keras-float64/adam_floatx_float64.keras")
    let out = folder.path("out.\(format)")
    let convert = try BPKitBinary.run("convert", source, out, "--to", format == "h5" ? "keras-h5" : "keras")
    #expect(convert.status == 0, "\(convert.error)")
    #expect(!convert.error.contains("float32"), "\(convert.error)")
    let original = try KerasModel(contentsOfFile: source)
    let back = try KerasModel(contentsOfFile: out)
    #expect(back.model.dtype == .float64)
    #expect(back.model.float64Parameters == original.model.float64Parameters)
    #expect(back.optimizer?.iterations == original.optimizer?.iterations)
    #expect(back.optimizer?.float64Slots == original.optimizer?.float64Slots)
    let inspect = try BPKitBinary.run("inspect", out)
    #expect(inspect.output.contains(", float64, "), "\(inspect.output)")
  }

  /// bpkit float64 runs exported to `.keras` and legacy `.h5` for
  /// `make keras-check`: the `.keras` file is continued one epoch in Keras
  /// (JAX with x64 on) from the optimizer state it carries and must end
  /// within `tolerance` of bpkit's own third epoch, given beside it in
  /// `.continue.h5`; the legacy file trains one step in float64.
  static let bpkitRuns: [(name: String, flags: [String], className: String, hyperparameters: [String: Double])] = [
    ("adam", ["--optimizer", "adam", "--lr", "0.01"], "Adam", ["learning_rate": 0.01]),
    ("sgd_momentum", ["--optimizer", "momentum", "--lr", "0.05", "--momentum", "0.9"], "SGD", ["momentum": 0.9]),
    ("nadam", ["--optimizer", "nadam", "--lr", "0.01"], "Nadam", ["learning_rate": 0.01]),
    ("rmsprop", ["--optimizer", "rmsprop", "--lr", "0.01"], "RMSprop", ["learning_rate": 0.01]),
  ]

  /// How close Keras' continuation of a bpkit float64 export must land:
  /// measured 5.4e-10 (Adam) to 4.9e-9 (RMSprop), the optimizer's learning
  /// rate being a float32 variable under Keras' default floatx; float32 runs
  /// are allowed 1e-4.
  static let continuationTolerance = 2e-8

  @Test(arguments: bpkitRuns.map(\.name))
  func aFloat64BpkitRunExportedToKerasIsReadyToContinue(name: String) throws {
    let run = Self.bpkitRuns.first { $0.name == name }!
    let folder = try TemporaryDirectory()
    let data = Fixtures.path("keras-float64/adam_floatx_float64.ref.h5")
    let checkpoint = folder.path("run.ckpt.h5")
    let train = try BPKitBinary.run(
      arguments: [
        "train", "--layers", "4,5:relu,3:softmax", "--dtype", "float64", "--data", data, "--x", "/x", "--y", "/y",
        "--loss", "cross-entropy", "--epochs", "2", "--batch-size", "8", "--no-shuffle", "--seed", "5",
        "--checkpoint", checkpoint, "--quiet",
      ] + run.flags)
    #expect(train.status == 0, "\(train.error)")
    let exported = KerasOutputs.path("continue_float64_\(name).keras")
    let legacy = KerasOutputs.path("float64_\(name).keras.h5")
    for path in [exported, legacy] {
      let convert = try BPKitBinary.run("convert", checkpoint, path, "--to", path == legacy ? "keras-h5" : "keras")
      #expect(convert.status == 0, "\(convert.error)")
      KerasOutputs.expect(
        path, optimizer: run.className, hyperparameters: run.hyperparameters, loss: "categorical_crossentropy",
        dtype: "float64")
      // bpkit reads its own export back as the same float64 run.
      let keras = try KerasModel(contentsOfFile: path)
      let source = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
      #expect(keras.model.float64Parameters == source.model.float64Parameters, "\(path)")
      #expect(keras.optimizer?.float64Slots == source.optimizer.float64Slots, "\(path)")
    }
    let resumed = try BPKitBinary.run("train", "--resume", checkpoint, "--epochs", "3", "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)")
    let continued = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    let file = try HDF5File(openingAtPath: data)
    let x = try file.root.openDataset("x").read(as: Float.self).map(Double.init)
    let y = try file.root.openDataset("y").read(as: Float.self).map(Double.init)
    let predicted = try continued.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    let reference = try HDF5File.create(atPath: exported + ".continue.h5", overwrite: true)
    let root = try reference.root
    _ = try root.write(x, shape: [x.count / 4, 4], to: "x")
    _ = try root.write(y, shape: [y.count / 3, 3], to: "y")
    _ = try root.write(predicted.scalars, shape: predicted.shape, to: "continued")
    try root.setAttribute("tolerance", to: Self.continuationTolerance)
  }
}
