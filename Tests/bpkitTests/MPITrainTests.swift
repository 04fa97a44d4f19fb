import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// `mpirun -np N bpkit train`: every rank count ends with bitwise the weights
/// of one process (see the DocC article "Running on a cluster").
@Suite(.enabled(if: MPIJob.isAvailable, "needs mpirun and the MPI-enabled bpkit (make mpi-debug)"))
struct MPITrainTests {
  static let digits = Fixtures.path("datasets/digits.h5")
  static let layers = ["--layers", "64,32:tanh,10:softmax"]

  static func train(ranks: Int?, _ arguments: [String]) throws {
    let full = ["train"] + arguments + ["--quiet"]
    let result = try ranks.map { try MPIJob.run(ranks: $0, full) } ?? BPKitBinary.run(arguments: full)
    #expect(result.status == 0, "\(ranks.map { "\($0) ranks" } ?? "one process"): \(result.error)")
  }

  @Test func twoEpochsOfDigitsEndWithTheSameBitsOnOneTwoAndFourRanks() throws {
    let folder = try TemporaryDirectory()
    let run = Self.layers + ["--data", Self.digits, "--epochs", "2"]
    try Self.train(ranks: nil, run + ["--checkpoint", folder.path("alone.h5")])
    let alone = try CheckpointComparison.load(folder.path("alone.h5"))
    #expect(alone.progress.epoch == 2)
    for ranks in [1, 2, 4] {
      let path = folder.path("ranks-\(ranks).h5")
      try Self.train(ranks: ranks, run + ["--checkpoint", path])
      #expect(CheckpointComparison.differences(alone, try CheckpointComparison.load(path)) == [], "\(ranks) ranks")
    }
  }

  @Test func aRunStoppedOnTwoRanksResumesOnOneAndOnFourToTheSameBits() throws {
    let folder = try TemporaryDirectory()
    let run = Self.layers + ["--data", Self.digits, "--epochs", "2"]
    try Self.train(ranks: nil, run + ["--checkpoint", folder.path("whole.h5")])
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    try Self.train(ranks: 2, run + ["--checkpoint", folder.path("stopped.h5"), "--stop-after-steps", "50"])
    let stopped = try CheckpointComparison.load(folder.path("stopped.h5"))
    #expect(stopped.progress.epoch == 1 && stopped.progress.stepInEpoch == 5)
    for ranks in [1, 4] {
      let path = folder.path("resumed-\(ranks).h5")
      try FileManager.default.copyItem(atPath: folder.path("stopped.h5"), toPath: path)
      try Self.train(ranks: ranks, ["--resume", path])
      #expect(CheckpointComparison.differences(whole, try CheckpointComparison.load(path)) == [], "\(ranks) ranks")
    }
  }

  /// A float64 run's gradient chain is handed on in Double: 2 and 3 ranks
  /// end with the bits of one process, a dense network's and an LSTM's.
  @Test func float64RunsEndWithTheSameBitsOnTwoAndThreeRanks() throws {
    let folder = try TemporaryDirectory()
    let run =
      Self.layers + ["--data", Self.digits, "--epochs", "2", "--dtype", "float64", "--validation-split", "0.1"]
    try Self.train(ranks: nil, run + ["--checkpoint", folder.path("alone.h5")])
    let alone = try CheckpointComparison.load(folder.path("alone.h5"))
    #expect(alone.model.dtype == .float64)
    for ranks in [2, 3] {
      let path = folder.path("ranks-\(ranks).h5")
      try Self.train(ranks: ranks, run + ["--checkpoint", path])
      let split = try CheckpointComparison.load(path)
      #expect(CheckpointComparison.differences(alone, split) == [], "\(ranks) ranks")
      #expect(split.model.float64Parameters == alone.model.float64Parameters, "\(ranks) ranks")
    }
    try SequenceData.writeNoisySine(to: folder.path("sine.h5"), samples: 40, steps: 6)
    let sequence = [
      "--layers", "6x1,lstm5,1", "--data", folder.path("sine.h5"), "--x", "/x", "--y", "/y", "--loss", "mse",
      "--epochs", "2", "--batch-size", "4", "--dtype", "float64",
    ]
    try Self.train(ranks: nil, sequence + ["--checkpoint", folder.path("lstm-alone.h5")])
    try Self.train(ranks: 2, sequence + ["--checkpoint", folder.path("lstm-two.h5")])
    let lstm = try CheckpointComparison.load(folder.path("lstm-alone.h5"))
    #expect(lstm.model.dtype == .float64)
    #expect(CheckpointComparison.differences(lstm, try CheckpointComparison.load(folder.path("lstm-two.h5"))) == [])
  }

  /// L1 and L2 regularizers: the penalty's gradient joins the whole batch's
  /// gradient once, after the ranks' chain, so 3 ranks (and an LSTM's
  /// recurrent kernel on 2) end with the bits of one process.
  @Test func regularizedRunsEndWithTheSameBitsOnThreeRanks() throws {
    let folder = try TemporaryDirectory()
    let run = [
      "--layers", "64,32:tanh:l2=0.01:bias_l1=0.001,10:softmax:l1=0.0005:l2=0.002", "--data", Self.digits,
      "--epochs", "1", "--batch-size", "50",
    ]
    try Self.train(ranks: nil, run + ["--checkpoint", folder.path("alone.h5")])
    try Self.train(ranks: 3, run + ["--checkpoint", folder.path("three.h5")])
    let alone = try CheckpointComparison.load(folder.path("alone.h5"))
    #expect(alone.model.network.layers[0].regularizers.kernel == Regularizer(l2: 0.01))
    #expect(CheckpointComparison.differences(alone, try CheckpointComparison.load(folder.path("three.h5"))) == [])

    try SequenceData.writeNoisySine(to: folder.path("sine.h5"), samples: 40, steps: 6)
    let sequence = [
      "--layers", "6x1,lstm5:recurrent_l1=0.01:l2=0.02:bias_l2=0.05,1", "--data", folder.path("sine.h5"), "--x", "/x",
      "--y", "/y", "--loss", "mse", "--epochs", "2", "--batch-size", "4",
    ]
    try Self.train(ranks: nil, sequence + ["--checkpoint", folder.path("lstm-alone.h5")])
    try Self.train(ranks: 2, sequence + ["--checkpoint", folder.path("lstm-two.h5")])
    #expect(
      CheckpointComparison.differences(
        try CheckpointComparison.load(folder.path("lstm-alone.h5")),
        try CheckpointComparison.load(folder.path("lstm-two.h5"))) == [])
  }

  /// An Elman network with mean squared error, and batches of 2 on 3 ranks:
  /// one rank has no sample in each batch and still applies the update.
  /// iRPROP− trains on whole epochs, so it takes no batch size.
  @Test(arguments: [["adam", "--batch-size", "16"], ["momentum", "--batch-size", "2"], ["rprop"]])
  func recurrentRunsWithIdleRanksEndWithTheSameBits(optimizer: [String]) throws {
    let folder = try TemporaryDirectory()
    try SequenceData.writeNoisySine(to: folder.path("sine.h5"), samples: 48, steps: 6)
    let run =
      [
        "--layers", "6x1,rnn8:tanh,1", "--data", folder.path("sine.h5"), "--x", "/x", "--y", "/y", "--loss", "mse",
        "--epochs", "2", "--optimizer",
      ] + optimizer
    try Self.train(ranks: nil, run + ["--checkpoint", folder.path("alone.h5")])
    try Self.train(ranks: 3, run + ["--checkpoint", folder.path("three.h5")])
    let alone = try CheckpointComparison.load(folder.path("alone.h5"))
    #expect(alone.progress.epoch == 2)
    #expect(CheckpointComparison.differences(alone, try CheckpointComparison.load(folder.path("three.h5"))) == [])
  }

  /// LSTM and GRU layers (the GRU's recurrent bias and its `reset_before`
  /// form included) continue every weight gradient's sum across the ranks:
  /// 3 ranks with batches of 4 end with the bits of one process.
  @Test(arguments: ["6x1,lstm5:seq,gru4,1", "6x1,gru5:reset_before:seq,lstm3,1"])
  func gatedRecurrentRunsEndWithTheSameBitsOnThreeRanks(layers: String) throws {
    let folder = try TemporaryDirectory()
    try SequenceData.writeNoisySine(to: folder.path("sine.h5"), samples: 40, steps: 6)
    let run = [
      "--layers", layers, "--data", folder.path("sine.h5"), "--x", "/x", "--y", "/y", "--loss", "mse",
      "--epochs", "2", "--optimizer", "adam", "--batch-size", "4",
    ]
    try Self.train(ranks: nil, run + ["--checkpoint", folder.path("alone.h5")])
    try Self.train(ranks: 3, run + ["--checkpoint", folder.path("three.h5")])
    let alone = try CheckpointComparison.load(folder.path("alone.h5"))
    #expect(alone.progress.epoch == 2)
    #expect(CheckpointComparison.differences(alone, try CheckpointComparison.load(folder.path("three.h5"))) == [])
  }

  /// Dropout layers after dense layers and on an LSTM's sequence: each
  /// rank draws its samples' masks from their positions in the epoch, so 2
  /// and 3 ranks end with the bits of one process, and a run stopped on 2
  /// ranks resumes on 3 to the same bits.
  @Test func runsWithDropoutEndWithTheSameBitsOnTwoAndThreeRanks() throws {
    let folder = try TemporaryDirectory()
    let dense = [
      "--layers", "64,dropout0.2,32:tanh,dropout0.5,10:softmax", "--data", Self.digits, "--epochs", "2",
    ]
    try Self.train(ranks: nil, dense + ["--checkpoint", folder.path("alone.h5")])
    let alone = try CheckpointComparison.load(folder.path("alone.h5"))
    for ranks in [2, 3] {
      let path = folder.path("ranks-\(ranks).h5")
      try Self.train(ranks: ranks, dense + ["--checkpoint", path])
      #expect(CheckpointComparison.differences(alone, try CheckpointComparison.load(path)) == [], "\(ranks) ranks")
    }
    try Self.train(ranks: 2, dense + ["--checkpoint", folder.path("stopped.h5"), "--stop-after-steps", "50"])
    try Self.train(ranks: 3, ["--resume", folder.path("stopped.h5")])
    #expect(CheckpointComparison.differences(alone, try CheckpointComparison.load(folder.path("stopped.h5"))) == [])
    try SequenceData.writeNoisySine(to: folder.path("sine.h5"), samples: 40, steps: 6)
    let sequence = [
      "--layers", "6x1,lstm5:seq,dropout0.3,gru4,dropout0.25,1", "--data", folder.path("sine.h5"), "--x", "/x", "--y",
      "/y", "--loss", "mse", "--epochs", "2", "--optimizer", "adam", "--batch-size", "4",
    ]
    try Self.train(ranks: nil, sequence + ["--checkpoint", folder.path("sequence-alone.h5")])
    try Self.train(ranks: 3, sequence + ["--checkpoint", folder.path("sequence-three.h5")])
    #expect(
      CheckpointComparison.differences(
        try CheckpointComparison.load(folder.path("sequence-alone.h5")),
        try CheckpointComparison.load(folder.path("sequence-three.h5"))) == [])
  }

  @Test func aBuildWithoutMPIRefusesToRunAsSeveralRanks() throws {
    let folder = try TemporaryDirectory()
    let result = try MPIJob.run(
      ranks: 2, ["train"] + Self.layers + ["--data", Self.digits, "--checkpoint", folder.path("c.h5")],
      executable: BPKitBinary.path)
    #expect(result.status == 2)
    #expect(result.error.contains("this bpkit was built without MPI") && result.error.contains("make mpi"))
    #expect(!FileManager.default.fileExists(atPath: folder.path("c.h5")))
  }
}
