import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@testable import BPKit

@Suite struct FileSummaryTests {
  let folder = try! TemporaryDirectory()
  let model = try! FormatSamples.model(FormatSamples.denseNetwork())

  @Test func aModelsLayersShapesAndParameterCounts() throws {
    let url = folder.url.appendingPathComponent("model.h5")
    try model.write(to: url)
    let summary = try FileSummary(contentsOf: url)
    #expect(summary.kind == "model")
    #expect(summary.format == "hdf5")
    #expect(summary.formatVersion == FormatVersion.current.description)
    #expect(summary.fileSize == Int64(try Data(contentsOf: url).count))
    #expect(summary.checkpoint == nil && summary.optimizer == nil)
    #expect(summary.model.inputShape == "(None, 5)")
    #expect(summary.model.layers.map(\.name) == ["scale", "dense_0", "dense_1", "output"])
    #expect(summary.model.layers.map(\.outputShape) == ["(None, 5)", "(None, 7)", "(None, 6)", "(None, 3)"])
    #expect(summary.model.layers.map(\.activation) == [nil, "tanh", "leaky_relu(0.1)", "softmax"])
    // standardize: 5 means + 5 deviations; 5·7+7; 7·6+6; 6·3 without bias.
    #expect(summary.model.layers.map(\.parameters) == [10, 42, 48, 18])
    #expect(summary.model.totalParameters == 118)
    #expect(summary.model.trainableParameters == 108)
    #expect(summary.text.contains("Total parameters: 118 (108 trainable)"))
    #expect(summary.text.contains("dense_1  dense        (None, 6)     leaky_relu(0.1)          48"))
  }

  @Test func recurrentShapesHaveStepsOrNone() throws {
    let summary = FileSummary(
      .model(try FormatSamples.model(FormatSamples.recurrentNetwork())), path: "r.h5", fileSize: 1,
      format: ("hdf5", "1.0"))
    #expect(summary.model.inputShape == "(None, None, 4)")
    #expect(summary.model.layers.map(\.outputShape) == ["(None, None, 6)", "(None, 5)", "(None, 2)"])
  }

  @Test func aCheckpointsRunOptimizerAndData() throws {
    let url = folder.url.appendingPathComponent("run.ckpt.h5")
    try FormatSamples.checkpoint(model).write(to: url)
    let summary = try FileSummary(contentsOf: url)
    #expect(summary.kind == "checkpoint")
    let optimizer = try #require(summary.optimizer)
    #expect(optimizer.kind == "adam")
    #expect(optimizer.hyperparameters.map(\.name) == ["learning_rate", "beta_1", "beta_2", "epsilon"])
    #expect(optimizer.hyperparameters.map(\.value) == [0.0025, 0.9, 0.999, 1e-8])
    #expect(optimizer.iterations == 1234)
    #expect(optimizer.slots == ["m", "v"])
    let run = try #require(summary.checkpoint)
    #expect(run.epoch == 3 && run.plannedEpochs == 10 && run.stepInEpoch == 7)
    #expect(run.last?.epoch == 3)
    // Epoch 2 has no validation loss and so is judged by its training loss, 0.6, above epoch 3's 0.4.
    #expect(run.best?.epoch == 3)
    #expect(run.data?.sampleCount == 50)
    #expect(run.elapsedSeconds == 4.5)
    let text = summary.text
    #expect(text.contains("Optimizer   adam (learning_rate 0.0025, beta_1 0.9, beta_2 0.999, epsilon 1e-08)"))
    #expect(text.contains("Progress    epoch 3 of 10, 7 steps into epoch 4"))
    #expect(text.contains("\nData        Fixtures/datasets/iris.csv (species), 50 samples, sha256 abababababababab…\n"))
    #expect(text.contains("\nValidation  Fixtures/datasets/digits.h5 (test/x, test/y), 360 samples, sha256 cdcd"))
    #expect(text.contains("\nBest epoch  3: train loss 0.4333, accuracy 53.00%; validation loss 0.4\n"))
  }

  @Test func jsonHasTheSameKeysForEveryFileOfAKind() throws {
    func keys(_ summary: FileSummary) throws -> [String] {
      let object = try JSONSerialization.jsonObject(with: try summary.jsonData()) as! [String: Any]
      return object.keys.sorted()
    }
    let plain = FileSummary(.model(model), path: "m.h5", fileSize: 1, format: ("hdf5", "1.0"))
    let run = FileSummary(
      .checkpoint(FormatSamples.checkpoint(model)), path: "c.h5", fileSize: 1, format: ("hdf5", "1.0"))
    let expected = [
      "checkpoint", "file_size", "format", "format_version", "keras", "kind", "model", "optimizer", "path", "warnings",
    ]
    #expect(try keys(plain) == expected)
    #expect(try keys(run) == expected)
    let object = try JSONSerialization.jsonObject(with: try run.jsonData()) as! [String: Any]
    let checkpoint = object["checkpoint"] as! [String: Any]
    #expect(
      (checkpoint["last"] as! [String: Any]).keys.sorted() == [
        "epoch", "train_accuracy", "train_loss", "validation_accuracy", "validation_loss",
      ])
    #expect(checkpoint["created_at"] as? String == "2026-11-18T11:06:40.125000000Z")
  }

  @Test func numbersDurationsAndSizesForPeople() {
    #expect(FileSummary.duration(0.024) == "24 ms")
    #expect(FileSummary.duration(12.34) == "12.3 s")
    #expect(FileSummary.duration(125) == "2 min 5 s")
    #expect(FileSummary.duration(3725) == "1 h 2 min 5 s")
    #expect(FileSummary.bytes(512) == "512 bytes")
    #expect(FileSummary.bytes(67_760) == "66.2 KiB")
    #expect(FileSummary.bytes(3 << 30) == "3.0 GiB")
    #expect(FileSummary.grouped(1_234_567) == "1,234,567")
    #expect(FileSummary.grouped(-4_810) == "-4,810")
    #expect(FileSummary.grouped(650) == "650")
  }

  /// Readers ignore objects a bpkit file's format does not define (a newer
  /// minor version's, or another program's); `inspect` lists them, so that
  /// nothing in the file goes unmentioned.
  @Test func objectsTheFormatDoesNotDefineAreListed() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.h5")
    try FormatSamples.model(FormatSamples.denseNetwork()).write(to: url)
    #expect(try FileSummary(contentsOf: url).warnings == [])
    let file = try HDF5File(openingAtPath: url.path, mode: .readWrite)
    _ = try file.root.createGroup("extra")
    try file.close()
    try FileSeal.reseal(url.path)
    let summary = try FileSummary(contentsOf: url)
    #expect(
      summary.warnings == [
        "'/extra' is not part of bpkit format \(FormatVersion.current) models; bpkit did not read it"
      ])
    #expect(summary.text.contains("'/extra' is not part of bpkit format"))
  }
}
