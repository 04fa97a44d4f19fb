import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// SIGKILL of one rank of `mpirun -np 2 bpkit train`: the job ends (MPI's
/// default), the last checkpoint is intact, and resuming it on 1 or 2 ranks
/// ends with the bits of the uninterrupted run.
@Suite(.enabled(if: MPIJob.isAvailable, "needs mpirun and the MPI-enabled bpkit (make mpi-debug)"))
struct MPIKilledRankTests {
  static let epochs = 30
  static func arguments(checkpoint: String) -> [String] {
    [
      "train", "--layers", "64,32:tanh,10:softmax", "--data", Fixtures.path("datasets/digits.h5"), "--epochs",
      "\(epochs)", "--batch-size", "16", "--checkpoint", checkpoint, "--quiet",
    ]
  }

  @Test(arguments: [0, 1])
  func killingOneRankEndsTheJobAndItsCheckpointResumesToTheSameBits(killed: Int) throws {
    let folder = try TemporaryDirectory()
    let reference = folder.path("whole.h5")
    let whole = try BPKitBinary.run(arguments: Self.arguments(checkpoint: reference))
    try #require(whole.status == 0, "the uninterrupted run: \(whole.error)")
    let expected = try CheckpointComparison.load(reference)

    let checkpoint = folder.path("killed.h5")
    let job = Process()
    job.executableURL = URL(fileURLWithPath: MPIJob.mpirun!)
    job.arguments = ["--oversubscribe", "-np", "2", MPIJob.binary] + Self.arguments(checkpoint: checkpoint)
    job.environment = ProcessInfo.processInfo.environment.merging(MPIJob.environment) { $1 }
    job.standardOutput = FileHandle.nullDevice
    job.standardError = try FileHandle(forWritingTo: Self.emptyFile(folder.path("stderr.txt")))
    try job.run()
    defer { if job.isRunning { kill(job.processIdentifier, SIGKILL) } }

    // Kill once the first checkpoint is on disk, while the run trains on.
    try Self.waitFor("the first checkpoint", job) { FileManager.default.fileExists(atPath: checkpoint) }
    var ranks: [Int: pid_t] = [:]
    try Self.waitFor("both ranks", job) {
      ranks = Self.ranks(under: job.processIdentifier)
      return ranks.count == 2
    }
    try #require(job.isRunning, "the run ended before its kill; give it more epochs")
    kill(ranks[killed]!, SIGKILL)
    try Self.waitFor("the job's end", job) { !job.isRunning }
    job.waitUntilExit()
    #expect(job.terminationStatus != 0, "mpirun reported success after a rank was killed")
    let survivor = ranks[1 - killed]!
    try Self.waitFor("the other rank's end", nil) { kill(survivor, 0) != 0 || Self.isZombie(survivor) }

    // The checkpoint left is complete, and short of the run's end.
    let left = try CheckpointComparison.load(checkpoint)
    #expect(left.progress.epoch >= 1 && left.progress.epoch < Self.epochs, "epoch \(left.progress.epoch)")
    for resumeRanks in [1, 2] {
      let path = folder.path("resumed-\(resumeRanks).h5")
      try FileManager.default.copyItem(atPath: checkpoint, toPath: path)
      let resume = ["train", "--resume", path, "--quiet"]
      let result =
        resumeRanks == 1 ? try BPKitBinary.run(arguments: resume) : try MPIJob.run(ranks: resumeRanks, resume)
      #expect(result.status == 0, "resumed on \(resumeRanks) ranks: \(result.error)")
      #expect(
        CheckpointComparison.differences(expected, try CheckpointComparison.load(path)) == [],
        "killed rank \(killed), resumed on \(resumeRanks) ranks")
    }
  }

  static func emptyFile(_ path: String) -> URL {
    FileManager.default.createFile(atPath: path, contents: nil)
    return URL(fileURLWithPath: path)
  }

  /// Polls `condition` until it holds; fails after ten minutes or when `job` ended first.
  static func waitFor(_ what: String, _ job: Process?, _ condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(600)
    while !condition() {
      if let job, !job.isRunning {
        try #require(condition(), "the job ended while waiting for \(what)")
        return
      }
      try #require(Date() < deadline, "waited ten minutes for \(what)")
      usleep(2000)
    }
  }

  /// The processes below `root` that MPI started as ranks, by rank.
  static func ranks(under root: pid_t) -> [Int: pid_t] {
    var parents: [pid_t: pid_t] = [:]
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
      guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { continue }
      // After the command's name: state, then the parent's id.
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      if fields.count > 1, let parent = pid_t(fields[1]) { parents[pid] = parent }
    }
    func descends(_ pid: pid_t) -> Bool {
      var current = pid
      while let parent = parents[current], parent > 1 {
        if parent == root { return true }
        current = parent
      }
      return false
    }
    var found: [Int: pid_t] = [:]
    for pid in parents.keys where descends(pid) {
      guard let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
      for variable in environment.split(separator: 0) {
        let text = String(decoding: variable, as: UTF8.self)
        if text.hasPrefix("OMPI_COMM_WORLD_RANK="), let rank = Int(text.dropFirst("OMPI_COMM_WORLD_RANK=".count)) {
          found[rank] = pid
        }
      }
    }
    return found
  }

  static func isZombie(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return true }
    return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
  }
}
