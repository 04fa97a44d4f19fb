import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Keras runs with Dropout layers (Fixtures/keras-dropout/README.md): the
/// layers come in as bpkit's dropout layers, predictions match Keras' (dropout
/// does nothing there), and where dropout drops nothing (rate 0) bpkit
/// continues a run where Keras' continuation ends. A bpkit run with dropout,
/// exported, is left for `make keras-check` to load compiled and train.
@Suite struct KerasDropoutTests {
  /// Each case's input shape and dropout rates, in order.
  static let cases: [(name: String, shape: [Int], rates: [Double])] = [
    ("rate0_dense", [4], [0]), ("rate0_sequence", [5, 3], [0, 0]), ("rate_half_dense", [4], [0.2, 0.5]),
  ]

  static func read(_ name: String, _ dataset: String) throws -> [Float] {
    let file = try HDF5File(openingAtPath: Fixtures.path("keras-dropout/\(name).ref.h5"))
    return try file.root.openDataset(dataset).read(as: Float.self)
  }

  static func worst(_ a: [Float], _ b: [Float]) -> Float {
    a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
  }

  static func inputs(_ name: String) throws -> Tensor<Float> {
    let shape = cases.first { $0.name == name }!.shape
    let x = try read(name, "x")
    return Tensor(shape: [x.count / shape.reduce(1, *)] + shape, scalars: x)
  }

  @Test(arguments: cases.map(\.name), ["keras", "h5"])
  func dropoutLayersComeInAndPredictAsKerasDoes(name: String, format: String) throws {
    let keras = try KerasModel(contentsOfFile: Fixtures.path("keras-dropout/\(name).\(format)"))
    #expect(keras.warnings == [])
    let rates = keras.model.network.layers.compactMap { if case .dropout(let rate) = $0.kind { rate } else { nil } }
    #expect(rates == Self.cases.first { $0.name == name }!.rates)
    let predicted = try keras.model.predict(try Self.inputs(name))
    #expect(Self.worst(predicted.scalars, try Self.read(name, "predicted")) <= 1e-5)
  }

  @Test(arguments: ["rate0_dense", "rate0_sequence"], ["keras", "h5"])
  func bpkitContinuesWhereKerasContinuesAtRateZero(name: String, format: String) throws {
    let folder = try TemporaryDirectory()
    let reference = Fixtures.path("keras-dropout/\(name).ref.h5")
    let result = try BPKitBinary.run(
      "train", "--model", Fixtures.path("keras-dropout/\(name).\(format)"), "--data", reference, "--x", "/x", "--y",
      "/y", "--epochs", "1", "--batch-size", "8", "--no-shuffle", "--checkpoint", folder.path("run.ckpt.h5"), "--quiet")
    #expect(result.status == 0, "\(result.error)")
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.ckpt.h5"))
    #expect(checkpoint.optimizer.iterations == 15)
    #expect(checkpoint.model.network.layers.contains { $0.kind == .dropout(rate: 0) })
    let predicted = try checkpoint.model.predict(try Self.inputs(name))
    let continued = try Self.read(name, "continued")
    let difference = Self.worst(predicted.scalars, continued)
    #expect(difference <= 1e-4, "\(name).\(format): \(difference) from Keras' continuation")
    #expect(Self.worst(continued, try Self.read(name, "predicted")) > 1e-3)
  }

  /// A run at rate 0.5 trains in bpkit with bpkit's masks; its file goes back to
  /// Keras with the layers as Keras' Dropout, predicting as bpkit does.
  @Test(arguments: ["keras", "h5"])
  func aRunWithDropoutTrainsAndGoesBackToKeras(format: String) throws {
    let folder = try TemporaryDirectory()
    let name = "rate_half_dense"
    let checkpoint = folder.path("run.ckpt.h5")
    let result = try BPKitBinary.run(
      "train", "--model", Fixtures.path("keras-dropout/\(name).\(format)"), "--data",
      Fixtures.path("keras-dropout/\(name).ref.h5"), "--x", "/x", "--y", "/y", "--epochs", "1", "--batch-size", "8",
      "--no-shuffle", "--checkpoint", checkpoint, "--quiet")
    #expect(result.status == 0, "\(result.error)")
    let trained = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    let exported = KerasOutputs.path("dropout_\(name).\(format == "h5" ? "keras.h5" : "keras")")
    let convert = try BPKitBinary.run(
      arguments: ["convert", checkpoint, exported] + (format == "h5" ? ["--to", "keras-h5"] : []))
    #expect(convert.status == 0, "\(convert.error)")
    KerasOutputs.expect(
      exported, optimizer: "Adam", hyperparameters: ["learning_rate": 0.01], loss: "categorical_crossentropy")
    let back = try KerasModel(contentsOfFile: exported)
    #expect(back.model.network == trained.model.network)
    let x = try Self.inputs(name)
    #expect(try back.model.predict(x) == trained.model.predict(x))
  }

  /// Leaves a bpkit run with a rate-0 dropout layer, exported to `.keras`, with
  /// bpkit's predictions after one more epoch beside it: `make keras-check`
  /// continues it in Keras and requires Keras' predictions within 1e-4 of bpkit's.
  @Test func aBpkitRunAtRateZeroExportedToKerasIsReadyToContinue() throws {
    let folder = try TemporaryDirectory()
    let data = Fixtures.path("keras-dropout/rate0_dense.ref.h5")
    let checkpoint = folder.path("run.ckpt.h5")
    let train = try BPKitBinary.run(
      "train", "--layers", "4,6:tanh,dropout0,3:softmax", "--data", data, "--x", "/x", "--y", "/y", "--optimizer",
      "adam", "--lr", "0.01", "--epochs", "2", "--batch-size", "8", "--no-shuffle", "--seed", "5", "--checkpoint",
      checkpoint, "--quiet")
    #expect(train.status == 0, "\(train.error)")
    let exported = KerasOutputs.path("continue_dropout_rate0.keras")
    let convert = try BPKitBinary.run("convert", checkpoint, exported)
    #expect(convert.status == 0, "\(convert.error)")
    KerasOutputs.expect(
      exported, optimizer: "Adam", hyperparameters: ["learning_rate": 0.01], loss: "categorical_crossentropy")
    let resumed = try BPKitBinary.run("train", "--resume", checkpoint, "--epochs", "3", "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)")
    let continued = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    let x = try Self.read("rate0_dense", "x")
    let y = try Self.read("rate0_dense", "y")
    let predicted = try continued.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    let reference = try HDF5File.create(atPath: exported + ".continue.h5", overwrite: true)
    let root = try reference.root
    _ = try root.write(x, shape: [x.count / 4, 4], to: "x")
    _ = try root.write(y, shape: [y.count / 3, 3], to: "y")
    _ = try root.write(predicted.scalars, shape: predicted.shape, to: "continued")
  }
}
