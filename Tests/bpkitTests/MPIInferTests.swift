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

  @Test func standardInputAndLabelsAreRefusedOnSeveralRanks() throws {
    let checkpoint = try TrainedModels.digitsCheckpoint
    let folder = try TemporaryDirectory()
    let csv = try MPIJob.run(
      ranks: 2,
      ["infer", checkpoint, "--input", Fixtures.path("datasets/digits_test.csv"), "--output", folder.path("p.csv")])
    #expect(csv.status == 2)
    #expect(csv.error.contains("under mpirun, bpkit infer reads HDF5 input"))
    let labels = try MPIJob.run(
      ranks: 2,
      [
        "infer", checkpoint, "--input", Self.digits, "--x", "/test/x", "--labels", "/test/y", "--output",
        folder.path("p.csv"),
      ])
    #expect(labels.status == 2)
    #expect(labels.error.contains("evaluate --labels in one process"))
    #expect(!FileManager.default.fileExists(atPath: folder.path("p.csv")))
  }
}
