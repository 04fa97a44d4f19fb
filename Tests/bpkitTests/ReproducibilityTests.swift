import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// The same numbers whatever the batch, the way the rows come in and the
/// number of threads (see the README's "Reproducibility").
@Suite struct ReproducibilityTests {
  static let digits = Fixtures.path("datasets/digits.h5")
  static let digitsCSV = Fixtures.path("datasets/digits_test.csv")
  /// Every product split over the threads, however small.
  static let splitEverything = ["BPKIT_KERNELS_SPLIT_MIN": "1"]

  static func bits(ofCSV output: String) -> [UInt32] {
    output.split(separator: "\n").dropFirst().flatMap { $0.split(separator: ",").map { Float(String($0))!.bitPattern } }
  }

  @Test func digitsPredictionsAreTheSameAloneInABatchStreamedAndInBatchesOfSeven() throws {
    let checkpoint = try TrainedModels.digitsCheckpoint
    let model = try BPKitFile.open(URL(fileURLWithPath: checkpoint)).model
    let test = try Dataset.readHDF5(path: Self.digits, inputs: "/test/x", targets: nil)
    let rows = test.inputs.shape[0]
    let inOneBatch = try model.predict(test.inputs).scalars.map(\.bitPattern)
    #expect(inOneBatch.count == rows * 10)

    let predictor = try Predictor(model: model)
    var alone: [UInt32] = []
    for row in 0..<rows {
      let x = Array(test.inputs.scalars[(row * 64)..<((row + 1) * 64)])
      alone += try predictor.predict(x, count: 1).map(\.bitPattern)
    }
    #expect(alone == inOneBatch, "one row at a time")

    let folder = try TemporaryDirectory()
    for (size, threads) in [("7", "1"), ("256", "2"), ("1", "2")] {
      let output = folder.path("predictions-\(size)-\(threads).h5")
      let result = try BPKitBinary.run(
        arguments: [
          "infer", checkpoint, "--input", Self.digits, "--x", "/test/x", "--output", output, "--batch-size", size,
          "--threads", threads,
        ], environment: Self.splitEverything)
      #expect(result.status == 0, "\(result.error)")
      let stored = try HDF5File(openingAtPath: output).root.openDataset("predictions").read(as: Float.self)
      #expect(stored.map(\.bitPattern) == inOneBatch, "infer --batch-size \(size) --threads \(threads)")
    }

    let streamed = try BPKitBinary.run(
      arguments: ["infer", checkpoint, "--input", "-", "--ignore", "label"],
      input: try Data(contentsOf: URL(fileURLWithPath: Self.digitsCSV)))
    #expect(streamed.status == 0, "\(streamed.error)")
    #expect(Self.bits(ofCSV: streamed.output) == inOneBatch, "streamed through standard input")
  }

  /// `--threads 32` under an address-space cap (`ulimit -v`), as shared
  /// machines set one: the helper threads' stacks fit in 4 GB, a helper that
  /// cannot be started under a tighter cap leaves its share to the others,
  /// and the predictions are the same bits as on one thread.
  @Test(arguments: [4 << 20, 1 << 20])
  func manyThreadsUnderAnAddressSpaceCapPredictTheSame(capKiB: Int) throws {
    let checkpoint = try TrainedModels.digitsCheckpoint
    let folder = try TemporaryDirectory()
    var outputs: [[UInt32]] = []
    for threads in ["1", "32"] {
      let output = folder.path("predictions-\(threads).h5")
      let result = try GuardedProcess.run(
        "/bin/sh",
        [
          "-c", "ulimit -v \(capKiB) && exec \"$0\" \"$@\"", BPKitBinary.path, "infer", checkpoint, "--input",
          Self.digits, "--x", "/test/x", "--output", output, "--batch-size", "360", "--threads", threads,
        ], timeout: 120, environment: Self.splitEverything)
      #expect(result.status == 0, "--threads \(threads) under \(capKiB) KiB: \(result.ending): \(result.error)")
      outputs.append(
        try HDF5File(openingAtPath: output).root.openDataset("predictions").read(as: Float.self).map(\.bitPattern))
    }
    #expect(outputs[0].count == 360 * 10)
    #expect(outputs[1] == outputs[0])
  }

  @Test func trainingOnOneAndOnTwoThreadsGivesTheSameWeights() throws {
    let folder = try TemporaryDirectory()
    for threads in ["1", "2"] {
      let result = try BPKitBinary.run(
        arguments: [
          "train", "--layers", "64,32:tanh,10:softmax", "--data", Self.digits, "--optimizer", "adam", "--epochs", "2",
          "--batch-size", "40", "--threads", threads, "--checkpoint", folder.path("\(threads).h5"), "--quiet",
        ], environment: Self.splitEverything)
      #expect(result.status == 0, "\(result.error)")
    }
    let one = try CheckpointComparison.load(folder.path("1.h5"))
    let two = try CheckpointComparison.load(folder.path("2.h5"))
    #expect(CheckpointComparison.differences(one, two) == [])
  }

  /// The built binary, with `BPKIT_KERNELS` naming each path this CPU runs
  /// (on this project's machine: AVX-512, AVX2 and the portable one), trains
  /// to the same weights and predicts the same bits as on the best path.
  @Test(arguments: Kernels.supported)
  func theEnvironmentForcesEachPathAndEveryPathGivesTheSameBits(path: Kernels.Path) throws {
    let checkpoint = try TrainedModels.digitsCheckpoint
    let model = try BPKitFile.open(URL(fileURLWithPath: checkpoint)).model
    let test = try Dataset.readHDF5(path: Self.digits, inputs: "/test/x", targets: nil)
    let expected = try Kernels.with(path: Kernels.best) { try model.predict(test.inputs).scalars.map(\.bitPattern) }
    let folder = try TemporaryDirectory()
    let forced = Self.splitEverything.merging(["BPKIT_KERNELS": path.rawValue]) { $1 }
    let output = folder.path("predictions.h5")
    let inferred = try BPKitBinary.run(
      arguments: [
        "infer", checkpoint, "--input", Self.digits, "--x", "/test/x", "--output", output, "--batch-size", "33",
        "--threads", "2",
      ], environment: forced)
    #expect(inferred.status == 0, "\(inferred.error)")
    let stored = try HDF5File(openingAtPath: output).root.openDataset("predictions").read(as: Float.self)
    #expect(stored.map(\.bitPattern) == expected, "infer with BPKIT_KERNELS=\(path)")

    for (name, environment) in [("forced", forced), ("best", Self.splitEverything)] {
      let result = try BPKitBinary.run(
        arguments: [
          "train", "--layers", "64,16:tanh,10:softmax", "--data", Self.digits, "--optimizer", "adam", "--epochs", "1",
          "--batch-size", "50", "--threads", "2", "--checkpoint", folder.path("\(name).h5"), "--quiet",
        ], environment: environment)
      #expect(result.status == 0, "\(result.error)")
    }
    let forcedRun = try CheckpointComparison.load(folder.path("forced.h5"))
    let bestRun = try CheckpointComparison.load(folder.path("best.h5"))
    #expect(CheckpointComparison.differences(forcedRun, bestRun) == [], "train with BPKIT_KERNELS=\(path)")
  }

  /// `--dtype float64` runs on each path `BPKIT_KERNELS` forces (the Double
  /// kernels' AVX-512, AVX2 and portable paths), with every product split
  /// over 2 threads: a dense and an Elman network train to the float64
  /// weights and slots of the best path, bit for bit, and predict its bits.
  @Test(arguments: Kernels.supported)
  func float64RunsOnEachForcedPathGiveTheSameBits(path: Kernels.Path) throws {
    let folder = try TemporaryDirectory()
    let forced = Self.splitEverything.merging(["BPKIT_KERNELS": path.rawValue]) { $1 }
    let adding = Fixtures.path("datasets/adding.h5")
    for (name, layers, data, loss) in [
      ("dense", "64,48:tanh,10:softmax", Self.digits, "cross-entropy"), ("elman", "8x2,rnn24:tanh,1", adding, "mse"),
    ] {
      var predictions: [[UInt64]] = []
      for (run, environment) in [("forced", forced), ("best", Self.splitEverything)] {
        let checkpoint = folder.path("\(name)-\(run).h5")
        let trained = try BPKitBinary.run(
          arguments: [
            "train", "--layers", layers, "--data", data, "--loss", loss, "--dtype", "float64", "--optimizer", "adam",
            "--epochs", "1", "--batch-size", "50", "--threads", "2", "--checkpoint", checkpoint, "--quiet",
          ], environment: environment)
        #expect(trained.status == 0, "\(trained.error)")
        let output = folder.path("\(name)-\(run)-predictions.h5")
        let inferred = try BPKitBinary.run(
          arguments: [
            "infer", checkpoint, "--input", data, "--x", "/test/x", "--output", output, "--batch-size", "33",
            "--threads", "2",
          ], environment: environment)
        #expect(inferred.status == 0, "\(inferred.error)")
        predictions.append(
          try HDF5File(openingAtPath: output).root.openDataset("predictions").read(as: Double.self).map(\.bitPattern))
      }
      let forcedRun = try CheckpointComparison.load(folder.path("\(name)-forced.h5"))
      let bestRun = try CheckpointComparison.load(folder.path("\(name)-best.h5"))
      #expect(forcedRun.model.dtype == .float64)
      #expect(CheckpointComparison.differences(forcedRun, bestRun) == [], "\(name) with BPKIT_KERNELS=\(path)")
      #expect(predictions[0] == predictions[1] && !predictions[0].isEmpty, "\(name) with BPKIT_KERNELS=\(path)")
    }
  }

  @Test func anUnknownKernelPathIsRefusedInOneLine() throws {
    let result = try BPKitBinary.run(
      arguments: ["infer", try TrainedModels.digitsCheckpoint, "--input", Self.digits, "--x", "/test/x", "--argmax"],
      environment: ["BPKIT_KERNELS": "sse9"])
    #expect(result.status == 2)
    #expect(result.error.contains("BPKIT_KERNELS=sse9 names no kernel path this CPU runs"))
    #expect(result.output.isEmpty)
  }
}
