import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// SIGKILL at random moments of `bpkit train`: the checkpoint on disk is
/// always complete, `--resume` always finishes, and the final weights equal
/// those of the uninterrupted run bit for bit.
///
/// Checkpoints are written on a thread of their own while training goes on
/// (`CheckpointWriter`), and the run keeps the previous checkpoint too
/// (`--keep 2`), so kills land in the writer's rotation and writes as well
/// as in training; every checkpoint file left must load completely.
@Suite struct KilledTrainingTests {
  /// A run short enough for 50 kills in `make test`, with a checkpoint every
  /// two steps so that many kills land in the middle of a checkpoint write.
  static func arguments(checkpoint: String) -> [String] {
    [
      "train", "--layers", "4,8:tanh,3:softmax", "--data", Fixtures.path("datasets/iris.csv"), "--target", "species",
      "--optimizer", "adam", "--lr", "0.01", "--batch-size", "10", "--epochs", "2", "--seed", "7",
      "--checkpoint-every-steps", "2", "--keep", "2", "--checkpoint", checkpoint, "--quiet",
    ]
  }

  static let kills = 50

  /// An LSTM and a GRU over noisy sine windows (written to `data`), truncated
  /// BPTT, a checkpoint every two steps, 4 epochs (long enough that random kill
  /// moments land before the end on a loaded machine): 12 kills each.
  static func gatedArguments(layers: String, data: String) -> (String) -> [String] {
    { checkpoint in
      [
        "train", "--layers", layers, "--data", data, "--x", "/x", "--y", "/y", "--optimizer", "adam", "--lr", "0.01",
        "--batch-size", "16", "--epochs", "4", "--bptt-steps", "4", "--seed", "7", "--checkpoint-every-steps", "2",
        "--keep", "2", "--checkpoint", checkpoint, "--quiet",
      ]
    }
  }

  @Test func killedRunsResumeToTheUninterruptedWeights() throws {
    try Self.killAndResume(label: "killed training", kills: Self.kills, arguments: Self.arguments(checkpoint:))
  }

  @Test(arguments: ["12x1,lstm16:seq,lstm8,1", "12x1,gru16:seq,gru8:reset_before,1"])
  func killedLSTMAndGRURunsResumeToTheUninterruptedWeights(layers: String) throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-killed-data")
    let data = folder.path("sine.h5")
    try SequenceData.writeNoisySine(to: data)
    try Self.killAndResume(
      label: "killed \(layers.contains("lstm") ? "LSTM" : "GRU") training", kills: 12,
      arguments: Self.gatedArguments(layers: layers, data: data))
  }

  /// Reduce-on-plateau (a reduction after every epoch but the first) and early
  /// stopping (stopping at epoch 4, restoring epoch 1's weights) on a
  /// validation split: 12 kills, each resumed to the uninterrupted run's bits,
  /// rates and watches included.
  @Test func killedRunsWithPlateauAndEarlyStoppingResumeToTheUninterruptedWeights() throws {
    try Self.killAndResume(label: "killed training with reduce-on-plateau and early stopping", kills: 12) {
      checkpoint in
      [
        "train", "--layers", "4,8:tanh,3:softmax", "--data", Fixtures.path("datasets/iris.csv"), "--target",
        "species", "--validation-split", "0.2", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "10",
        "--epochs", "6", "--seed", "7", "--reduce-lr-on-plateau", "monitor=loss,factor=0.5,patience=0,min_delta=5",
        "--early-stopping", "patience=3,min_delta=5,restore_best_weights", "--checkpoint-every-steps", "2", "--keep",
        "2", "--checkpoint", checkpoint, "--quiet",
      ]
    }
  }

  /// Dropout layers (masks drawn from where each value is, no generator state):
  /// 12 kills, each resumed mid-epoch to the uninterrupted run's bits.
  @Test func killedRunsWithDropoutResumeToTheUninterruptedWeights() throws {
    try Self.killAndResume(label: "killed training with dropout", kills: 12) { checkpoint in
      [
        "train", "--layers", "4,dropout0.1,8:tanh,dropout0.3,8:relu,dropout0.5,3:softmax", "--data",
        Fixtures.path("datasets/iris.csv"), "--target", "species", "--optimizer", "adam", "--lr", "0.01",
        "--batch-size", "10", "--epochs", "3", "--seed", "7", "--checkpoint-every-steps", "2", "--keep", "2",
        "--checkpoint", checkpoint, "--quiet",
      ]
    }
  }

  /// Every training setting together (as `CombinedSettingsResumeTests` stops
  /// and resumes them): dropout, L1 and L2 regularizers, a learning-rate
  /// schedule or reduce-on-plateau, early stopping restoring the best weights,
  /// clipping, class weights and weight decay on a seeded validation split:
  /// 12 kills each, each resumed to the uninterrupted run's bits.
  @Test(arguments: ["schedule", "plateau"])
  func killedRunsWithEverySettingResumeToTheUninterruptedWeights(variant: String) throws {
    try Self.killAndResume(label: "killed training with every setting (\(variant))", kills: 12) { checkpoint in
      [
        "train", "--layers", "4,16:relu:l2=0.001,dropout0.25,8:tanh:l1=0.0005,3:softmax", "--data",
        Fixtures.path("datasets/iris.csv"), "--target", "species", "--validation-split", "0.2", "--split-seed", "3",
        "--optimizer", "adamw", "--lr", "0.02", "--weight-decay", "0.01", "--clipnorm", "0.5", "--class-weight",
        "auto", "--early-stopping", "patience=2,min_delta=0.02,restore_best_weights", "--batch-size", "10",
        "--epochs", "10", "--seed", "7", "--checkpoint-every-steps", "2", "--keep", "2", "--checkpoint", checkpoint,
        "--quiet",
      ]
        + (variant == "schedule"
          ? ["--lr-schedule", "exponential_decay:decay_steps=6,decay_rate=0.8"]
          : ["--reduce-lr-on-plateau", "monitor=val_loss,factor=0.5,patience=0,min_delta=0.02"])
    }
  }

  /// Kills `bpkit train` with `arguments` at random moments `kills` times, resuming each, and
  /// compares every resumed run with the uninterrupted one.
  static func killAndResume(label: String, kills target: Int, arguments: (String) -> [String]) throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-killed")
    let reference = folder.path("reference.ckpt.h5")
    let (whole, firstCheckpoint) = try Self.timedRun(arguments: arguments(reference), checkpoint: reference)
    try #require(whole.terminationStatus == 0, "the uninterrupted run failed")
    let expected = try CheckpointComparison.load(reference)
    let runTime = whole.seconds

    var random = Xoshiro256StarStar(seed: ReliabilityMode.seed)
    var kills = 0, attempts = 0, duringWrite = 0, beforeFirstCheckpoint = 0, differing = 0, leftovers = 0
    while kills < target {
      attempts += 1
      try #require(attempts < target * 4, "the run kept finishing before its kill; \(kills) kills in \(attempts)")
      let trial = try TemporaryDirectory(prefix: "bpkit-kill-\(kills)")
      let checkpoint = trial.path("run.ckpt.h5")
      let process = Process()
      process.executableURL = URL(fileURLWithPath: BPKitBinary.path)
      process.arguments = arguments(checkpoint)
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      // One kill in ten lands while the run starts; the others at a random
      // moment of the training that follows its first checkpoint.
      let delay: Double
      if kills % 10 == 0 {
        delay = random.nextDouble() * firstCheckpoint
      } else {
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: checkpoint) && process.isRunning && Date() < deadline {
          usleep(500)
        }
        delay = random.nextDouble() * max(0.01, runTime - firstCheckpoint)
      }
      usleep(UInt32(delay * 1_000_000))
      guard process.isRunning else {
        process.waitUntilExit()
        continue
      }
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      guard process.terminationReason == .uncaughtSignal else { continue }
      kills += 1
      let entries = try FileManager.default.contentsOfDirectory(atPath: trial.url.path)
      if entries.contains(where: { $0.hasPrefix(".run.ckpt.h5.tmp-") }) { duringWrite += 1 }

      // What the kill left must be the previous complete checkpoint, or none;
      // the one kept before it, when there is one, is complete too.
      let kept = trial.path("run.ckpt.1.h5")
      if FileManager.default.fileExists(atPath: kept) { _ = try CheckpointComparison.load(kept) }
      let resumed: GuardedResult
      if FileManager.default.fileExists(atPath: checkpoint) {
        _ = try CheckpointComparison.load(checkpoint)
        resumed = try GuardedProcess.run(
          BPKitBinary.path, ["train", "--resume", checkpoint, "--quiet"], timeout: 120)
      } else {
        beforeFirstCheckpoint += 1
        resumed = try GuardedProcess.run(BPKitBinary.path, arguments(checkpoint), timeout: 120)
      }
      #expect(resumed.status == 0, "kill \(kills) after \(delay) s: the resumed run failed: \(resumed.error)")
      let differences = CheckpointComparison.differences(expected, try CheckpointComparison.load(checkpoint))
      #expect(differences == [], "kill \(kills) after \(delay) s: the resumed run differs in \(differences)")
      if !differences.isEmpty { differing += 1 }
      let left = try FileManager.default.contentsOfDirectory(atPath: trial.url.path).filter { $0.contains(".tmp-") }
      #expect(left == [], "kill \(kills): temporaries left after the next successful write: \(left)")
      leftovers += left.count
    }
    ReliabilityReport.record(
      "\(label): \(kills) SIGKILLs (\(duringWrite) during a checkpoint write, \(beforeFirstCheckpoint) "
        + "before the first checkpoint), \(kills) resumed, \(differing) differing from the uninterrupted run, "
        + "\(leftovers) temporaries left; run \(String(format: "%.2f", runTime)) s, seed \(ReliabilityMode.seed)")
  }

  /// Runs the uninterrupted training, timing it and its first checkpoint.
  static func timedRun(arguments: [String], checkpoint: String) throws -> (
    run: (terminationStatus: Int32, seconds: Double), first: Double
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: BPKitBinary.path)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    let start = Date()
    try process.run()
    var first: Double?
    while process.isRunning {
      if first == nil && FileManager.default.fileExists(atPath: checkpoint) { first = Date().timeIntervalSince(start) }
      usleep(500)
    }
    process.waitUntilExit()
    let seconds = Date().timeIntervalSince(start)
    return ((process.terminationStatus, seconds), first ?? seconds / 2)
  }
}
