import BPKit
import Foundation
import Testing
import _BPKitTestSupport

@Suite struct InspectCommandTests {
  func inspect(_ arguments: String...) throws -> ProcessResult {
    try BPKitBinary.run(arguments: ["inspect"] + arguments)
  }

  @Test func aCheckpointsTableAndRun() throws {
    let path = try TrainedModels.validatedDigitsCheckpoint
    let result = try inspect(path)
    #expect(result.status == 0, "\(result.error)")
    let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
    #expect(
      lines[0]
        == "\(path): bpkit checkpoint, HDF5 format \(FormatVersion.current), \(String(format: "%.1f", Double(size) / 1024)) KiB"
    )
    #expect(lines[2] == "Layer    Kind   Output shape  Activation  Parameters")
    #expect(lines[4] == "input    input  (None, 64)                         0")
    #expect(lines[5] == "dense_1  dense  (None, 64)    relu             4,160")
    #expect(lines[6] == "dense_2  dense  (None, 10)    softmax            650")
    #expect(lines[8] == "Total parameters: 4,810")
    // 1437 samples in batches of 32 make 45 updates an epoch.
    #expect(lines[10] == "Optimizer   momentum (learning_rate 0.1, momentum 0.9), 270 iterations, slots momentum")
    #expect(lines[11] == "Loss        cross_entropy, batch size 32, seed 1")
    #expect(lines[12] == "Progress    epoch 6 of 6")
    #expect(lines[13].hasPrefix("Last epoch  6: train loss "))
    #expect(lines[13].contains("; validation loss "))
    #expect(lines[14].hasPrefix("Best epoch  "))
    #expect(
      lines[15].hasPrefix("Data        \(Fixtures.path("datasets/digits.h5")) (/train/x, /train/y), 1,437 samples"))
    #expect(
      lines[16].hasPrefix("Validation  \(Fixtures.path("datasets/digits.h5")) (/test/x, /test/y), 360 samples"))
    #expect(lines[17].hasPrefix("Elapsed     "))
    #expect(lines[18].hasPrefix("Written     ") && lines[18].hasSuffix("by bpkit \(BPKitVersion.current)"))
  }

  @Test func jsonIsOneObjectWithTheSameFigures() throws {
    let path = try TrainedModels.validatedDigitsCheckpoint
    let result = try inspect(path, "--json")
    #expect(result.status == 0, "\(result.error)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
    #expect(object["kind"] as? String == "checkpoint")
    #expect(object["format"] as? String == "hdf5")
    #expect(object["format_version"] as? String == FormatVersion.current.description)
    let model = try #require(object["model"] as? [String: Any])
    #expect(model["total_parameters"] as? Int == 4810)
    let layers = try #require(model["layers"] as? [[String: Any]])
    #expect(layers.map { $0["output_shape"] as? String } == ["(None, 64)", "(None, 10)"])
    let optimizer = try #require(object["optimizer"] as? [String: Any])
    #expect(optimizer["iterations"] as? Int == 270)
    #expect((optimizer["hyperparameters"] as? [String: Double])?["learning_rate"] == 0.1)
    let run = try #require(object["checkpoint"] as? [String: Any])
    #expect(run["epoch"] as? Int == 6)
    let checkpoint = try Checkpoint(contentsOf: URL(fileURLWithPath: path))
    let last = try #require(run["last"] as? [String: Any])
    // Foundation's JSON parser may round the last digit; the text holds the shortest exact form.
    let validationLoss = try #require(checkpoint.progress.history.last?.validationLoss)
    #expect(abs((last["validation_loss"] as? Double ?? 0) - validationLoss) <= 1e-15)
    #expect(result.output.contains("\"validation_loss\" : \(validationLoss)"))
    let best = checkpoint.progress.history.min { $0.validationLoss! < $1.validationLoss! }!
    #expect((run["best"] as? [String: Any])?["epoch"] as? Int == best.epoch)
    #expect((run["data"] as? [String: Any])?["sample_count"] as? Int == 1437)
  }

  @Test func aModelFileHasNoOptimizerOrRun() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("model.h5")
    try Checkpoint(contentsOf: URL(fileURLWithPath: try TrainedModels.validatedDigitsCheckpoint)).model
      .write(to: URL(fileURLWithPath: path))
    let text = try inspect(path)
    #expect(text.status == 0)
    #expect(text.output.hasPrefix("\(path): bpkit model, HDF5 format \(FormatVersion.current), "))
    #expect(text.output.hasSuffix("Total parameters: 4,810\n"))
    let json = try inspect(path, "--json")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
    #expect(object["kind"] as? String == "model")
    #expect(object["optimizer"] is NSNull && object["checkpoint"] is NSNull)
  }

  @Test func aRecurrentRegressionCheckpoint() throws {
    let result = try inspect(try TrainedModels.sequenceCheckpoint)
    #expect(result.status == 0, "\(result.error)")
    let lines = result.output.split(separator: "\n").map(String.init)
    // 1·8 + 8·8 + 8 for the Elman layer, 8 + 1 for the dense one.
    #expect(lines.contains("input    input  (None, 12, 1)                       0"))
    #expect(lines.contains("elman_1  elman  (None, 8)      tanh                80"))
    #expect(lines.contains("dense_1  dense  (None, 1)      linear               9"))
    #expect(lines.contains { $0.hasPrefix("Loss        mse, ") })
    let last = try #require(lines.first { $0.hasPrefix("Last epoch  2: train loss ") })
    #expect(!last.contains("accuracy"), "a regression has no accuracy")
  }

  @Test func aJSONCheckpointShowsTheSameRun() throws {
    let folder = try TemporaryDirectory()
    let json = folder.path("run.json")
    let checkpoint = try TrainedModels.validatedDigitsCheckpoint
    #expect(try BPKitBinary.run("convert", checkpoint, json).status == 0)
    let fromJSON = try inspect(json)
    #expect(fromJSON.status == 0, "\(fromJSON.error)")
    #expect(fromJSON.output.hasPrefix("\(json): bpkit checkpoint, JSON format 1, "))
    // Everything below the first line (path, format, size) is the same run.
    let fromHDF5 = try inspect(checkpoint)
    #expect(fromJSON.output.split(separator: "\n").dropFirst() == fromHDF5.output.split(separator: "\n").dropFirst())
  }

  /// Keras' own parameter counts: 4·8+8 and 8·3+3; an Elman layer of 6 on 3
  /// features has 3·6+6·6+6.
  @Test func kerasFilesOfBothFormats() throws {
    let archive = Fixtures.path("keras/mlp_tanh_softmax.keras")
    let result = try inspect(archive)
    #expect(result.status == 0, "\(result.error)")
    let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines[0].hasPrefix("\(archive): Keras model, Keras 3 archive, Keras 3."))
    #expect(lines[5] == "hidden  dense  (None, 8)     tanh                40")
    #expect(lines[6] == "out     dense  (None, 3)     softmax             27")
    #expect(lines[8] == "Total parameters: 67")

    let legacy = Fixtures.path("keras/rnn_tanh_last.h5")
    let json = try inspect(legacy, "--json")
    #expect(json.status == 0, "\(json.error)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
    #expect(object["format"] as? String == "keras-h5")
    #expect(object["kind"] as? String == "model")
    let model = try #require(object["model"] as? [String: Any])
    #expect(model["input_shape"] as? String == "(None, 5, 3)")
    let layers = try #require(model["layers"] as? [[String: Any]])
    #expect(layers.map { $0["kind"] as? String } == ["elman", "dense"])
    #expect(layers.map { $0["parameters"] as? Int } == [60, 7])
    // The legacy file was saved after training with Adam: its state comes along.
    let optimizer = try #require(object["optimizer"] as? [String: Any])
    #expect(optimizer["kind"] as? String == "adam")
    #expect(optimizer["slots"] as? [String] == ["momentum", "velocity"])
    #expect(object["checkpoint"] is NSNull)
  }

  @Test func badFilesExitWithTheirCodes() throws {
    let missing = try inspect("/nonexistent/model.h5")
    #expect(missing.status == 4)
    #expect(missing.error.hasPrefix("bpkit: error: "))
    let notBPKit = try inspect(Fixtures.path("datasets/digits.h5"))
    #expect(notBPKit.status == 3)
    #expect(notBPKit.error.contains("not a bpkit model or checkpoint"))
    let usage = try inspect()
    #expect(usage.status == 2)
  }
}
