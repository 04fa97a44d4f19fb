import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Dropout layers through the command line: inspect shows the rate, diff
/// names a changed rate, gradcheck checks a network with dropout.
@Suite struct DropoutCommandTests {
  static func model(_ specification: String, in folder: TemporaryDirectory, name: String) throws -> String {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: specification), seed: 2)
    let path = folder.path(name)
    try model.write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func inspectShowsEachDropoutLayerWithItsRate() throws {
    let folder = try TemporaryDirectory()
    let path = try Self.model("4,8:relu,dropout0.25,3:softmax", in: folder, name: "model.h5")
    let text = try BPKitBinary.run("inspect", path)
    #expect(text.status == 0, "\(text.error)")
    #expect(text.output.contains("format \(FormatVersion.current)"), "\(text.output)")
    let row = text.output.split(separator: "\n").first { $0.hasPrefix("dropout_1") }.map(String.init) ?? ""
    #expect(
      row.split(separator: " ", omittingEmptySubsequences: true) == [
        "dropout_1", "dropout", "(None,", "8)", "rate", "0.25", "0",
      ], "\(row)")
    let json = try BPKitBinary.run("inspect", path, "--json")
    #expect(json.status == 0, "\(json.error)")
    let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
    let layers = (object?["model"] as? [String: Any])?["layers"] as? [[String: Any]] ?? []
    #expect(layers.count == 3, "\(json.output)")
    #expect(layers.dropFirst().first?["rate"] as? Double == 0.25)
    #expect(layers.first?["rate"] == nil)
  }

  @Test func diffNamesAChangedRate() throws {
    let folder = try TemporaryDirectory()
    let a = try Self.model("4,8:relu,dropout0.25,3:softmax", in: folder, name: "a.h5")
    let b = try Self.model("4,8:relu,dropout0.5,3:softmax", in: folder, name: "b.h5")
    let result = try BPKitBinary.run("diff", a, b)
    #expect(result.status == 1, "\(result.error)")
    #expect(result.output.contains("dropout_1: dropout rate 0.25"), "\(result.output)")
    #expect(result.output.contains("dropout_1: dropout rate 0.5"), "\(result.output)")
  }

  @Test func gradcheckPassesWithDropout() throws {
    let result = try BPKitBinary.run(
      "gradcheck", "--layers", "5x3,lstm4:seq,dropout0.5,gru3,dropout0.3,2", "--loss", "mse", "--steps", "5")
    #expect(result.status == 0, "\(result.output) \(result.error)")
  }
}
