import Foundation
import FoundationXML
import Testing
import _BPKitTestSupport

@testable import BPKit

@Suite struct TrainingCurvesTests {
  static func history(_ epochs: Int, accuracy: Bool = true) -> [EpochRecord] {
    (1...epochs).map { epoch in
      EpochRecord(
        epoch: epoch, trainLoss: 2 / Double(epoch), trainAccuracy: accuracy ? 1 - 0.5 / Double(epoch) : nil,
        validationLoss: 2.2 / Double(epoch), validationAccuracy: accuracy ? 1 - 0.6 / Double(epoch) : nil,
        learningRate: 0.1, seconds: 0.01)
    }
  }

  /// Parses the SVG as XML, so a malformed document fails the test.
  func parse(_ svg: String) throws -> XMLDocument {
    try XMLDocument(data: Data(svg.utf8))
  }

  @Test(arguments: [1, 2, 30, 10_000])
  func isWellFormedWithAxesLegendAndTitle(epochs: Int) throws {
    let svg = TrainingCurves(history: Self.history(epochs), title: "digits run").svg
    let document = try parse(svg)
    #expect(document.rootElement()?.name == "svg")
    #expect(try document.nodes(forXPath: "//*[local-name()='g'][@class='panel']").count == 2)
    #expect(try document.nodes(forXPath: "//*[local-name()='polyline']").count == 4)
    #expect(try document.nodes(forXPath: "//*[local-name()='g'][@class='legend']").count == 4)
    #expect(svg.contains(">digits run</text>"))
    #expect(svg.contains(">epoch</text>"))
    let points = try #require(svg.split(separator: "points=\"").dropFirst().first?.split(separator: "\"").first)
    // Up to two points per pixel column every epoch is drawn; beyond that,
    // at most four per column (the plot is 690 pixels wide).
    let drawn = points.split(separator: " ").count
    #expect(epochs <= 1380 ? drawn == epochs : (690...4 * 690).contains(drawn))
    let xTicks = try document.nodes(
      forXPath: "//*[local-name()='g'][@id='loss']/*[local-name()='text'][@text-anchor='middle']")
    #expect(xTicks.count <= 12, "too many tick labels to read")
  }

  @Test func metricSelectsThePanelAndRegressionsShowNoAccuracyPanel() throws {
    let loss = try parse(TrainingCurves(history: Self.history(5), title: "t", metric: .loss).svg)
    #expect(try loss.nodes(forXPath: "//*[local-name()='g'][@class='panel']").count == 1)
    let regression = TrainingCurves(history: Self.history(5, accuracy: false), title: "t").svg
    #expect(try parse(regression).nodes(forXPath: "//*[local-name()='g'][@class='panel']").count == 1)
    #expect(TrainingCurves(history: Self.history(5), title: "a<b&c").svg.contains("a&lt;b&amp;c"))
  }

  @Test func aScheduledRateGetsItsOwnPanel() throws {
    var history = Self.history(6)
    for index in history.indices { history[index].learningRate = 0.1 * pow(0.5, Double(index)) }
    let all = try parse(TrainingCurves(history: history, title: "t").svg)
    #expect(try all.nodes(forXPath: "//*[local-name()='g'][@class='panel']").count == 3)
    #expect(try all.nodes(forXPath: "//*[local-name()='g'][@id='learning-rate']").count == 1)
    let rate = try parse(TrainingCurves(history: history, title: "t", metric: .lr).svg)
    #expect(try rate.nodes(forXPath: "//*[local-name()='g'][@class='panel']").count == 1)
    #expect(try rate.nodes(forXPath: "//*[local-name()='polyline']").count == 1)
  }

  @Test func singleEpochsGetWholeNumberTicksAndTheLegendStaysAboveThePlot() throws {
    let svg = TrainingCurves(history: Self.history(1), title: "t").svg
    let document = try parse(svg)
    let labels = try document.nodes(
      forXPath: "//*[local-name()='g'][@id='loss']/*[local-name()='text'][@text-anchor='middle']"
    ).compactMap(\.stringValue)
    #expect(labels == ["0", "1", "2", "epoch", "loss"])
    let panel = "//*[local-name()='g'][@id='loss']"
    let top = try #require(
      try document.nodes(forXPath: panel + "/*[local-name()='rect']/@y").first?.stringValue.flatMap(Double.init))
    let legends = try document.nodes(
      forXPath: panel + "/*[local-name()='g'][@class='legend']/*[local-name()='line']/@y1")
    #expect(legends.count == 2)
    for legend in legends {
      let y = try #require(legend.stringValue.flatMap(Double.init))
      #expect(y < top, "a legend inside the plot can hide a curve")
    }
  }

  @Test func thinningKeepsEachColumnsExtremesInOrder() {
    let points = (0..<1000).map { (x: Double($0) / 100, y: Double(($0 * 37) % 101)) }
    let thinned = TrainingCurves.thinned(points, columns: 10)
    #expect(thinned.count <= 40)
    #expect(thinned.first! == points.first! && thinned.last! == points.last!)
    #expect(zip(thinned, thinned.dropFirst()).allSatisfy { $0.x < $1.x })
    for column in 0..<10 {
      let ys = points.filter { Int($0.x) == column }.map(\.y)
      let kept = thinned.filter { Int($0.x) == column }.map(\.y)
      #expect(kept.min() == ys.min() && kept.max() == ys.max())
    }
  }

  @Test func aLongTitleIsSqueezedIntoThePicture() throws {
    let long = String(repeating: "a very long run name ", count: 8)
    let document = try parse(TrainingCurves(history: Self.history(3), title: long).svg)
    let heading = try #require(try document.nodes(forXPath: "//*[local-name()='text'][@font-size='16']").first)
    #expect(heading.stringValue == long)
    let length = try document.nodes(forXPath: "//*[local-name()='text'][@font-size='16']/@textLength")
    #expect(length.first?.stringValue == "760")
    let short = try parse(TrainingCurves(history: Self.history(3), title: "digits").svg)
    #expect(try short.nodes(forXPath: "//*[local-name()='text'][@font-size='16']/@textLength").isEmpty)
  }
}

/// `TrainingCurves(checkpoint:file:title:metric:)`: what `bpkit plot` draws from a checkpoint.
@Suite struct TrainingCurvesCheckpointTests {
  static let path = Fixtures.path("format-1.2/iris-split.ckpt.h5")

  static func checkpoint() throws -> Checkpoint {
    try Checkpoint(contentsOf: URL(fileURLWithPath: path))
  }

  @Test func theDefaultTitleNamesTheFileNetworkOptimizerAndEpochs() throws {
    let run = try Self.checkpoint()
    let curves = try TrainingCurves(checkpoint: run, file: Self.path)
    let layers = run.model.network.layers.count
    #expect(curves.title.hasPrefix("iris-split.ckpt.h5: 4 → "))
    #expect(curves.title.split(separator: "→").count == layers + 1)
    // The fixture stopped 2 steps into its second epoch.
    #expect(run.progress.epoch == 1)
    #expect(curves.title.hasSuffix(", \(run.optimizer.configuration.kind), 1 epoch"))
    #expect(curves.history == run.progress.history)
    #expect(try TrainingCurves(checkpoint: run, file: Self.path, title: "mine").title == "mine")
  }

  @Test func aRunWithoutACompletedEpochHasNothingToDraw() throws {
    var run = try Self.checkpoint()
    run.progress.history = []
    expectReason(ReportingError.noCompletedEpoch(file: Self.path)) {
      try TrainingCurves(checkpoint: run, file: Self.path)
    }
  }

  @Test func accuracyOfARunWithoutAccuracyIsAUsageError() throws {
    var run = try Self.checkpoint()
    for index in run.progress.history.indices { run.progress.history[index].trainAccuracy = nil }
    let error = #expect(throws: BPKitError.self) {
      try TrainingCurves(checkpoint: run, file: Self.path, metric: .accuracy)
    }
    #expect(error?.code == .invalidSetting && error?.category == .usage && error?.setting == "metric")
    #expect(error?.message.hasPrefix("--metric accuracy needs a classifier, and \(Self.path) trained ") == true)
    #expect(try TrainingCurves(checkpoint: run, file: Self.path, metric: .loss).metric == .loss)
  }
}
