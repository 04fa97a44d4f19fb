import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// `mpirun -np N bpkit infer`: the ranks share the batches, and rank 0 writes
/// the file one process writes, byte for byte.
@Suite(.enabled(if: MPIJob.isAvailable, "needs mpirun and the MPI-enabled bpkit (make mpi-debug)"))
struct MPIInferTests {
  static let digits = Fixtures.path("datasets/digits.h5")

  static func infer(ranks: Int?, _ arguments: [String]) throws {
    let full = ["infer"] + arguments
    let result = try ranks.map { try MPIJob.run(ranks: $0, full) } ?? BPKitBinary.run(arguments: full)
    #expect(result.status == 0, "\(ranks.map { "\($0) ranks" } ?? "one process"): \(result.error)")
  }

  /// Batches of 50 over 360 rows: 8 batches, the last one short, dealt to 1, 2 and 4 ranks.
  @Test(arguments: [("p.h5", []), ("p.csv", ["--top-k", "3"]), ("p.json", ["--argmax"])])
  func shardedPredictionsAreByteForByteThoseOfOneProcess(name: String, extra: [String]) throws {
    let checkpoint = try TrainedModels.digitsCheckpoint
    let folder = try TemporaryDirectory()
    let common = [checkpoint, "--input", Self.digits, "--x", "/test/x", "--batch-size", "50"] + extra
    try Self.infer(ranks: nil, common + ["--output", folder.path("alone-\(name)")])
    let alone = try Data(contentsOf: URL(fileURLWithPath: folder.path("alone-\(name)")))
    #expect(alone.count > 1000)
    for ranks in [1, 2, 4] {
      let path = folder.path("ranks-\(ranks)-\(name)")
      try Self.infer(ranks: ranks, common + ["--output", path])
      #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == alone, "\(ranks) ranks, \(name)")
    }
  }

  /// CSV input with --labels: every rank parses the file, each predicts its
  /// batches, and rank 0 writes the predictions and prints the evaluation
  /// that one process prints.
  @Test func csvInputWithLabelsIsEvaluatedAsByOneProcess() throws {
    let checkpoint = try TrainedModels.digitsCheckpoint
    let folder = try TemporaryDirectory()
    let common = [
      "infer", checkpoint, "--input", Fixtures.path("datasets/digits_test.csv"), "--labels", "label", "--batch-size",
      "40",
    ]
    let alone = try BPKitBinary.run(arguments: common + ["--output", folder.path("alone.csv")])
    #expect(alone.status == 0, "\(alone.error)")
    #expect(alone.output.contains("accuracy"))
    for ranks in [2, 3] {
      let path = folder.path("ranks-\(ranks).csv")
      let shared = try MPIJob.run(ranks: ranks, common + ["--output", path])
      #expect(shared.status == 0, "\(ranks) ranks: \(shared.error)")
      #expect(shared.output == alone.output, "\(ranks) ranks")
      #expect(
        try Data(contentsOf: URL(fileURLWithPath: path))
          == Data(contentsOf: URL(fileURLWithPath: folder.path("alone.csv"))))
    }
  }

  @Test func standardInputIsRefusedOnSeveralRanksNamingTheWayOut() throws {
    let checkpoint = try TrainedModels.digitsCheckpoint
    let folder = try TemporaryDirectory()
    let refused = try MPIJob.run(ranks: 2, ["infer", checkpoint, "--input", "-", "--output", folder.path("p.csv")])
    #expect(refused.status == 2)
    #expect(refused.error.contains("standard input reaches rank 0 only"), "\(refused.error)")
    #expect(refused.error.contains("save it to a file and give that file with --input"))
    #expect(!FileManager.default.fileExists(atPath: folder.path("p.csv")))
  }
}
