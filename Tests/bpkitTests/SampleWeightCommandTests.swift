import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// `bpkit train --sample-weight` through the binary: weights from a CSV
/// column and an HDF5 dataset, in memory and streamed alike, kept in the
/// data's fingerprint for a resume to the uninterrupted bits, shown by
/// `inspect`; weights that cannot be are refused naming the flag or the row.
@Suite struct SampleWeightCommandTests {
  static let weighted = Fixtures.path("keras-weights/sample_weight_softmax.ref.h5")

  /// Iris with a `weight` column cycling through 0.5, 1, 2, 0 (and `bad` for one row, if given).
  static func irisWithWeights(in folder: TemporaryDirectory, bad: String? = nil) throws -> String {
    let lines = try String(contentsOfFile: Fixtures.path("datasets/iris.csv"), encoding: .utf8)
      .split(separator: "\n").map(String.init)
    var text = lines[0] + ",weight\n"
    for (index, line) in lines.dropFirst().enumerated() {
      text += line + "," + (index == 7 ? bad ?? "2" : ["0.5", "1", "2", "0"][index % 4]) + "\n"
    }
    let path = folder.path("iris-weighted.csv")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static func train(_ arguments: [String]) throws -> ProcessResult {
    try BPKitBinary.run(arguments: ["train", "--quiet"] + arguments)
  }

  @Test func aCSVColumnWeighsTheLossAndAResumeKeepsIt() throws {
    let folder = try TemporaryDirectory()
    let data = try Self.irisWithWeights(in: folder)
    let run = [
      "--layers", "4,8:tanh,3:softmax", "--data", data, "--target", "species", "--sample-weight", "weight",
      "--validation-split", "0.2", "--split-seed", "3", "--batch-size", "16", "--epochs", "4", "--seed", "7",
    ]
    #expect(try Self.train(run + ["--checkpoint", folder.path("whole.h5")]).status == 0)
    let first = try Self.train(run + ["--checkpoint", folder.path("parts.h5"), "--stop-after-steps", "9"])
    #expect(first.status == 0, "\(first.error)")
    let resumed = try Self.train(["--resume", folder.path("parts.h5")])
    #expect(resumed.status == 0, "\(resumed.error)")
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    #expect(CheckpointComparison.differences(whole, try CheckpointComparison.load(folder.path("parts.h5"))) == [])
    #expect(whole.data?.sampleWeights == "weight")
    let inspect = try BPKitBinary.run("inspect", folder.path("whole.h5"))
    #expect(inspect.output.contains("samples, sample weights from weight, sha256"), "\(inspect.output)")
    // The weights change the run: without them it ends elsewhere.
    var plainRun = run
    plainRun.replaceSubrange(2..<4, with: ["--data", Fixtures.path("datasets/iris.csv")])
    plainRun.removeSubrange(6..<8)
    let plain = try Self.train(plainRun + ["--checkpoint", folder.path("plain.h5")])
    #expect(plain.status == 0, "\(plain.error)")
    #expect(!CheckpointComparison.differences(whole, try CheckpointComparison.load(folder.path("plain.h5"))).isEmpty)
    let changed = try Self.train(["--resume", folder.path("whole.h5"), "--epochs", "5", "--sample-weight", "other"])
    #expect(changed.status == 2)
    #expect(changed.error.contains("cannot change on resume. Drop --sample-weight"), "\(changed.error)")
  }

  @Test func anHDF5DatasetStreamsToTheSameBits() throws {
    let folder = try TemporaryDirectory()
    let run = [
      "--layers", "4,6:tanh,3:softmax", "--data", Self.weighted, "--x", "/x", "--y", "/y", "--sample-weight",
      "/sample_weight", "--validation-split", "0.25", "--batch-size", "8", "--epochs", "3", "--seed", "2",
    ]
    #expect(try Self.train(run + ["--checkpoint", folder.path("memory.h5")]).status == 0)
    let streamed = try Self.train(run + ["--stream", "--checkpoint", folder.path("streamed.h5")])
    #expect(streamed.status == 0, "\(streamed.error)")
    let memory = try CheckpointComparison.load(folder.path("memory.h5"))
    #expect(CheckpointComparison.differences(memory, try CheckpointComparison.load(folder.path("streamed.h5"))) == [])
    #expect(
      memory.progress.history.map { $0.validationLoss?.bitPattern }
        == (try CheckpointComparison.load(folder.path("streamed.h5"))).progress.history.map {
          $0.validationLoss?.bitPattern
        })
    #expect(memory.data?.sampleWeights == "/sample_weight")
  }

  @Test func weightsThatCannotBeAreRefused() throws {
    let folder = try TemporaryDirectory()
    let base = ["--layers", "4,8:tanh,3:softmax", "--target", "species", "--checkpoint", folder.path("run.h5")]
    let negative = try Self.train(
      base + ["--data", try Self.irisWithWeights(in: folder, bad: "-1"), "--sample-weight", "weight"])
    #expect(negative.status != 0)
    #expect(
      negative.error.contains("sample weight -1.0; sample weights (--sample-weight) must be numbers >= 0"),
      "\(negative.error)")
    let both = try Self.train(
      base + ["--data", try Self.irisWithWeights(in: folder), "--sample-weight", "weight", "--class-weight", "0:2"])
    #expect(both.status == 2)
    #expect(both.error.contains("give either --class-weight or --sample-weight, not both"), "\(both.error)")
    let missing = try Self.train(
      [
        "--layers", "4,6:tanh,3:softmax", "--data", Self.weighted, "--x", "/x", "--y", "/y", "--sample-weight", "/nope",
        "--checkpoint", folder.path("run.h5"),
      ])
    #expect(missing.status != 0)
    #expect(missing.error.contains("/nope"), "\(missing.error)")
    #expect(!FileManager.default.fileExists(atPath: folder.path("run.h5")))
  }
}
