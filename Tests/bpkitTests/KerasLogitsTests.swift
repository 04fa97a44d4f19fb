import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Keras runs compiled with a cross-entropy from logits or the sparse
/// cross-entropy (Fixtures/keras-logits/README.md) continue in bpkit where
/// Keras' own continuation ends, the file alone carrying the loss, from
/// trained and from compiled, never-trained files; bpkit writes the same
/// loss back, and a bpkit run with each, exported, is left for
/// `make keras-check` to continue in Keras.
@Suite struct KerasLogitsTests {
  static let cases: [(String, Loss)] = [
    ("categorical_logits", .categoricalCrossEntropyFromLogits), ("sparse", .sparseCategoricalCrossEntropy),
    ("sparse_object", .sparseCategoricalCrossEntropy), ("sparse_logits", .sparseCategoricalCrossEntropyFromLogits),
    ("binary_logits", .binaryCrossEntropyFromLogits),
  ]

  static func fixture(_ name: String) -> KerasContinuation { KerasContinuation(folder: "keras-logits", name: name) }

  @Test(arguments: cases, ["keras", "h5"])
  func bpkitContinuesWhereKerasContinues(setting: (String, Loss), format: String) throws {
    let fixture = Self.fixture(setting.0)
    let folder = try TemporaryDirectory()
    let run = try fixture.train(format, epochs: 1, in: folder)
    #expect(run.result.status == 0, "\(run.result.error)")
    #expect(run.checkpoint?.configuration.loss == setting.1)
    #expect(run.checkpoint?.optimizer.iterations == 15)
    let continued = try fixture.read("continued")
    let difference = KerasContinuation.worst(run.predicted, continued)
    #expect(difference <= 1e-4, "\(setting.0).\(format): \(difference) from Keras' continuation")
    #expect(KerasContinuation.worst(continued, try fixture.read("trained")) > 1e-3)
  }

  @Test(arguments: cases, ["start.keras", "start.h5"])
  func aCompiledNeverTrainedFileTrainsAsKerasDid(setting: (String, Loss), format: String) throws {
    let fixture = Self.fixture(setting.0)
    let folder = try TemporaryDirectory()
    let run = try fixture.train(format, epochs: 2, in: folder)
    #expect(run.result.status == 0, "\(run.result.error)")
    #expect(run.checkpoint?.configuration.loss == setting.1)
    let difference = KerasContinuation.worst(run.predicted, try fixture.read("trained"))
    #expect(difference <= 1e-4, "\(setting.0).\(format): \(difference) from Keras' 2 epochs")
  }

  /// bpkit's file keeps the Keras loss's form, and an export writes it back:
  /// the sparse name and `from_logits` survive Keras -> bpkit -> Keras.
  @Test(arguments: cases, ["keras", "h5"])
  func theLossRoundTripsThroughBpkit(setting: (String, Loss), format: String) throws {
    let fixture = Self.fixture(setting.0)
    let folder = try TemporaryDirectory()
    // A bpkit checkpoint of the continued run, which holds the loss and the optimizer.
    let run = try fixture.train(format, epochs: 1, in: folder)
    #expect(run.result.status == 0, "\(run.result.error)")
    let checkpoint = folder.path("\(setting.0).\(format).ckpt.h5")
    let exported = folder.path(format == "keras" ? "again.keras" : "again.keras.h5")
    let convert = try BPKitBinary.run(
      arguments: ["convert", checkpoint, exported] + (format == "keras" ? [] : ["--to", "keras-h5"]))
    #expect(convert.status == 0, "\(convert.error)")
    let again = try KerasModel(contentsOfFile: exported)
    #expect(again.loss == setting.1, "\(again.warnings)")
  }

  /// Leaves, in `.build/keras-outputs`, a bpkit run of 2 epochs with each
  /// loss exported to `.keras` with bpkit's predictions after a third epoch
  /// beside it: `make keras-check` continues the file in Keras and requires
  /// Keras' predictions within 1e-4 of bpkit's.
  @Test(arguments: [
    ("categorical_logits", "4,6:tanh,3", "cross-entropy-from-logits", "categorical_crossentropy", true),
    ("sparse", "4,6:tanh,3:softmax", "sparse-cross-entropy", "sparse_categorical_crossentropy", false),
    ("sparse_logits", "4,6:tanh,3", "sparse-cross-entropy-from-logits", "sparse_categorical_crossentropy", true),
    ("binary_logits", "4,6:tanh,1", "binary-cross-entropy-from-logits", "binary_crossentropy", true),
  ])
  func aBpkitRunExportedToKerasIsReadyToContinue(
    name: String, layers: String, loss: String, kerasLoss: String, fromLogits: Bool
  ) throws {
    let fixture = Self.fixture(name)
    let folder = try TemporaryDirectory()
    let checkpoint = folder.path("run.ckpt.h5")
    let train = try BPKitBinary.run(
      "train", "--layers", layers, "--data", fixture.reference, "--x", "/x", "--y", "/y", "--loss", loss,
      "--optimizer", "adam", "--lr", "0.01", "--epochs", "2", "--batch-size", "8", "--no-shuffle", "--seed", "5",
      "--checkpoint", checkpoint, "--quiet")
    #expect(train.status == 0, "\(train.error)")
    let exported = KerasOutputs.path("continue_loss_\(name).keras")
    let convert = try BPKitBinary.run("convert", checkpoint, exported)
    #expect(convert.status == 0, "\(convert.error)")
    KerasOutputs.expect(
      exported, optimizer: "Adam", hyperparameters: ["learning_rate": 0.01], loss: kerasLoss, fromLogits: fromLogits)
    let resumed = try BPKitBinary.run("train", "--resume", checkpoint, "--epochs", "3", "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)")
    let continued = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    #expect(continued.configuration.loss.rawValue == loss.replacingOccurrences(of: "-", with: "_"))
    let x = try fixture.read("x")
    let predicted = try continued.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    let reference = try HDF5File.create(atPath: exported + ".continue.h5", overwrite: true)
    let root = try reference.root
    _ = try root.write(x, shape: [x.count / 4, 4], to: "x")
    if name.hasPrefix("sparse") {
      // Integer class labels, as Keras' sparse cross-entropy takes them.
      let labels = try HDF5File(openingAtPath: fixture.reference).root.openDataset("y").read(as: Int32.self)
      _ = try root.write(labels, shape: [labels.count], to: "y")
    } else {
      let y = try fixture.read("y")
      _ = try root.write(y, shape: [x.count / 4, y.count / (x.count / 4)], to: "y")
    }
    _ = try root.write(predicted.scalars, shape: predicted.shape, to: "continued")
  }
}
