import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Keras runs with frozen layers (Fixtures/keras-frozen/README.md): the files
/// carry `trainable=False`, bpkit continues them where Keras continues and
/// trains a never-trained file where Keras trained it, never moving a frozen
/// weight; bpkit's own frozen runs export with the flag.
@Suite struct KerasFrozenTests {
  static let cases: [(name: String, frozen: String)] = [
    ("adam_frozen_hidden", "hidden"), ("sgd_momentum_frozen_out", "out"), ("rmsprop_frozen_first", "first"),
  ]

  /// Trains `file` for `epochs` and compares the predictions with `reference`'s dataset `expected`.
  func train(_ file: String, epochs: Int, reference name: String, expected: String) throws -> Checkpoint {
    let folder = try TemporaryDirectory()
    let reference = Fixtures.path("keras-frozen/\(name).ref.h5")
    let result = try BPKitBinary.run(
      "train", "--model", Fixtures.path("keras-frozen/\(file)"), "--data", reference, "--x", "/x", "--y", "/y",
      "--epochs", "\(epochs)", "--batch-size", "8", "--no-shuffle", "--checkpoint", folder.path("run.h5"), "--quiet")
    #expect(result.status == 0, "\(result.error)")
    // The only note is the .keras archive's unrecorded backend (its path names the folder).
    let notes = result.error.split(separator: "\n").filter { !$0.contains("does not record the Keras backend") }
    #expect(!notes.joined(separator: "\n").contains("frozen"), "\(result.error)")
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.h5"))
    let file = try HDF5File(openingAtPath: reference)
    let x = try file.root.openDataset("x").read(as: Float.self)
    let wanted = try file.root.openDataset(expected).read(as: Float.self)
    let predicted = try checkpoint.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    let worst = zip(predicted.scalars, wanted).map { abs($0 - $1) }.max() ?? .infinity
    #expect(predicted.scalars.count == wanted.count)
    #expect(worst <= 1e-4, "\(file): predictions differ from Keras' by \(worst)")
    return checkpoint
  }

  @Test(arguments: cases.indices, ["keras", "h5"])
  func bpkitContinuesWhereKerasContinues(index: Int, format: String) throws {
    let (name, frozen) = Self.cases[index]
    let start = try KerasModel(contentsOfFile: Fixtures.path("keras-frozen/\(name).\(format)"))
    let checkpoint = try train("\(name).\(format)", epochs: 1, reference: name, expected: "continued")
    #expect(checkpoint.model.network.layers.filter { !$0.trainable }.map(\.name) == [frozen])
    for key in checkpoint.model.parameters.keys where key.layer == frozen {
      #expect(checkpoint.model.parameters[key] == start.model.parameters[key], "\(key) moved")
    }
    for (slot, tensors) in checkpoint.optimizer.slots {
      #expect(!tensors.keys.contains { $0.layer == frozen }, "slot \(slot) covers the frozen layer")
    }
  }

  @Test(arguments: cases.indices, ["keras", "h5"])
  func bpkitTrainsANeverTrainedFileAsKerasDid(index: Int, format: String) throws {
    let name = Self.cases[index].name
    _ = try train("\(name).start.\(format)", epochs: 2, reference: name, expected: "trained")
  }

  @Test func aFrozenRunInspectsAndExportsWithTheFlag() throws {
    let folder = try TemporaryDirectory()
    let result = try BPKitBinary.run(
      "train", "--layers", "4,5:relu,6:tanh,3:softmax", "--freeze", "dense_2", "--data",
      Fixtures.path("datasets/iris.csv"), "--target", "species", "--epochs", "2", "--checkpoint",
      folder.path("run.h5"), "--quiet")
    #expect(result.status == 0, "\(result.error)")
    let inspect = try BPKitBinary.run("inspect", folder.path("run.h5"))
    #expect(inspect.output.contains("Total parameters: 82 (46 trainable, 36 frozen)"), "\(inspect.output)")
    #expect(inspect.output.contains("dense_2  dense (frozen)"), "\(inspect.output)")
    let checkpoint = try CheckpointComparison.load(folder.path("run.h5"))
    #expect(checkpoint.optimizer.slots.values.allSatisfy { !$0.keys.contains { $0.layer == "dense_2" } })
    let convert = try BPKitBinary.run("convert", folder.path("run.h5"), folder.path("run.keras"))
    #expect(convert.status == 0, "\(convert.error)")
    let back = try KerasModel(contentsOfFile: folder.path("run.keras"))
    #expect(back.model.network.layers.map(\.trainable) == [true, false, true])
    #expect(back.warnings.isEmpty, "\(back.warnings)")
  }

  /// Leaves, in `.build/keras-outputs`, a bpkit run of 2 epochs with a frozen
  /// middle layer exported to `.keras`, and beside it (`.continue.h5`) bpkit's
  /// predictions after a third epoch: `make keras-check` continues the file
  /// one epoch in Keras and requires Keras' predictions within 1e-4 of bpkit's.
  @Test func aFrozenBpkitRunExportedToKerasIsReadyToContinue() throws {
    let folder = try TemporaryDirectory()
    let data = Fixtures.path("keras-frozen/adam_frozen_hidden.ref.h5")
    let checkpoint = folder.path("run.ckpt.h5")
    let train = try BPKitBinary.run(
      "train", "--layers", "4,5:relu,6:tanh,3:softmax", "--freeze", "dense_2", "--data", data, "--x", "/x", "--y",
      "/y", "--loss", "cross-entropy", "--optimizer", "adam", "--lr", "0.01", "--epochs", "2", "--batch-size", "8",
      "--no-shuffle", "--seed", "5", "--checkpoint", checkpoint, "--quiet")
    #expect(train.status == 0, "\(train.error)")
    let exported = KerasOutputs.path("continue_adam_frozen_dense_2.keras")
    let convert = try BPKitBinary.run("convert", checkpoint, exported)
    #expect(convert.status == 0, "\(convert.error)")
    KerasOutputs.expect(
      exported, optimizer: "Adam", hyperparameters: ["learning_rate": 0.01], loss: "categorical_crossentropy")
    let resumed = try BPKitBinary.run("train", "--resume", checkpoint, "--epochs", "3", "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)")
    let continued = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
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

  @Test func freezeNamesALayerTheNetworkHas() throws {
    let folder = try TemporaryDirectory()
    let result = try BPKitBinary.run(
      "train", "--layers", "4,5:relu,3:softmax", "--freeze", "hidden", "--data", Fixtures.path("datasets/iris.csv"),
      "--target", "species", "--checkpoint", folder.path("run.h5"), "--quiet")
    #expect(result.status == 2)
    #expect(
      result.error.contains(
        "--freeze names the layer 'hidden', which the network lacks; its layers are dense_1, dense_2"),
      "\(result.error)")
    #expect(!FileManager.default.fileExists(atPath: folder.path("run.h5")))
  }
}
