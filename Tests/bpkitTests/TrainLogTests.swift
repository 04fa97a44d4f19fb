import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// What `bpkit train` writes as it goes: `--log-json` lines that tell
/// appended runs apart, and a closed standard output that stops the run as
/// Ctrl-C does, with its checkpoint.
@Suite struct TrainLogTests {
  static let iris = Fixtures.path("datasets/iris.csv")

  static func irisRun(_ checkpoint: String, epochs: Int, seed: Int) -> [String] {
    [
      "train", "--layers", "4,8:tanh,3:softmax", "--data", iris, "--target", "species", "--epochs", "\(epochs)",
      "--seed", "\(seed)", "--checkpoint", checkpoint,
    ]
  }

  @Test func logLinesCarryTheRunIdAndSeed() throws {
    let folder = try TemporaryDirectory()
    let log = folder.path("log.jsonl")
    for (name, seed) in [("a.h5", 3), ("b.h5", 4)] {
      let result = try BPKitBinary.run(
        arguments: Self.irisRun(folder.path(name), epochs: 2, seed: seed) + ["--log-json", log, "--quiet"])
      #expect(result.status == 0, "\(result.error)")
    }
    let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    #expect(lines.map { $0["seed"] as? Int } == [3, 3, 4, 4])
    #expect(lines.map { $0["epoch"] as? Int } == [1, 2, 1, 2])
    let ids = lines.map { $0["run_id"] as? String }
    #expect(ids[0] != nil && UUID(uuidString: ids[0]!) != nil, "\(ids)")
    #expect(ids[0] == ids[1] && ids[2] == ids[3] && ids[1] != ids[2], "\(ids)")
  }

  /// Each log line is BPKit's ``EpochRecord/jsonLogLine(runID:seed:)`` of
  /// the epoch's record, byte for byte, as the checkpoint's history keeps it.
  @Test func logLinesAreTheLibrarysLineOfEachRecord() throws {
    let folder = try TemporaryDirectory()
    let log = folder.path("log.jsonl")
    let checkpoint = folder.path("run.h5")
    let result = try BPKitBinary.run(
      arguments: Self.irisRun(checkpoint, epochs: 3, seed: 5) + [
        "--validation-split", "0.2", "--log-json", log, "--quiet",
      ])
    #expect(result.status == 0, "\(result.error)")
    let written = try Data(contentsOf: URL(fileURLWithPath: log))
    let first = try #require(
      try JSONSerialization.jsonObject(with: written.split(separator: 0x0A)[0]) as? [String: Any])
    let id = try #require(first["run_id"] as? String)
    let runID = try #require(UUID(uuidString: id))
    let history = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint)).progress.history
    #expect(history.count == 3)
    let expected = history.reduce(into: Data()) { $0.append($1.jsonLogLine(runID: runID, seed: 5)) }
    #expect(written == expected, "\(String(decoding: written, as: UTF8.self))")
  }

  @Test func aClosedStandardOutputStopsTheRunWithACheckpoint() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = folder.path("run.h5")
    // head exits after the first line; the run, with epochs enough for
    // minutes, must notice at its next line and stop like Ctrl-C.
    let command = Self.irisRun(checkpoint, epochs: 1_000_000, seed: 1).map { "'\($0)'" }.joined(separator: " ")
    let result = try runProcess(
      "/bin/bash",
      [
        "-c", "\"$0\" \(command) | head -n 1 > '\(folder.path("head.txt"))'; echo \"${PIPESTATUS[0]}\"",
        BPKitBinary.path,
      ])
    #expect(result.output == "141\n", "\(result.output) \(result.error)")
    #expect(result.error.contains("stopped by a closed standard output at epoch"), "\(result.error)")
    #expect(result.error.contains("resume with: bpkit train --resume"), "\(result.error)")
    let stopped = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    #expect(stopped.progress.epoch >= 1 && stopped.progress.epoch < 1_000_000)
    #expect(try String(contentsOfFile: folder.path("head.txt"), encoding: .utf8).hasPrefix("training 150 samples"))
  }
}
