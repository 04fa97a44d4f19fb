import BPKit
import Foundation
import FoundationXML
import Testing
import _BPKitTestSupport

@Suite struct PlotCommandTests {
  func nodes(_ document: XMLDocument, _ path: String) throws -> [XMLNode] {
    try document.nodes(forXPath: path)
  }

  /// The values of an attribute path such as `//…/@id`.
  func values(_ document: XMLDocument, _ path: String) throws -> [String] {
    try document.nodes(forXPath: path).compactMap(\.stringValue)
  }

  @Test func drawsLossAndAccuracyPanelsWithAxesLegendAndTitle() throws {
    let folder = try TemporaryDirectory()
    let output = folder.path("curves.svg")
    let result = try BPKitBinary.run("plot", try TrainedModels.validatedDigitsCheckpoint, "-o", output)
    #expect(result.status == 0, "\(result.error)")
    #expect(result.output.isEmpty)
    let document = try XMLDocument(contentsOf: URL(fileURLWithPath: output))
    #expect(document.rootElement()?.name == "svg")
    #expect(try values(document, "//*[local-name()='g'][@class='panel']/@id") == ["loss", "accuracy"])
    let series = "//*[local-name()='polyline'][@class='series']"
    #expect(
      try values(document, series + "/@data-name") == [
        "train loss", "validation loss", "train accuracy", "validation accuracy",
      ])
    let points = try values(document, series + "/@points")
    #expect(points.count == 4)
    for line in points {
      #expect(line.split(separator: " ").count == 6, "one point per epoch")
    }
    let legends = try nodes(document, "//*[local-name()='g'][@class='legend']").map { $0.stringValue ?? "" }
    #expect(Set(legends) == ["train loss", "validation loss", "train accuracy", "validation accuracy"])
    let texts = try nodes(document, "//*[local-name()='text']").compactMap(\.stringValue)
    let name = URL(fileURLWithPath: try TrainedModels.validatedDigitsCheckpoint).lastPathComponent
    #expect(texts.first == "\(name): 64 → 64 relu → 10 softmax, momentum, 6 epochs")
    #expect(texts.filter { $0 == "epoch" }.count == 2)
    #expect(texts.contains("loss") && texts.contains("accuracy"))
    // The epoch axis of each panel is labelled with whole epochs.
    #expect(texts.contains("6") && !texts.contains("5.5"))
  }

  @Test func metricAndTitleOptions() throws {
    let folder = try TemporaryDirectory()
    let output = folder.path("loss.svg")
    let result = try BPKitBinary.run(
      "plot", try TrainedModels.validatedDigitsCheckpoint, "--output", output, "--metric", "loss", "--title",
      "digits <run>")
    #expect(result.status == 0, "\(result.error)")
    let document = try XMLDocument(contentsOf: URL(fileURLWithPath: output))
    #expect(try nodes(document, "//*[local-name()='g'][@class='panel']").count == 1)
    #expect(try nodes(document, "//*[local-name()='title']").first?.stringValue == "digits <run>")
    let bad = try BPKitBinary.run("plot", try TrainedModels.validatedDigitsCheckpoint, "-o", output, "--metric", "f1")
    #expect(bad.status == 2)
  }

  @Test func refusesAModelFileWithAClearMessage() throws {
    let folder = try TemporaryDirectory()
    let model = folder.path("model.h5")
    try Checkpoint(contentsOf: URL(fileURLWithPath: try TrainedModels.digitsCheckpoint)).model
      .write(to: URL(fileURLWithPath: model))
    let result = try BPKitBinary.run("plot", model, "-o", folder.path("x.svg"))
    #expect(result.status == 3)
    #expect(
      result.error
        == "bpkit: error: \(model) is a model file, which holds no training history; plot a checkpoint written by "
        + "'bpkit train --checkpoint FILE'\n")
    #expect(!FileManager.default.fileExists(atPath: folder.path("x.svg")))
  }

  @Test func unreadableAndUnwritableFilesAreIOFailures() throws {
    let missing = try BPKitBinary.run("plot", "/nonexistent.ckpt.h5", "-o", "/tmp/never.svg")
    #expect(missing.status == 4)
    let unwritable = try BPKitBinary.run(
      "plot", try TrainedModels.digitsCheckpoint, "-o", "/nonexistent-folder/curves.svg")
    #expect(unwritable.status == 4)
    #expect(unwritable.error.hasPrefix("bpkit: error: cannot write '/nonexistent-folder/curves.svg': "))
  }
}
