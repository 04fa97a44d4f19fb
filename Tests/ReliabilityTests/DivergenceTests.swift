import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// A learning rate that makes training diverge: exit 5 with one clear
/// message, and the checkpoint on disk is the last good one, never a
/// checkpoint of exploded weights.
@Suite struct DivergenceTests {
  static func allFinite(_ checkpoint: Checkpoint) -> Bool {
    checkpoint.model.parameters.values.allSatisfy { $0.scalars.allSatisfy(\.isFinite) }
      && checkpoint.optimizer.slots.values.allSatisfy { $0.values.allSatisfy { $0.scalars.allSatisfy(\.isFinite) } }
  }

  static func expectDiverged(_ result: GuardedResult) {
    #expect(result.status == 5, "\(result.ending), expected exit 5: \(result.error)")
    #expect(result.errorLines.count == 1, "\(result.errorLines)")
    #expect(result.error.hasPrefix("bpkit: error: training diverged"), "\(result.error)")
  }

  @Test(arguments: ["sgd", "momentum", "adam", "rmsprop"])
  func aDivergingResumeKeepsTheLastGoodCheckpoint(optimizer: String) throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-diverge")
    let checkpoint = folder.path("run.ckpt.h5")
    let start = try GuardedProcess.run(
      BPKitBinary.path,
      [
        "train", "--layers", "4,16:relu,1:linear", "--loss", "mse", "--data", ValidFiles.irisCSV, "--target",
        "species", "--optimizer", optimizer, "--epochs", "1", "--batch-size", "10", "--checkpoint", checkpoint,
        "--quiet",
      ], timeout: 60)
    try #require(start.status == 0, "\(start.error)")
    let good = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
    // A learning rate of 1e30 overflows the weights within a few steps.
    let result = try GuardedProcess.run(
      BPKitBinary.path,
      ["train", "--resume", checkpoint, "--epochs", "50", "--lr", "1e30", "--checkpoint-every-steps", "1", "--quiet"],
      timeout: 60)
    Self.expectDiverged(result)
    let kept = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    #expect(Self.allFinite(kept), "the checkpoint kept after divergence holds non-finite numbers")
    if try Data(contentsOf: URL(fileURLWithPath: checkpoint)) != good {
      // A checkpoint written after the first one is only good if training
      // could go on from it.
      #expect(kept.progress.history.allSatisfy { $0.trainLoss.isFinite })
    }
    ReliabilityReport.record("divergence (\(optimizer), lr 1e30): \(result.ending); the kept checkpoint is finite")
  }

  @Test func aRunThatDivergesFromTheStartLeavesNoCheckpoint() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-diverge")
    let checkpoint = folder.path("run.ckpt.h5")
    // Inputs near Float's largest value are finite, but overflow the first
    // forward pass: the very first step diverges, before any good state.
    let data = folder.path("huge.csv")
    try ("a,b,c,d,y\n" + String(repeating: "3e38,3e38,3e38,3e38,1\n", count: 20))
      .write(toFile: data, atomically: true, encoding: .utf8)
    let result = try GuardedProcess.run(
      BPKitBinary.path,
      [
        "train", "--layers", "4,16:relu,1:linear", "--loss", "mse", "--data", data, "--target", "y", "--optimizer",
        "sgd", "--epochs", "5", "--checkpoint-every-steps", "1", "--checkpoint", checkpoint, "--quiet",
      ], timeout: 60)
    Self.expectDiverged(result)
    #expect(result.error.contains("epoch 1, step 1"), "\(result.error)")
    #expect(!FileManager.default.fileExists(atPath: checkpoint), "a checkpoint was left behind")
  }
}
