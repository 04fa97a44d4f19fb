import BPKit
import Foundation
import FoundationXML
import Testing

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
    #expect(points.split(separator: " ").count == epochs)
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
}
