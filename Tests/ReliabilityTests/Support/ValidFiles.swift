import BPKit
import Foundation
import HDF5
import Synchronization
import _BPKitTestSupport

/// Valid files made once per test run, which the hostile-file tests damage:
/// an iris classifier as a checkpoint and a model, in HDF5 and JSON.
final class ValidFiles: Sendable {
  let folder: TemporaryDirectory
  /// `bpkit train` output: a checkpoint of a 4-8-3 network trained on iris.
  let checkpoint: String
  /// Its model alone.
  let model: String
  /// The checkpoint and the model as bpkit JSON documents.
  let checkpointJSON: String
  let modelJSON: String
  /// CSV input the model accepts (iris without its label column) for `infer`.
  static let irisCSV = Fixtures.path("datasets/iris.csv")

  private static let shared = Mutex<ValidFiles?>(nil)

  /// The files, made on first use.
  static func get() throws -> ValidFiles {
    try shared.withLock { shared in
      if let shared { return shared }
      let files = try ValidFiles()
      shared = files
      return files
    }
  }

  private init() throws {
    folder = try TemporaryDirectory(prefix: "bpkit-valid")
    checkpoint = folder.path("iris.ckpt.h5")
    model = folder.path("iris.model.h5")
    checkpointJSON = folder.path("iris.ckpt.json")
    modelJSON = folder.path("iris.model.json")
    let trained = try GuardedProcess.run(
      BPKitBinary.path,
      [
        "train", "--layers", "4,8:tanh,3:softmax", "--data", Self.irisCSV, "--target", "species", "--epochs", "2",
        "--batch-size", "16", "--checkpoint", checkpoint, "--quiet",
      ], timeout: 120)
    guard trained.status == 0 else { throw ValidFilesError(detail: "training failed: \(trained.error)") }
    let loaded = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    try loaded.model.write(to: URL(fileURLWithPath: model))
    try loaded.writeJSON(toPath: checkpointJSON, weights: .numbers)
    try loaded.model.writeJSON(toPath: modelJSON, weights: .numbers)
  }

  /// A command that reads a model or checkpoint file.
  struct Reader {
    var name: String
    var arguments: [String]
    /// The exit codes of a successful run: `diff` exits 1 when it finds a difference.
    var successes: Set<Int32> = [0]
  }

  /// The commands that read a model or checkpoint file, with `file` in place.
  /// `output` is a scratch folder for the files some commands write.
  static func readers(of file: String, output: String) -> [Reader] {
    [
      Reader(
        name: "infer",
        arguments: ["infer", file, "--input", irisCSV, "--ignore", "species", "--output", output + "/predictions.csv"]),
      Reader(
        name: "train --resume",
        arguments: ["train", "--resume", file, "--checkpoint", output + "/resumed.h5", "--quiet"]),
      Reader(
        name: "train --model",
        arguments: [
          "train", "--model", file, "--data", irisCSV, "--target", "species", "--epochs", "1", "--checkpoint",
          output + "/started.h5", "--quiet",
        ]),
      Reader(name: "convert", arguments: ["convert", file, output + "/converted.json"]),
      Reader(name: "inspect", arguments: ["inspect", file]),
      Reader(name: "diff", arguments: ["diff", file, (try? get().checkpoint) ?? file], successes: [0, 1]),
    ]
  }

  /// A new, empty folder inside `folder` for the files one run writes.
  static func scratch(in folder: TemporaryDirectory) throws -> String {
    let path = folder.path("out-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    chmod(path, 0o777)
    return path
  }

  /// A copy of `source` named `name` in `folder`, changed by `body` through
  /// libhdf5, and re-sealed with a matching whole-file checksum.
  static func altered(
    _ source: String, in folder: TemporaryDirectory, as name: String, _ body: (HDF5Group) throws -> Void
  )
    throws -> String
  {
    let path = folder.path(name)
    try FileManager.default.copyItem(atPath: source, toPath: path)
    let file = try HDF5File(openingAtPath: path, mode: .readWrite)
    try body(try file.root)
    try file.close()
    // As a crafter of hostile files would: with a checksum that matches, so
    // that the loading policy, not the checksum, has to refuse it.
    try FileSeal.reseal(path)
    return path
  }
}

struct ValidFilesError: Error, CustomStringConvertible {
  var detail: String
  var description: String { "cannot make the valid files the tests damage: \(detail)" }
}
