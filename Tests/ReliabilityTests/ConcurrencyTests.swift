import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Many threads on one loaded model, and readers racing a writing trainer.
@Suite struct ConcurrencyTests {
  /// 8 threads each predicting every batch on one model loaded from a file
  /// get exactly the bits one thread gets.
  @Test(arguments: ["64,128:relu,64:tanh,10:softmax", "12x3,rnn16:tanh:seq,rnn8:tanh,4:sigmoid"])
  func eightThreadsPredictLikeOne(layers: String) throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-threads")
    let url = folder.url.appendingPathComponent("model.h5")
    try Model(initializing: try NetworkDescription(layerSpecification: layers), seed: 11).write(to: url)
    let model = try BPKitFile.open(url).model
    let width: Int
    switch model.network.input {
    case .vector(let features): width = features
    case .sequence(let steps, let features): width = (steps ?? 1) * features
    }
    var random = Xoshiro256StarStar(seed: ReliabilityMode.seed)
    let batches = (0..<16).map { index in
      let count = 1 + index * 5
      let shape: [Int] =
        if case .sequence(let steps, let features) = model.network.input {
          [count, steps ?? 1, features]
        } else { [count, width] }
      return Tensor(shape: shape, scalars: (0..<(count * width)).map { _ in random.nextFloat() * 2 - 1 })
    }
    let expected = try batches.map { try model.predict($0).scalars.map(\.bitPattern) }
    let rounds = ReliabilityMode.current.pick(quick: 10, long: 200)
    let mismatches = LockedCounter()
    let failures = LockedCounter()
    DispatchQueue.concurrentPerform(iterations: 8) { thread in
      for round in 0..<rounds {
        // Each thread walks the batches in its own order, so different
        // shapes run side by side.
        for offset in 0..<batches.count {
          let index = (offset * (thread + 1) + round) % batches.count
          guard let output = try? model.predict(batches[index]) else {
            _ = failures.take(below: .max)
            continue
          }
          if output.scalars.map(\.bitPattern) != expected[index] { _ = mismatches.take(below: .max) }
        }
      }
    }
    #expect(mismatches.taken == 0 && failures.taken == 0)
    ReliabilityReport.record(
      "8 threads predicting on one loaded model (\(layers)): \(8 * rounds * batches.count) predictions, "
        + "\(mismatches.taken) differing from one thread, \(failures.taken) failed")
  }

  /// While `bpkit train` writes a checkpoint every step, readers load it
  /// over and over: every load finds a complete file, and progress never
  /// goes backwards.
  @Test func readersAlwaysFindACompleteCheckpoint() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-race")
    let checkpoint = folder.path("run.ckpt.h5")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: BPKitBinary.path)
    process.arguments = [
      "train", "--layers", "4,8:tanh,3:softmax", "--data", ValidFiles.irisCSV, "--target", "species", "--batch-size",
      "5", "--epochs", "\(ReliabilityMode.current.pick(quick: 16, long: 40))", "--checkpoint-every-steps", "1",
      "--checkpoint", checkpoint, "--quiet",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    var loads = 0, failures: [String] = [], regressions = 0, binaryLoads = 0
    var last = (epoch: 0, step: 0)
    while process.isRunning {
      guard FileManager.default.fileExists(atPath: checkpoint) else {
        usleep(1000)
        continue
      }
      do {
        let loaded = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
        loads += 1
        let now = (loaded.progress.epoch, loaded.progress.stepInEpoch)
        if now < last { regressions += 1 }
        last = now
      } catch {
        failures.append("\(error)")
      }
      // Now and then a whole bpkit process reads it too.
      if loads % 10 == 0 {
        let infer = try GuardedProcess.run(
          BPKitBinary.path,
          [
            "infer", checkpoint, "--input", ValidFiles.irisCSV, "--ignore", "species", "--output",
            folder.path("predictions.csv"),
          ],
          timeout: ReliabilityMode.timeout)
        binaryLoads += 1
        if infer.status != 0 { failures.append("bpkit infer: \(infer.ending) \(infer.error)") }
      }
    }
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(failures == [], "\(failures.prefix(5))")
    #expect(regressions == 0)
    #expect(loads > 10, "the reader never raced the writer")
    ReliabilityReport.record(
      "reader racing the trainer: \(loads) loads in the library and \(binaryLoads) by bpkit infer, "
        + "\(failures.count) incomplete or failed, \(regressions) going backwards")
  }
}
