import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// A model that takes sequences of any length predicts rows of different
/// lengths in one `bpkit infer` run, from CSV, JSON and JSON Lines files and
/// from standard input, with the outputs of each row predicted alone.
@Suite struct VariableLengthInferTests {
  static let model = Fixtures.path("keras/rnn_variable_length.keras")
  /// Rows of 3, 5, 3, 1 and 1 steps of 3 features: lengths change within a batch and back.
  static let rows: [[Float]] = [
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5],
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
    [0.5, 0.5, 0.5],
    [0.2, -0.2, 0.2],
  ]

  static func csv() -> String {
    rows.map { $0.map { "\($0)" }.joined(separator: ",") }.joined(separator: "\n") + "\n"
  }

  static func steps(_ row: [Float]) -> String {
    "["
      + stride(from: 0, to: row.count, by: 3).map { "[\(row[$0]),\(row[$0 + 1]),\(row[$0 + 2])]" }
      .joined(separator: ",") + "]"
  }

  /// Each row predicted alone, in process.
  static func alone() throws -> [[Float]] {
    let predictor = try Predictor(model: try KerasModel(contentsOfFile: model).model)
    return try rows.map { try predictor.predict($0, count: 1) }
  }

  /// The numbers of each output line (CSV or JSON array), skipping a CSV header.
  static func outputs(_ text: String) -> [[Float]] {
    text.split(separator: "\n").filter { !$0.hasPrefix("y") }.map { line in
      line.split { ",[] ".contains($0) }.map { Float(String($0))! }
    }
  }

  @Test(arguments: ["csv", "json", "jsonl", "csv on standard input", "jsonl on standard input"])
  func rowsOfEveryLengthArePredictedAsEachAlone(kind: String) throws {
    let folder = try TemporaryDirectory()
    let text =
      switch kind.prefix(while: { $0 != " " }) {
      case "csv": Self.csv()
      case "json": "[" + Self.rows.map(Self.steps).joined(separator: ",\n") + "]\n"
      default: Self.rows.map(Self.steps).joined(separator: "\n") + "\n"
      }
    let expected = try Self.alone()
    let fromStandardInput = kind.hasSuffix("standard input")
    let path = folder.path("rows.\(kind.prefix(while: { $0 != " " }))")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    for batchSize in ["64", "1"] {
      let result =
        fromStandardInput
        ? try BPKitBinary.run(
          arguments: ["infer", Self.model, "--input", "-", "--batch-size", batchSize], input: Data(text.utf8))
        : try BPKitBinary.run("infer", Self.model, "--input", path, "--batch-size", batchSize)
      #expect(result.status == 0, "\(kind): \(result.error)")
      #expect(Self.outputs(result.output) == expected, "\(kind), batch size \(batchSize): \(result.output)")
    }
  }

  @Test func aFixedLengthModelStillRefusesAnotherLength() throws {
    let folder = try TemporaryDirectory()
    let data = folder.path("ragged.csv")
    try Self.csv().write(toFile: data, atomically: true, encoding: .utf8)
    let result = try BPKitBinary.run("infer", Fixtures.path("keras/rnn_tanh_last.keras"), "--input", data)
    #expect(result.status == 3)
    #expect(result.error.hasPrefix("bpkit: error: \(data), line "), "\(result.error)")
  }
}
