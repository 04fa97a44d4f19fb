import BPKit
import Foundation
import Testing
import _BPKitTestSupport

@Suite struct TrainCommandTests {
  static let digits = Fixtures.path("datasets/digits.h5")
  static let digitsArguments = [
    "--layers", "64,64:relu,10:softmax", "--data", digits, "--optimizer", "momentum", "--lr", "0.1", "--quiet",
  ]

  /// Every product split over the threads, however small, so that a thread
  /// count is felt by these small networks.
  static let splitEverything = ["BPKIT_KERNELS_SPLIT_MIN": "1"]

  func train(_ arguments: [String]) throws -> ProcessResult {
    let result = try BPKitBinary.run(arguments: ["train"] + arguments, environment: Self.splitEverything)
    #expect(result.status == 0, "bpkit train failed: \(result.error)")
    return result
  }

  @Test func digitsReachTheAccuracyTarget() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = folder.path("digits.ckpt.h5")
    _ = try train(Self.digitsArguments + ["--epochs", "30", "--checkpoint", checkpoint])
    let evaluation = try BPKitBinary.run(
      "infer", checkpoint, "--input", Self.digits, "--x", "/test/x", "--labels", "/test/y", "--metrics-only")
    #expect(evaluation.status == 0)
    let line = try #require(evaluation.output.split(separator: "\n").first { $0.hasPrefix("accuracy: ") })
    let accuracy = try #require(Double(line.dropFirst("accuracy: ".count).dropLast()))
    #expect(accuracy >= 97.5)
    let stored = try CheckpointComparison.load(checkpoint)
    #expect(stored.progress.history.count == 30)
    #expect(stored.validationData == nil)
    #expect(stored.data?.path == Self.digits)
    #expect(stored.data?.sampleCount == 1437)
  }

  /// Interrupted at an epoch boundary and in the middle of an epoch, each
  /// resumed run ends with bitwise the same weights and optimizer slots, on
  /// another number of threads than it started with.
  @Test(arguments: ["momentum", "adam"])
  func resumedDenseRunsEqualTheUninterruptedRun(optimizer: String) throws {
    let folder = try TemporaryDirectory()
    let common = [
      "--layers", "64,32:tanh,10:softmax", "--data", Self.digits, "--optimizer", optimizer, "--epochs", "4",
      "--batch-size", "50", "--quiet",
    ]
    _ = try train(common + ["--checkpoint", folder.path("whole.h5"), "--threads", "1"])
    _ = try train(common + ["--checkpoint", folder.path("boundary.h5"), "--epochs", "2", "--threads", "2"])
    _ = try train(["--resume", folder.path("boundary.h5"), "--epochs", "4", "--quiet", "--threads", "1"])
    _ = try train(common + ["--checkpoint", folder.path("middle.h5"), "--stop-after-steps", "40", "--threads", "1"])
    let stopped = try CheckpointComparison.load(folder.path("middle.h5"))
    #expect(stopped.progress.epoch == 1 && stopped.progress.stepInEpoch == 11)
    _ = try train(["--resume", folder.path("middle.h5"), "--quiet", "--threads", "2"])
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    #expect(CheckpointComparison.differences(whole, try CheckpointComparison.load(folder.path("boundary.h5"))) == [])
    #expect(CheckpointComparison.differences(whole, try CheckpointComparison.load(folder.path("middle.h5"))) == [])
  }

  @Test(arguments: ["momentum", "adam"])
  func resumedElmanRunsEqualTheUninterruptedRun(optimizer: String) throws {
    let folder = try TemporaryDirectory()
    let data = folder.path("sine.h5")
    try SequenceData.writeNoisySine(to: data)
    let common = [
      "--layers", "12x1,rnn8:tanh,1", "--data", data, "--x", "/x", "--y", "/y", "--optimizer", optimizer,
      "--epochs", "3", "--batch-size", "16", "--bptt-steps", "6", "--quiet",
    ]
    _ = try train(common + ["--checkpoint", folder.path("whole.h5"), "--threads", "2"])
    _ = try train(common + ["--checkpoint", folder.path("boundary.h5"), "--epochs", "1", "--threads", "1"])
    _ = try train(["--resume", folder.path("boundary.h5"), "--epochs", "3", "--quiet", "--threads", "2"])
    _ = try train(common + ["--checkpoint", folder.path("middle.h5"), "--stop-after-steps", "21", "--threads", "2"])
    _ = try train(["--resume", folder.path("middle.h5"), "--quiet", "--threads", "1"])
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    #expect(whole.configuration.loss == .meanSquaredError)
    #expect(CheckpointComparison.differences(whole, try CheckpointComparison.load(folder.path("boundary.h5"))) == [])
    #expect(CheckpointComparison.differences(whole, try CheckpointComparison.load(folder.path("middle.h5"))) == [])
  }

  /// LSTM and GRU runs, stopped at an epoch boundary and in the middle of an
  /// epoch (truncated BPTT, threads changed on resume), end bit for bit where
  /// the uninterrupted run ends.
  @Test(arguments: ["12x1,lstm8,1", "12x1,gru8:seq,gru6:reset_before:recurrent=hard_sigmoid,1"], ["momentum", "adam"])
  func resumedLSTMAndGRURunsEqualTheUninterruptedRun(layers: String, optimizer: String) throws {
    let folder = try TemporaryDirectory()
    let data = folder.path("sine.h5")
    try SequenceData.writeNoisySine(to: data)
    let common = [
      "--layers", layers, "--data", data, "--x", "/x", "--y", "/y", "--optimizer", optimizer, "--epochs", "3",
      "--batch-size", "16", "--bptt-steps", "5", "--quiet",
    ]
    _ = try train(common + ["--checkpoint", folder.path("whole.h5"), "--threads", "2"])
    _ = try train(common + ["--checkpoint", folder.path("boundary.h5"), "--epochs", "1", "--threads", "1"])
    _ = try train(["--resume", folder.path("boundary.h5"), "--epochs", "3", "--quiet", "--threads", "2"])
    _ = try train(common + ["--checkpoint", folder.path("middle.h5"), "--stop-after-steps", "21", "--threads", "2"])
    _ = try train(["--resume", folder.path("middle.h5"), "--quiet", "--threads", "1"])
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    #expect(whole.model.network.layers.allSatisfy { $0.kind.isRecurrent || $0.name.hasPrefix("dense") })
    #expect(whole.progress.epoch == 3)
    #expect(CheckpointComparison.differences(whole, try CheckpointComparison.load(folder.path("boundary.h5"))) == [])
    #expect(CheckpointComparison.differences(whole, try CheckpointComparison.load(folder.path("middle.h5"))) == [])
  }

  /// Streaming from HDF5 visits the samples in the same order as reading them
  /// into memory, so both train to the same bits, and either can resume the other.
  @Test func streamedTrainingEqualsInMemoryTraining() throws {
    let folder = try TemporaryDirectory()
    let common = Self.digitsArguments + ["--epochs", "3", "--validation-split", "0.2"]
    _ = try train(common + ["--checkpoint", folder.path("memory.h5")])
    _ = try train(common + ["--checkpoint", folder.path("streamed.h5"), "--stream"])
    _ = try train(common + ["--checkpoint", folder.path("mixed.h5"), "--stream", "--stop-after-steps", "50"])
    _ = try train(["--resume", folder.path("mixed.h5"), "--quiet"])
    let memory = try CheckpointComparison.load(folder.path("memory.h5"))
    #expect(CheckpointComparison.differences(memory, try CheckpointComparison.load(folder.path("streamed.h5"))) == [])
    #expect(CheckpointComparison.differences(memory, try CheckpointComparison.load(folder.path("mixed.h5"))) == [])
    let validation = try CheckpointComparison.load(folder.path("streamed.h5")).progress.history.map(\.validationLoss)
    #expect(validation == memory.progress.history.map(\.validationLoss))
  }

  @Test func sigtermWritesACheckpointThatResumesToTheSameWeights() throws {
    let folder = try TemporaryDirectory()
    let arguments = [
      "--layers", "64,64:relu,10:softmax", "--data", Self.digits, "--optimizer", "momentum", "--lr", "0.1",
      "--epochs", "20", "--batch-size", "8",
    ]
    _ = try train(arguments + ["--quiet", "--checkpoint", folder.path("whole.h5")])
    let process = Process()
    process.executableURL = URL(fileURLWithPath: BPKitBinary.path)
    process.arguments =
      ["train"] + arguments + ["--checkpoint", folder.path("stopped.h5"), "--checkpoint-every", "1000"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = Pipe()
    try process.run()
    // Signal only once training has started (the first line says so), as a user would.
    var seen = Data()
    while !seen.contains(UInt8(ascii: "\n")) {
      let chunk = output.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      seen.append(chunk)
    }
    usleep(200_000)
    process.terminate()
    process.waitUntilExit()
    let text = String(decoding: seen + output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 143)
    #expect(text.contains("resume with: bpkit train --resume \(folder.path("stopped.h5"))"))
    let stopped = try CheckpointComparison.load(folder.path("stopped.h5"))
    #expect(stopped.progress.epoch < 20)
    _ = try train(["--resume", folder.path("stopped.h5"), "--quiet"])
    #expect(
      CheckpointComparison.differences(
        try CheckpointComparison.load(folder.path("whole.h5")), try CheckpointComparison.load(folder.path("stopped.h5"))
      )
        == [])
  }

  @Test func resumeRefusesChangedDataUnlessAllowed() throws {
    let folder = try TemporaryDirectory()
    let data = folder.path("iris.csv")
    try FileManager.default.copyItem(atPath: Fixtures.path("datasets/iris.csv"), toPath: data)
    let checkpoint = folder.path("iris.h5")
    _ = try train([
      "--layers", "4,8:tanh,3:softmax", "--data", data, "--target", "species", "--epochs", "2", "--checkpoint",
      checkpoint, "--quiet",
    ])
    try (try String(contentsOfFile: data, encoding: .utf8) + "5.0,3.0,1.0,0.1,0\n").write(
      toFile: data, atomically: true, encoding: .utf8)
    let before = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
    let refused = try BPKitBinary.run(
      "train", "--resume", checkpoint, "--epochs", "3", "--data", data, "--target", "species")
    #expect(refused.status == 3)
    #expect(refused.error.contains("the training data has changed"))
    #expect(refused.error.contains("--allow-data-change"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: checkpoint)) == before)
    _ = try train([
      "--resume", checkpoint, "--epochs", "3", "--data", data, "--target", "species", "--allow-data-change", "--quiet",
    ])
    let resumed = try CheckpointComparison.load(checkpoint)
    #expect(resumed.progress.history.last?.notes.first?.contains("training data changed") == true)
  }

  @Test func changedLearningRateIsNotedInTheHistory() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = folder.path("lr.h5")
    _ = try train(Self.digitsArguments + ["--epochs", "1", "--checkpoint", checkpoint])
    _ = try train(["--resume", checkpoint, "--epochs", "2", "--lr", "0.05", "--quiet"])
    let history = try CheckpointComparison.load(checkpoint).progress.history
    #expect(history[1].learningRate == 0.05)
    #expect(history[1].notes == ["learning rate changed from 0.1 to 0.05"])
    let refused = try BPKitBinary.run("train", "--resume", checkpoint, "--epochs", "3", "--optimizer", "adam")
    #expect(refused.status == 2)
    #expect(refused.error.contains("cannot change on resume"))
  }

  @Test func divergenceStopsAndKeepsTheLastGoodCheckpoint() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = folder.path("diverge.h5")
    let arguments = [
      "--layers", "4,16:relu,1", "--data", Fixtures.path("datasets/iris.csv"), "--target", "species",
      "--optimizer", "sgd", "--checkpoint", checkpoint, "--quiet",
    ]
    _ = try train(arguments + ["--epochs", "1", "--lr", "0.001"])
    let good = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
    let result = try BPKitBinary.run(arguments: ["train", "--resume", checkpoint, "--epochs", "50", "--lr", "1e30"])
    #expect(result.status == 5)
    #expect(result.error.contains("training diverged"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: checkpoint)) == good)
  }

  @Test func logJsonWritesOneObjectPerEpoch() throws {
    let folder = try TemporaryDirectory()
    _ = try train(
      Self.digitsArguments + [
        "--epochs", "3", "--checkpoint", folder.path("c.h5"), "--log-json", folder.path("log.jsonl"),
        "--validation-split", "0.2",
      ])
    let lines = try String(contentsOfFile: folder.path("log.jsonl"), encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 3)
    let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
    #expect(first?["epoch"] as? Int == 1)
    #expect(first?["validation_loss"] is Double)
  }

  @Test func plainOutputHasOneLinePerEpoch() throws {
    let folder = try TemporaryDirectory()
    let result = try BPKitBinary.run(
      arguments: [
        "train", "--layers", "64,10:softmax", "--data", Self.digits, "--epochs", "2", "--checkpoint",
        folder.path("c.h5"),
      ])
    #expect(result.status == 0)
    let lines = result.output.split(separator: "\n")
    #expect(lines.filter { $0.hasPrefix("epoch ") }.count == 2)
    #expect(!result.output.contains("\r"))
  }

  @Test func keepAndSaveBestWriteTheirFiles() throws {
    let folder = try TemporaryDirectory()
    _ = try train(
      Self.digitsArguments + [
        "--epochs", "4", "--checkpoint", folder.path("run.h5"), "--keep", "3", "--save-best",
        "--validation-split", "0.1",
      ])
    for name in ["run.h5", "run.1.h5", "run.2.h5", "run.best.h5"] {
      #expect(FileManager.default.fileExists(atPath: folder.path(name)), "\(name) is missing")
    }
    #expect(!FileManager.default.fileExists(atPath: folder.path("run.3.h5")))
    #expect(try CheckpointComparison.load(folder.path("run.2.h5")).progress.epoch == 2)
  }

  @Test func standardizeStoresTheScalingInTheModel() throws {
    let folder = try TemporaryDirectory()
    _ = try train([
      "--layers", "4,8:tanh,3:softmax", "--data", Fixtures.path("datasets/iris.csv"), "--target", "species",
      "--standardize", "--epochs", "1", "--checkpoint", folder.path("s.h5"), "--quiet",
    ])
    let model = try CheckpointComparison.load(folder.path("s.h5")).model
    #expect(model.network.layers.first?.kind == .standardize)
    let mean = try #require(model.parameters[ParameterKey(layer: "standardize", name: "mean")])
    #expect(abs(mean.scalars[0] - 5.8433) < 1e-3)
    _ = try train([
      "--layers", "4,std,8:tanh,3:softmax", "--data", Fixtures.path("datasets/iris.csv"), "--target", "species",
      "--standardize", "--epochs", "1", "--checkpoint", folder.path("t.h5"), "--quiet",
    ])
    let filled = try CheckpointComparison.load(folder.path("t.h5")).model
    #expect(filled.network.layers.filter { $0.kind == .standardize }.count == 1)
    #expect(filled.parameters[ParameterKey(layer: "standardize_1", name: "mean")]?.scalars == mean.scalars)
  }
}

@Suite struct TrainValidationResumeTests {
  /// A run validated on its own file keeps validating after `--resume` alone.
  @Test func resumeBringsBackTheValidationData() throws {
    let folder = try TemporaryDirectory()
    let digits = Fixtures.path("datasets/digits.h5")
    let arguments = [
      "--layers", "64,16:relu,10:softmax", "--data", digits, "--validation", digits, "--quiet",
    ]
    let whole = try BPKitBinary.run(
      arguments: ["train"] + arguments + ["--epochs", "4", "--checkpoint", folder.path("w.h5")])
    #expect(whole.status == 0, "\(whole.error)")
    let half = try BPKitBinary.run(
      arguments: ["train"] + arguments + ["--epochs", "2", "--checkpoint", folder.path("h.h5")])
    #expect(half.status == 0, "\(half.error)")
    let stopped = try CheckpointComparison.load(folder.path("h.h5"))
    #expect(stopped.validationData?.path == digits)
    #expect(stopped.validationData?.inputs == "/test/x")
    let resumed = try BPKitBinary.run("train", "--resume", folder.path("h.h5"), "--epochs", "4", "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)")
    let history = try CheckpointComparison.load(folder.path("h.h5")).progress.history
    #expect(history.allSatisfy { $0.validationLoss != nil })
    #expect(
      history.map(\.validationLoss)
        == (try CheckpointComparison.load(folder.path("w.h5"))).progress.history.map(\.validationLoss))
  }
}
