import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Keras 3's activations (Fixtures/keras-activations/README.md): a Keras run
/// with each imports predicting as Keras does and continues in bpkit where
/// Keras' own continuation ends; a bpkit run with each, exported, is left for
/// `make keras-check` to continue in Keras.
@Suite struct KerasActivationTests {
  /// Every case of `Scripts/keras_reference.py activations`, with the activation it imports as.
  static let cases: [(String, Activation)] = [
    ("dense_gelu", .gelu), ("dense_silu", .silu), ("dense_swish", .silu), ("dense_softplus", .softplus),
    ("dense_softsign", .softsign), ("dense_selu", .selu), ("dense_hard_silu", .hardSilu),
    ("dense_hard_swish", .hardSilu), ("dense_relu6", .relu6), ("dense_exponential", .exponential),
    ("dense_mish", .mish), ("dense_log_softmax", .logSoftmax), ("layer_gelu", .gelu), ("layer_mish", .mish),
    ("layer_relu6", .relu6),
  ]

  static func read(_ name: String, _ dataset: String) throws -> [Float] {
    let file = try HDF5File(openingAtPath: Fixtures.path("keras-activations/\(name).ref.h5"))
    return try file.root.openDataset(dataset).read(as: Float.self)
  }

  static func worst(_ a: [Float], _ b: [Float]) -> Float {
    a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
  }

  @Test(arguments: cases, ["keras", "h5"])
  func importsPredictingAsKerasDoes(setting: (String, Activation), format: String) throws {
    let keras = try KerasModel(contentsOfFile: Fixtures.path("keras-activations/\(setting.0).\(format)"))
    #expect(keras.model.network.layers.map(\.name) == ["hidden", "out"])
    #expect(keras.model.network.layers[0].kind.activation == setting.1)
    #expect(keras.warnings.isEmpty, "\(keras.warnings)")
    let x = try Self.read(setting.0, "x")
    let predicted = try keras.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    let difference = Self.worst(predicted.scalars, try Self.read(setting.0, "predicted"))
    #expect(difference <= 1e-5, "\(setting.0).\(format): \(difference) from Keras' predictions")
  }

  @Test(arguments: cases.map(\.0), ["keras", "h5"])
  func bpkitContinuesWhereKerasContinues(name: String, format: String) throws {
    let folder = try TemporaryDirectory()
    let reference = Fixtures.path("keras-activations/\(name).ref.h5")
    let result = try BPKitBinary.run(
      "train", "--model", Fixtures.path("keras-activations/\(name).\(format)"), "--data", reference, "--x", "/x",
      "--y", "/y", "--epochs", "1", "--batch-size", "8", "--no-shuffle", "--checkpoint", folder.path("run.ckpt.h5"),
      "--quiet")
    #expect(result.status == 0, "\(result.error)")
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.ckpt.h5"))
    #expect(checkpoint.optimizer.iterations == 15)
    let x = try Self.read(name, "x")
    let predicted = try checkpoint.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    let continued = try Self.read(name, "continued")
    let difference = Self.worst(predicted.scalars, continued)
    #expect(difference <= 1e-4, "\(name).\(format): \(difference) from Keras' continuation")
    // The third epoch moved the predictions, so that agreeing means something.
    #expect(Self.worst(continued, try Self.read(name, "predicted")) > 1e-2)
  }

  /// Leaves, in `.build/keras-outputs`, a bpkit run of 2 epochs with each
  /// activation exported to `.keras`, and beside it (`.continue.h5`) bpkit's
  /// predictions after a third epoch: `make keras-check` continues the file in
  /// Keras and requires Keras' predictions within 1e-4 of bpkit's.
  @Test(arguments: [
    "gelu", "silu", "softplus", "softsign", "selu", "hard_silu", "relu6", "exponential", "mish", "log_softmax",
  ])
  func aBpkitRunExportedToKerasIsReadyToContinue(activation: String) throws {
    let folder = try TemporaryDirectory()
    let data = Fixtures.path("keras-activations/dense_exponential.ref.h5")
    let checkpoint = folder.path("run.ckpt.h5")
    let train = try BPKitBinary.run(
      "train", "--layers", "4,6:\(activation),3:softmax", "--data", data, "--x", "/x", "--y", "/y", "--loss",
      "cross-entropy", "--optimizer", "adam", "--lr", "0.01", "--epochs", "2", "--batch-size", "8", "--no-shuffle",
      "--seed", "5", "--checkpoint", checkpoint, "--quiet")
    #expect(train.status == 0, "\(train.error)")
    let exported = KerasOutputs.path("continue_activation_\(activation).keras")
    let convert = try BPKitBinary.run("convert", checkpoint, exported)
    #expect(convert.status == 0, "\(convert.error)")
    KerasOutputs.expect(
      exported, optimizer: "Adam", hyperparameters: ["learning_rate": 0.01], loss: "categorical_crossentropy")
    let resumed = try BPKitBinary.run("train", "--resume", checkpoint, "--epochs", "3", "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)")
    let continued = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    let x = try Self.read("dense_exponential", "x")
    let y = try Self.read("dense_exponential", "y")
    let predicted = try continued.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    let reference = try HDF5File.create(atPath: exported + ".continue.h5", overwrite: true)
    let root = try reference.root
    _ = try root.write(x, shape: [x.count / 4, 4], to: "x")
    _ = try root.write(y, shape: [y.count / 3, 3], to: "y")
    _ = try root.write(predicted.scalars, shape: predicted.shape, to: "continued")
  }

  /// gelu_tanh, which Keras cannot name in a saved model, is refused in one
  /// line naming the layer and the way out, and nothing is written.
  @Test func geluTanhIsNotExportedToKeras() throws {
    let folder = try TemporaryDirectory()
    let model = folder.path("run.ckpt.h5")
    let made = try BPKitBinary.run(
      "train", "--layers", "4,6:gelu_tanh,3:softmax", "--data", Fixtures.path("keras-activations/dense_gelu.ref.h5"),
      "--x", "/x", "--y", "/y", "--epochs", "1", "--checkpoint", model, "--quiet")
    #expect(made.status == 0, "\(made.error)")
    let result = try BPKitBinary.run("convert", model, folder.path("model.keras"))
    #expect(result.status != 0)
    #expect(result.error.contains("layer 'dense_1' uses gelu_tanh"), "\(result.error)")
    #expect(result.error.contains("use gelu (the exact form) to export"), "\(result.error)")
    #expect(!FileManager.default.fileExists(atPath: folder.path("model.keras")))
  }
}
