import BPKit
import Foundation
import HDF5

/// The scaffold the Keras continuation tests share: a fixture's reference
/// file (`NAME.ref.h5`: `x`, `y` and Keras' predictions), a run of
/// `bpkit train --model FILE --no-shuffle` on it, and the largest difference
/// between bpkit's predictions and Keras'.
public struct KerasContinuation {
  /// The fixture folder under `Fixtures/` (`keras-logits`, say).
  public var folder: String
  /// The fixture's name: its files are `NAME.keras`, `NAME.h5`, `NAME.start.*` and `NAME.ref.h5`.
  public var name: String

  /// A fixture's scaffold.
  public init(folder: String, name: String) {
    self.folder = folder
    self.name = name
  }

  /// The reference file's path.
  public var reference: String { Fixtures.path("\(folder)/\(name).ref.h5") }

  /// The path of one of the fixture's model files: `NAME.SUFFIX` (`keras`, `h5`, `start.keras`, ...).
  public func model(_ suffix: String) -> String { Fixtures.path("\(folder)/\(name).\(suffix)") }

  /// A dataset of the reference file, as Float.
  public func read(_ dataset: String) throws -> [Float] {
    let file = try HDF5File(openingAtPath: reference)
    return try file.root.openDataset(dataset).read(as: Float.self)
  }

  /// The largest absolute difference between two equally long arrays; infinity when their lengths differ.
  public static func worst(_ a: [Float], _ b: [Float]) -> Float {
    a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
  }

  /// Trains the model file `NAME.SUFFIX` on the reference's `x` and `y`
  /// with `bpkit train --model FILE --no-shuffle --epochs EPOCHS
  /// --batch-size BATCH` (the file carries the loss and optimizer), and
  /// returns the result, the checkpoint it wrote (nil when it failed) and
  /// its predictions on `x`.
  /// `extra` arguments follow the others.
  public func train(
    _ suffix: String, epochs: Int, batchSize: Int = 8, features: Int = 4, in folder: TemporaryDirectory,
    extra: [String] = []
  ) throws -> (result: ProcessResult, checkpoint: Checkpoint?, predicted: [Float]) {
    let path = folder.path("\(name).\(suffix).ckpt.h5")
    let result = try BPKitBinary.run(
      arguments: [
        "train", "--model", model(suffix), "--data", reference, "--x", "/x", "--y", "/y", "--epochs", "\(epochs)",
        "--batch-size", "\(batchSize)", "--no-shuffle", "--checkpoint", path, "--quiet",
      ] + extra)
    guard result.status == 0 else { return (result, nil, []) }
    let checkpoint = try Checkpoint(contentsOf: URL(fileURLWithPath: path))
    let x = try read("x")
    let predicted = try checkpoint.model.predict(Tensor(shape: [x.count / features, features], scalars: x))
    return (result, checkpoint, predicted.scalars)
  }
}
