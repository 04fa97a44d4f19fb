import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Integers and floats from flags and data that once trapped bpkit (SIGILL,
/// exit 132) on an overflow: each is range-checked where it enters and
/// refused with one line.
@Suite struct IntegerRangeTests {
  @Test(arguments: ["3037000500,3037000500", "64,1000000000000:relu,10:softmax", "16777217,2"])
  func layerSizesBeyondTheLimitsAreRefused(layers: String) throws {
    // In a folder of its own: the cases run at once, and each would
    // otherwise claim the same default checkpoint.
    let folder = try TemporaryDirectory()
    let result = try GuardedProcess.run(
      BPKitBinary.path,
      ["train", "--layers", layers, "--data", Fixtures.path("datasets/digits.h5"), "--epochs", "1", "--quiet"],
      timeout: 60, currentDirectory: folder.url.path)
    #expect(result.status == 2 || result.status == 3, "\(result.ending): \(result.error.suffix(300))")
    #expect(result.errorLines.count == 1)
    #expect(result.error.contains("limit of"))
  }

  @Test func aClassLabelBeyondIntsRangeIsRefused() throws {
    let folder = try TemporaryDirectory()
    let csv = folder.path("labels.csv")
    let features = (0..<64).map { "f\($0)" }.joined(separator: ",")
    let row = (0..<64).map { _ in "0" }.joined(separator: ",")
    try "\(features),label\n\(row),1e20\n".write(toFile: csv, atomically: true, encoding: .utf8)
    let result = try GuardedProcess.run(
      BPKitBinary.path,
      ["infer", try TrainedModels.digitsCheckpoint, "--input", csv, "--labels", "label", "--metrics-only"],
      timeout: 60)
    #expect(result.status == 3, "\(result.ending): \(result.error.suffix(300))")
    #expect(result.errorLines.count == 1)
    #expect(result.error.contains("is not a whole number in 0..<10"))
  }

  /// Checkpoints bpkit itself writes and seals, holding values that once
  /// trapped the command reading them: each is refused on load, in one line
  /// naming the value, with the bad-data exit code.
  @Test(arguments: [
    ("epoch Int64.max", ["inspect"], "/progress@epoch"),
    ("elapsed_seconds 1e19", ["inspect"], "/progress@elapsed_seconds"),
    ("losses spanning ±1.7e308", ["plot", "-o", "curves.svg"], "/history/train_loss"),
    ("iterations Int64.max", ["train", "--resume"], "/optimizer@iterations"),
    ("batch_size Int64.max", ["train", "--resume"], "/training@batch_size"),
    ("created_at_unix NaN", ["inspect"], "/@created_at_unix"),
    ("validation_split inf", ["train", "--resume"], "/training@validation_split"),
  ])
  func checkpointValuesOutOfTheirDomainAreRefused(change: String, command: [String], place: String) throws {
    let folder = try TemporaryDirectory()
    var checkpoint = FormatSamples.checkpoint(try FormatSamples.model(FormatSamples.denseNetwork()))
    switch change {
    case "epoch Int64.max": checkpoint.progress.epoch = .max
    case "elapsed_seconds 1e19": checkpoint.progress.elapsedSeconds = 1e19
    case "losses spanning ±1.7e308":
      checkpoint.progress.history[0].trainLoss = 1.7e308
      checkpoint.progress.history[1].trainLoss = -1.7e308
    case "iterations Int64.max": checkpoint.optimizer.iterations = .max
    case "batch_size Int64.max": checkpoint.configuration.batchSize = .max
    case "created_at_unix NaN": break
    default: checkpoint.configuration.validationSplit = .infinity
    }
    let path = folder.path("run.ckpt.h5")
    try checkpoint.write(to: URL(fileURLWithPath: path))
    if change == "created_at_unix NaN" {
      // Only another tool writes this one; sealed again, as a crafted file would be.
      let file = try HDF5File(openingAtPath: path, mode: .readWrite)
      try file.root.setAttribute("created_at_unix", to: Double.nan)
      try file.close()
      try FileSeal.reseal(path)
    }
    let arguments = command.count == 2 ? command + [path] : [command[0], path] + command.dropFirst()
    let result = try GuardedProcess.run(BPKitBinary.path, arguments, timeout: 60, currentDirectory: folder.url.path)
    #expect(result.status == 3, "\(result.ending): \(result.error.suffix(300))")
    #expect(result.errorLines.count == 1)
    #expect(result.error.contains(place), "\(result.error)")
  }

  @Test func theNetworkDescriptionRefusesTotalsBeyondTheElementLimit() throws {
    let network = NetworkDescription(
      input: .vector(features: 1 << 16),
      layers: [Layer(name: "wide", kind: .dense(units: 1 << 16, activation: .linear, useBias: false))])
    expectReason(
      ModelError.sizeTooLarge(
        layer: "wide", what: "the weights' element count", value: 1 << 32, limit: NetworkDescription.maximumElements)
    ) { try network.parameterSpecs() }
  }
}
