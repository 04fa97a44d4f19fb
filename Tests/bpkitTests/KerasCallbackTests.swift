import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Keras runs with `ReduceLROnPlateau` and `EarlyStopping` from a compiled,
/// never-trained model (Fixtures/keras-callbacks/README.md): bpkit given the
/// same settings as run options reduces the rate and stops at Keras' epochs
/// and ends where Keras ends.
@Suite struct KerasCallbackTests {
  /// Each case of `Scripts/keras_reference.py callbacks`, with its epochs, split and bpkit options.
  static let cases: [(name: String, epochs: Int, split: String, options: [String])] = [
    (
      "plateau_loss", 8, "0",
      ["--reduce-lr-on-plateau", "monitor=loss,factor=0.5,patience=1,min_delta=0.02,cooldown=1,min_lr=0.05"]
    ),
    ("early_stopping_restore", 30, "0.25", ["--early-stopping", "patience=2,restore_best_weights"]),
    (
      "plateau_and_early_stopping", 25, "0.25",
      [
        "--reduce-lr-on-plateau", "factor=0.2,patience=2", "--early-stopping",
        "monitor=val_accuracy,patience=3,start_from_epoch=2",
      ]
    ),
  ]

  @Test(arguments: cases.indices, ["keras", "h5"])
  func bpkitEndsWhereKerasEnds(index: Int, format: String) throws {
    let setting = Self.cases[index]
    let folder = try TemporaryDirectory()
    let reference = Fixtures.path("keras-callbacks/\(setting.name).ref.h5")
    var arguments = [
      "train", "--model", Fixtures.path("keras-callbacks/\(setting.name).start.\(format)"), "--data", reference,
      "--x", "/x", "--y", "/y", "--epochs", "\(setting.epochs)", "--batch-size", "10", "--no-shuffle",
      "--checkpoint", folder.path("run.h5"), "--quiet",
    ]
    if setting.split != "0" { arguments += ["--validation-split", setting.split] }
    let result = try BPKitBinary.run(arguments: arguments + setting.options)
    #expect(result.status == 0, "\(result.error)")
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.h5"))
    let file = try HDF5File(openingAtPath: reference)
    let rates = try file.root.attributeArray("learning_rates", as: Double.self)
    let history = checkpoint.progress.history
    #expect(history.count == rates.count, "\(setting.name): bpkit ran \(history.count) epochs, Keras \(rates.count)")
    #expect(history.map { Float($0.learningRate) } == rates.map { Float($0) }, "\(setting.name)")
    let x = try file.root.openDataset("x").read(as: Float.self)
    let expected = try file.root.openDataset("predicted").read(as: Float.self)
    let predicted = try checkpoint.model.predict(Tensor(shape: [x.count / 4, 4], scalars: x))
    #expect(predicted.scalars.count == expected.count)
    let worst = zip(predicted.scalars, expected).map { abs($0 - $1) }.max() ?? .infinity
    #expect(worst <= 1e-4, "\(setting.name).\(format): predictions differ from Keras' by \(worst)")
  }
}
