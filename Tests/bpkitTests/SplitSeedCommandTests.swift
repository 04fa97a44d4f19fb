import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// `bpkit train --validation-split F --split-seed N`, run as a user would:
/// held-out samples drawn at random, recorded in the checkpoint, shown by
/// `inspect`, compared by `diff`, kept by JSON, the same on resume, in memory
/// and streamed; bad values refused with exit 2 before anything is written.
@Suite struct SplitSeedCommandTests {
  static let iris = Fixtures.path("datasets/iris.csv")
  static let digits = Fixtures.path("datasets/digits.h5")
  let folder: TemporaryDirectory

  init() throws {
    folder = try TemporaryDirectory(prefix: "bpkit-split-seed")
  }

  func train(_ arguments: [String]) throws -> ProcessResult {
    try BPKitBinary.run(arguments: ["train"] + arguments + ["--quiet"])
  }

  func irisArguments(_ name: String, seed: String = "7") -> [String] {
    [
      "--layers", "4,8:tanh,3:softmax", "--data", Self.iris, "--target", "species", "--validation-split", "0.2",
      "--split-seed", seed, "--epochs", "3", "--batch-size", "16", "--checkpoint", folder.path(name),
    ]
  }

  func expectSuccess(_ result: ProcessResult, _ what: String) {
    #expect(result.status == 0, "\(what): \(result.error)")
  }

  @Test func aStoppedAndResumedRunEndsBitwiseAsTheWholeRun() throws {
    expectSuccess(try train(irisArguments("whole.h5")), "whole")
    expectSuccess(try train(irisArguments("parts.h5") + ["--stop-after-steps", "11"]), "first part")
    expectSuccess(try train(["--resume", folder.path("parts.h5")]), "resume")
    let diff = try BPKitBinary.run("diff", folder.path("whole.h5"), folder.path("parts.h5"))
    #expect(diff.status == 0, "\(diff.output)\(diff.error)")
    #expect(diff.output.hasPrefix("identical:"))
  }

  @Test func streamedAndInMemoryRunsAgreeAndAStreamedRunResumesBitwise() throws {
    let common = [
      "--layers", "64,16:tanh,10:softmax", "--data", Self.digits, "--validation-split", "0.25", "--split-seed", "3",
      "--epochs", "2",
    ]
    expectSuccess(try train(common + ["--checkpoint", folder.path("memory.h5")]), "in memory")
    expectSuccess(
      try train(common + ["--stream", "--stop-after-steps", "40", "--checkpoint", folder.path("streamed.h5")]),
      "streamed")
    expectSuccess(try train(["--resume", folder.path("streamed.h5"), "--stream"]), "streamed resume")
    let diff = try BPKitBinary.run("diff", folder.path("memory.h5"), folder.path("streamed.h5"))
    #expect(diff.status == 0, "\(diff.output)\(diff.error)")
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("streamed.h5"))
    #expect(checkpoint.configuration.validationRows == ValidationSplit.heldOutRows(of: 1437, fraction: 0.25, seed: 3))
    #expect(checkpoint.data?.sampleCount == 1437 - 359)
  }

  @Test func inspectShowsTheSplitAndDiffComparesIt() throws {
    expectSuccess(try train(irisArguments("seven.h5")), "seed 7")
    expectSuccess(try train(irisArguments("eight.h5", seed: "8")), "seed 8")
    let text = try BPKitBinary.run("inspect", folder.path("seven.h5"))
    #expect(text.status == 0)
    #expect(text.output.contains("\nValidation  0.2 of the data held out: 30 samples drawn with split seed 7\n"))
    let json = try BPKitBinary.run("inspect", "--json", folder.path("seven.h5"))
    let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
    let run = object?["checkpoint"] as? [String: Any]
    #expect(run?["validation_split"] as? Double == 0.2)
    #expect(run?["validation_split_seed"] as? Int == 7)
    #expect(run?["validation_held_out"] as? Int == 30)
    let diff = try BPKitBinary.run("diff", folder.path("seven.h5"), folder.path("eight.h5"))
    #expect(diff.status == 1)
    #expect(diff.output.contains("\nvalidation split seed: 7 vs 8\n"))
    #expect(diff.output.contains("\nvalidation rows: 6, 7, 9, 18, 19, 20, … (30) vs "))
  }

  @Test func jsonKeepsTheSeedAndTheRows() throws {
    expectSuccess(try train(irisArguments("run.h5") + ["--stop-after-steps", "5"]), "train")
    let json = folder.path("run.json")
    let back = folder.path("back.h5")
    #expect(try BPKitBinary.run("convert", folder.path("run.h5"), json).status == 0)
    #expect(try BPKitBinary.run("convert", json, back).status == 0)
    JSONOutputs.keep(fileAtPath: json, kind: "checkpoint", name: "split-seed.json")
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
    let training = object?["training"] as? [String: Any]
    #expect(training?["validation_split_seed"] as? Int == 7)
    #expect(
      training?["validation_rows"] as? [Int] == ValidationSplit.heldOutRows(of: 150, fraction: 0.2, seed: 7))
    let diff = try BPKitBinary.run("diff", folder.path("run.h5"), back)
    #expect(diff.status == 0, "\(diff.output)")
    // The resumed JSON round trip trains on as the original would.
    expectSuccess(try train(["--resume", back]), "resume the round trip")
    expectSuccess(try train(["--resume", folder.path("run.h5")]), "resume the original")
    #expect(try BPKitBinary.run("diff", folder.path("run.h5"), back).status == 0)
  }

  static let refusals: [([String], String)] = [
    (["--split-seed", "3"], "--split-seed draws the samples --validation-split holds out"),
    (["--split-seed", "3", "--validation-split", "0"], "--split-seed draws the samples --validation-split holds out"),
    (["--split-seed", "3", "--validation", iris], "--split-seed draws the samples --validation-split holds out"),
    (["--validation-split", "0.2", "--split-seed", "-1"], "'--split-seed <seed>'"),
    (["--validation-split", "0.2", "--split-seed", "18446744073709551616"], "'--split-seed <seed>'"),
    (["--validation-split", "0.2", "--split-seed", "seven"], "'--split-seed <seed>'"),
  ]

  @Test(arguments: refusals.indices)
  func badValuesAreUsageErrorsAndNothingIsWritten(index: Int) throws {
    let (extra, message) = Self.refusals[index]
    let checkpoint = folder.path("refused-\(index).h5")
    let result = try BPKitBinary.run(
      arguments: [
        "train", "--layers", "4,3:softmax", "--data", Self.iris, "--target", "species", "--checkpoint", checkpoint,
      ] + extra)
    #expect(result.status == 2, "\(extra): \(result.error)")
    #expect(result.error.split(separator: "\n").first?.contains(message) == true, "\(result.error)")
    #expect(!FileManager.default.fileExists(atPath: checkpoint))
  }

  @Test func aResumeWithAnotherSplitSeedIsAUsageError() throws {
    expectSuccess(try train(irisArguments("run.h5") + ["--stop-after-steps", "3"]), "train")
    let before = try Data(contentsOf: folder.url.appendingPathComponent("run.h5"))
    for extra in [["--split-seed", "8"], ["--split-seed", "8", "--validation-split", "0.2"]] {
      let result = try BPKitBinary.run(arguments: ["train", "--resume", folder.path("run.h5")] + extra)
      #expect(result.status == 2)
      #expect(
        result.error
          == "bpkit: error: the run's validation split draws its held-out samples with the seed 7; the split decides "
          + "which samples train, so --split-seed cannot change on resume\n")
    }
    #expect(try Data(contentsOf: folder.url.appendingPathComponent("run.h5")) == before)
  }

  /// Rows out of order in a checkpoint, or rows without the seed that drew
  /// them, are bad data (exit 3) naming the place, in HDF5 and JSON alike.
  @Test func aCheckpointWithRowsOutOfOrderIsRefusedNamingThem() throws {
    expectSuccess(try train(irisArguments("run.h5") + ["--stop-after-steps", "3"]), "train")
    var checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.h5"))
    checkpoint.configuration.validationRows!.swapAt(0, 1)
    try checkpoint.write(to: folder.url.appendingPathComponent("bad.h5"))
    try checkpoint.writeJSON(toPath: folder.path("bad.json"))
    let hdf5 = try BPKitBinary.run("train", "--resume", folder.path("bad.h5"), "--quiet")
    #expect(hdf5.status == 3)
    #expect(
      hdf5.error
        == "bpkit: error: '/training/validation_rows' in '\(folder.path("bad.h5"))' cannot be used: element 1 is 6 "
        + "after 7; the rows must be ascending\n")
    let json = try BPKitBinary.run("inspect", folder.path("bad.json"))
    #expect(json.status == 3)
    #expect(json.error.contains("$.training.validation_rows"), "\(json.error)")
  }

  /// A checkpoint written by bpkit at format 1.2, whose split holds out the
  /// last samples, resumes through the command as it did then.
  @Test func aFormat12CheckpointResumes() throws {
    let copy = folder.path("old.h5")
    try FileManager.default.copyItem(atPath: Fixtures.path("format-1.2/iris-split.ckpt.h5"), toPath: copy)
    let before = try BPKitBinary.run("inspect", copy)
    #expect(before.output.hasPrefix("\(copy): bpkit checkpoint, HDF5 format 1.2, "))
    #expect(before.output.contains("\nValidation  0.2 of the data held out: its last samples\n"))
    expectSuccess(try train(["--resume", copy, "--data", Self.iris]), "resume")
    expectSuccess(
      try train([
        "--layers", "4,8:tanh,3:softmax", "--data", Self.iris, "--target", "species", "--validation-split", "0.2",
        "--epochs", "3", "--batch-size", "16", "--seed", "5", "--checkpoint", folder.path("fresh.h5"),
      ]), "fresh")
    let diff = try BPKitBinary.run("diff", copy, folder.path("fresh.h5"))
    #expect(diff.status == 0, "\(diff.output)")
    let after = try BPKitBinary.run("inspect", copy)
    #expect(after.output.hasPrefix("\(copy): bpkit checkpoint, HDF5 format \(FormatVersion.current), "))
    #expect(after.output.contains("\nValidation  0.2 of the data held out: its last samples\n"))
  }
}
