import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Keras runs compiled with mae or huber (Fixtures/keras-losses/README.md)
/// continue in bpkit where Keras' own continuation ends, the file alone
/// carrying the loss; a bpkit run with each, exported, is left for
/// `make keras-check` to continue in Keras.
@Suite struct KerasLossTests {
  static let cases: [(String, Loss)] = [
    ("mae", .meanAbsoluteError), ("mean_absolute_error_object", .meanAbsoluteError), ("huber", .huber),
    ("huber_object", .huber),
  ]

  static func fixture(_ name: String) -> KerasContinuation { KerasContinuation(folder: "keras-losses", name: name) }

  static func read(_ name: String, _ dataset: String) throws -> [Float] { try fixture(name).read(dataset) }

  @Test(arguments: cases, ["keras", "h5"])
  func theFileCarriesTheLoss(setting: (String, Loss), format: String) throws {
    let keras = try KerasModel(contentsOfFile: Self.fixture(setting.0).model(format))
    #expect(keras.loss == setting.1, "\(keras.warnings)")
    let x = try Self.read(setting.0, "x")
    let predicted = try keras.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    #expect(KerasContinuation.worst(predicted.scalars, try Self.read(setting.0, "predicted")) <= 1e-5)
  }

  @Test(arguments: cases.map(\.0), ["keras", "h5"])
  func bpkitContinuesWhereKerasContinues(name: String, format: String) throws {
    let folder = try TemporaryDirectory()
    let run = try Self.fixture(name).train(format, epochs: 1, in: folder)
    #expect(run.result.status == 0, "\(run.result.error)")
    #expect(run.checkpoint?.configuration.loss == Self.cases.first { $0.0 == name }!.1)
    #expect(run.checkpoint?.optimizer.iterations == 15)
    let continued = try Self.read(name, "continued")
    let difference = KerasContinuation.worst(run.predicted, continued)
    #expect(difference <= 1e-4, "\(name).\(format): \(difference) from Keras' continuation")
    #expect(KerasContinuation.worst(continued, try Self.read(name, "predicted")) > 1e-2)
  }

  /// Leaves, in `.build/keras-outputs`, a bpkit run of 2 epochs with each
  /// loss exported to `.keras` with bpkit's predictions after a third epoch
  /// beside it: `make keras-check` continues the file in Keras and requires
  /// Keras' predictions within 1e-4 of bpkit's.
  @Test(arguments: [("mae", "mae"), ("huber", "huber")])
  func aBpkitRunExportedToKerasIsReadyToContinue(loss: (String, String)) throws {
    let folder = try TemporaryDirectory()
    let data = Fixtures.path("keras-losses/mae.ref.h5")
    let checkpoint = folder.path("run.ckpt.h5")
    let train = try BPKitBinary.run(
      "train", "--layers", "4,6:tanh,2", "--data", data, "--x", "/x", "--y", "/y", "--loss", loss.0, "--optimizer",
      "adam", "--lr", "0.01", "--epochs", "2", "--batch-size", "8", "--no-shuffle", "--seed", "5", "--checkpoint",
      checkpoint, "--quiet")
    #expect(train.status == 0, "\(train.error)")
    let exported = KerasOutputs.path("continue_loss_\(loss.0).keras")
    let convert = try BPKitBinary.run("convert", checkpoint, exported)
    #expect(convert.status == 0, "\(convert.error)")
    KerasOutputs.expect(exported, optimizer: "Adam", hyperparameters: ["learning_rate": 0.01], loss: loss.1)
    let resumed = try BPKitBinary.run("train", "--resume", checkpoint, "--epochs", "3", "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)")
    let continued = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    #expect(continued.configuration.loss.rawValue == loss.0)
    let x = try Self.read("mae", "x")
    let y = try Self.read("mae", "y")
    let predicted = try continued.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    let reference = try HDF5File.create(atPath: exported + ".continue.h5", overwrite: true)
    let root = try reference.root
    _ = try root.write(x, shape: [x.count / 4, 4], to: "x")
    _ = try root.write(y, shape: [y.count / 2, 2], to: "y")
    _ = try root.write(predicted.scalars, shape: predicted.shape, to: "continued")
  }
}
