import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Integers and floats from flags and data that once trapped bpkit (SIGILL,
/// exit 132) on an overflow: each is range-checked where it enters and
/// refused with one line.
@Suite struct IntegerRangeTests {
  @Test(arguments: ["3037000500,3037000500", "64,1000000000000:relu,10:softmax", "16777217,2"])
  func layerSizesBeyondTheLimitsAreRefused(layers: String) throws {
    let result = try GuardedProcess.run(
      BPKitBinary.path,
      ["train", "--layers", layers, "--data", Fixtures.path("datasets/digits.h5"), "--epochs", "1", "--quiet"],
      timeout: 60)
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

  @Test func theNetworkDescriptionRefusesTotalsBeyondTheElementLimit() throws {
    let network = NetworkDescription(
      input: .vector(features: 1 << 16),
      layers: [Layer(name: "wide", kind: .dense(units: 1 << 16, activation: .linear, useBias: false))])
    #expect(
      throws: ModelError.sizeTooLarge(
        layer: "wide", what: "the weights' element count", value: 1 << 32, limit: NetworkDescription.maximumElements)
    ) { try network.parameterSpecs() }
  }
}
