import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Keras runs with L1, L2 and L1L2 regularizers (Fixtures/keras-regularizers/README.md):
/// the files carry them, bpkit continues them where Keras continues, reports
/// the loss Keras reports (the penalty included, a frozen layer's excluded),
/// and trains a never-trained file where Keras trained it; bpkit's own
/// regularized runs export them so that Keras continues them.
@Suite struct KerasRegularizerTests {
  static let cases: [(name: String, regularized: [String: LayerRegularizers])] = [
    (
      "adam_l2",
      [
        "first": LayerRegularizers(kernel: Regularizer(l2: 0.01)),
        "hidden": LayerRegularizers(bias: Regularizer(l2: 0.02)),
        "out": LayerRegularizers(kernel: Regularizer(l2: 0.005)),
      ]
    ),
    (
      "sgd_momentum_l1_l1l2",
      [
        "first": LayerRegularizers(kernel: Regularizer(l1: Double(Float(0.01)))),
        "hidden": LayerRegularizers(
          kernel: Regularizer(l1: 0.002, l2: 0.01), bias: Regularizer(l1: Double(Float(0.005)))),
      ]
    ),
    (
      "rmsprop_frozen_regularized",
      [
        "first": LayerRegularizers(kernel: Regularizer(l2: 0.5), bias: Regularizer(l1: 0.5)),
        "hidden": LayerRegularizers(kernel: Regularizer(l2: 0.01)),
      ]
    ),
    (
      "adam_recurrent",
      [
        "rnn": LayerRegularizers(kernel: Regularizer(l2: 0.01), recurrentKernel: Regularizer(l1: Double(Float(0.005)))),
        "lstm": LayerRegularizers(recurrentKernel: Regularizer(l2: 0.02), bias: Regularizer(l1: Double(Float(0.01)))),
        "gru": LayerRegularizers(
          kernel: Regularizer(l1: 0.001, l2: 0.01), recurrentKernel: Regularizer(l2: 0.01), bias: Regularizer(l2: 0.01)),
      ]
    ),
  ]

  /// Trains `file` for `epochs`, compares the predictions with `reference`'s
  /// dataset `expected`, and the last epoch's loss with Keras' `loss`.
  func train(_ file: String, epochs: Int, reference name: String, expected: String, loss: Double) throws
    -> Checkpoint
  {
    let folder = try TemporaryDirectory()
    let reference = Fixtures.path("keras-regularizers/\(name).ref.h5")
    let result = try BPKitBinary.run(
      "train", "--model", Fixtures.path("keras-regularizers/\(file)"), "--data", reference, "--x", "/x", "--y", "/y",
      "--epochs", "\(epochs)", "--batch-size", "8", "--no-shuffle", "--checkpoint", folder.path("run.h5"), "--quiet")
    #expect(result.status == 0, "\(result.error)")
    // The only note is the .keras archive's unrecorded backend (its path names the folder).
    let notes = result.error.split(separator: "\n").filter { !$0.contains("does not record the Keras backend") }
    #expect(!notes.joined(separator: "\n").contains("regularizer"), "\(result.error)")
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.h5"))
    let file = try HDF5File(openingAtPath: reference)
    let dataset = try file.root.openDataset("x")
    let x = try dataset.read(as: Float.self)
    let wanted = try file.root.openDataset(expected).read(as: Float.self)
    let predicted = try checkpoint.model.predict(Tensor(shape: dataset.shape, scalars: x))
    let worst = zip(predicted.scalars, wanted).map { abs($0 - $1) }.max() ?? .infinity
    #expect(predicted.scalars.count == wanted.count)
    #expect(worst <= 1e-4, "\(file): predictions differ from Keras' by \(worst)")
    let reported = try #require(checkpoint.progress.history.last).trainLoss
    #expect(abs(reported - loss) <= 1e-4, "\(file): loss \(reported), Keras reported \(loss)")
    return checkpoint
  }

  static func losses(_ name: String) throws -> (trained: [Double], continued: Double) {
    let file = try HDF5File(openingAtPath: Fixtures.path("keras-regularizers/\(name).ref.h5"))
    let trained = try JSONSerialization.jsonObject(with: Data(try file.root.stringAttribute("trained_losses").utf8))
    return (trained as! [Double], try file.root.attribute("continued_loss", as: Double.self))
  }

  @Test(arguments: cases.indices, ["keras", "h5"])
  func bpkitContinuesWhereKerasContinues(index: Int, format: String) throws {
    let (name, regularized) = Self.cases[index]
    let start = try KerasModel(contentsOfFile: Fixtures.path("keras-regularizers/\(name).\(format)"))
    #expect(start.warnings.isEmpty, "\(start.warnings)")
    for layer in start.model.network.layers {
      let expected = regularized[layer.name] ?? .none
      #expect(layer.regularizers.entries.count == expected.entries.count, "\(layer.name)")
      for (found, wanted) in zip(layer.regularizers.entries, expected.entries) {
        #expect(found.setting == wanted.setting)
        #expect(abs(found.regularizer.l1 - wanted.regularizer.l1) <= 1e-9, "\(layer.name) \(found.setting)")
        #expect(abs(found.regularizer.l2 - wanted.regularizer.l2) <= 1e-9, "\(layer.name) \(found.setting)")
      }
    }
    _ = try train(
      "\(name).\(format)", epochs: 1, reference: name, expected: "continued", loss: try Self.losses(name).continued)
  }

  @Test(arguments: cases.indices, ["keras", "h5"])
  func bpkitTrainsANeverTrainedFileAsKerasDid(index: Int, format: String) throws {
    let name = Self.cases[index].name
    _ = try train(
      "\(name).start.\(format)", epochs: 2, reference: name, expected: "trained", loss: try Self.losses(name).trained[1]
    )
  }

  /// Leaves, in `.build/keras-outputs`, a regularized bpkit run of 2 epochs
  /// exported to `.keras` and `.keras.h5` (the legacy file is only loaded and
  /// trained one step), and beside the `.keras` bpkit's predictions after a
  /// third epoch: `make keras-check` checks that Keras rebuilds each
  /// regularizer, and continues the `.keras` one epoch within 1e-4 of bpkit.
  @Test func aRegularizedBpkitRunExportedToKerasIsReadyToContinue() throws {
    let folder = try TemporaryDirectory()
    let data = Fixtures.path("keras-regularizers/adam_l2.ref.h5")
    let checkpoint = folder.path("run.ckpt.h5")
    let train = try BPKitBinary.run(
      "train", "--layers", "4,5:relu:l2=0.01:bias_l1=0.02,6:tanh:l1=0.005:l2=0.01,3:softmax:bias_l2=0.03", "--data",
      data, "--x", "/x", "--y", "/y", "--loss", "cross-entropy", "--optimizer", "adam", "--lr", "0.01", "--epochs",
      "2", "--batch-size", "8", "--no-shuffle", "--seed", "5", "--checkpoint", checkpoint, "--quiet")
    #expect(train.status == 0, "\(train.error)")
    let regularizers: [String: Any] = [
      "dense_1": [
        "kernel_regularizer": ["class_name": "L2", "config": ["l2": 0.01]],
        "bias_regularizer": ["class_name": "L1", "config": ["l1": 0.02]],
      ],
      "dense_2": ["kernel_regularizer": ["class_name": "L1L2", "config": ["l1": 0.005, "l2": 0.01]]],
      "dense_3": ["bias_regularizer": ["class_name": "L2", "config": ["l2": 0.03]]],
    ]
    for suffix in ["keras", "keras.h5"] {
      let exported = KerasOutputs.path("continue_adam_regularized.\(suffix)")
      let convert = try BPKitBinary.run(
        arguments: ["convert", checkpoint, exported] + (suffix == "keras.h5" ? ["--to", "keras-h5"] : []))
      #expect(convert.status == 0, "\(convert.error)")
      #expect(!convert.error.contains("regularizer"), "\(convert.error)")
      KerasOutputs.expect(
        exported, optimizer: "Adam", hyperparameters: ["learning_rate": 0.01], loss: "categorical_crossentropy",
        regularizers: regularizers)
      let back = try KerasModel(contentsOfFile: exported)
      #expect(back.warnings.isEmpty, "\(back.warnings)")
      let original = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
      #expect(back.model.network.layers.map(\.regularizers) == original.model.network.layers.map(\.regularizers))
    }
    let resumed = try BPKitBinary.run("train", "--resume", checkpoint, "--epochs", "3", "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)")
    let continued = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    let file = try HDF5File(openingAtPath: data)
    let x = try file.root.openDataset("x").read(as: Float.self)
    let y = try file.root.openDataset("y").read(as: Float.self)
    let predicted = try continued.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    let reference = try HDF5File.create(
      atPath: KerasOutputs.path("continue_adam_regularized.keras") + ".continue.h5", overwrite: true)
    let root = try reference.root
    _ = try root.write(x, shape: [x.count / 4, 4], to: "x")
    _ = try root.write(y, shape: [y.count / 3, 3], to: "y")
    _ = try root.write(predicted.scalars, shape: predicted.shape, to: "continued")
  }
}
