import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// JSON documents that break the schema, given to every reader of models
/// and checkpoints, and CSV data with ragged rows, NaN and worse, given to
/// `train` and `infer`: one error line and exit 3 each.
@Suite struct BadDataTests {
  let folder: TemporaryDirectory
  let files: ValidFiles

  init() throws {
    folder = try TemporaryDirectory(prefix: "bpkit-baddata")
    files = try ValidFiles.get()
  }

  func write(_ text: String, _ name: String) throws -> String {
    let path = folder.path(name)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// The document at `path` with `change` applied to its top-level object.
  func edited(_ path: String, _ name: String, _ change: (inout [String: Any]) -> Void) throws -> String {
    var object = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    change(&object)
    let out = folder.path(name)
    try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: out))
    return out
  }

  @Test func jsonThatBreaksTheSchemaIsRefused() throws {
    let model = files.modelJSON, checkpoint = files.checkpointJSON
    let text = try String(contentsOfFile: model, encoding: .utf8)
    func firstLayer(_ object: [String: Any]) -> String {
      ((object["layers"] as? [[String: Any]])?.first?["name"] as? String) ?? "?"
    }
    let inputs: [(label: String, path: String)] = [
      ("a model without layers", try edited(model, "no-layers.json") { $0["layers"] = nil }),
      ("a model without weights", try edited(model, "no-weights.json") { $0["weights"] = nil }),
      ("a model of kind 'bpkit-spaceship'", try edited(model, "kind.json") { $0["kind"] = "bpkit-spaceship" }),
      ("a model of format_version 99", try edited(model, "version.json") { $0["format_version"] = 99 }),
      ("a model whose input is a string", try edited(model, "input.json") { $0["input"] = "four" }),
      (
        "a model with a layer of -3 units",
        try edited(model, "units.json") { object in
          var layers = object["layers"] as! [[String: Any]]
          layers[0]["units"] = -3
          object["layers"] = layers
        }
      ),
      (
        "a model whose kernel has too few numbers",
        try edited(model, "short-kernel.json") { object in
          let layer = firstLayer(object)
          var weights = object["weights"] as! [String: Any]
          var tensors = weights[layer] as! [String: Any]
          var kernel = tensors["kernel"] as! [String: Any]
          kernel["data"] = [1.0, 2.0]
          tensors["kernel"] = kernel
          weights[layer] = tensors
          object["weights"] = weights
        }
      ),
      (
        "a model whose kernel holds strings",
        try edited(model, "string-kernel.json") { object in
          let layer = firstLayer(object)
          var weights = object["weights"] as! [String: Any]
          var tensors = weights[layer] as! [String: Any]
          var kernel = tensors["kernel"] as! [String: Any]
          kernel["data"] = (kernel["data"] as! [Any]).map { _ in "x" }
          tensors["kernel"] = kernel
          weights[layer] = tensors
          object["weights"] = weights
        }
      ),
      ("a checkpoint without its optimizer", try edited(checkpoint, "no-optimizer.json") { $0["optimizer"] = nil }),
      ("a checkpoint without its progress", try edited(checkpoint, "no-progress.json") { $0["progress"] = nil }),
      ("a model truncated in the middle", try write(String(text.prefix(text.count / 2)), "half.json")),
      (
        "a model with a number 1e999",
        try write(
          text.replacingOccurrences(of: "\"units\": 8", with: "\"units\": 1e999").replacingOccurrences(
            of: "\"units\":8", with: "\"units\":1e999"), "huge.json")
      ),
      ("arrays nested 100,000 deep", try write("{\"layers\":" + String(repeating: "[", count: 100_000), "deep.json")),
      ("objects nested 100,000 deep", try write(String(repeating: "{\"a\":", count: 100_000), "deep-objects.json")),
      ("a bare JSON string", try write("\"bpkit-model\"", "string.json")),
      ("JSON null", try write("null", "null.json")),
      ("invalid UTF-8 in a string", try write("{\"kind\": \"\u{FFFD}", "utf8.json")),
    ]
    let tally = HostileTally.run(try ValidFilesReaders.refusals(inputs, codes: [3], scratch: folder))
    ReliabilityReport.record(
      "JSON that breaks the schema (\(inputs.count) documents, \(ValidFiles.readers(of: "", output: "").count) commands): \(tally)"
    )
  }

  @Test func badCSVDataIsRefusedWithItsLine() throws {
    let header = "sepal_length,sepal_width,petal_length,petal_width,species\n"
    let good = "5.1,3.5,1.4,0.2,0\n4.9,3.0,1.4,0.2,1\n"
    let inputs: [(label: String, text: String)] = [
      ("a ragged row", header + good + "6.0,2.2,5.0\n"),
      ("a row too long", header + good + "6.0,2.2,5.0,1.5,2,9\n"),
      ("NaN", header + good + "NaN,2.2,5.0,1.5,2\n"),
      ("nan in lower case", header + good + "6.0,nan,5.0,1.5,2\n"),
      ("infinity", header + good + "6.0,2.2,inf,1.5,2\n"),
      ("1e999", header + good + "6.0,2.2,1e999,1.5,2\n"),
      ("a word", header + good + "6.0,2.2,five,1.5,2\n"),
      ("an empty field", header + good + "6.0,,5.0,1.5,2\n"),
      ("a header only", header),
      ("an empty file", ""),
      ("a line of 1 MB", header + String(repeating: "1,", count: 500_000) + "1\n"),
      ("a NUL byte", header + good + "6.0,2.2\u{0},5.0,1.5,2\n"),
    ]
    var runs: [HostileRun] = []
    for (index, input) in inputs.enumerated() {
      let path = try write(input.text, "bad-\(index).csv")
      let output = try ValidFiles.scratch(in: folder)
      runs.append(
        HostileRun(
          name: "train --data on CSV with \(input.label)",
          arguments: [
            "train", "--layers", "4,3:softmax", "--data", path, "--target", "species", "--epochs", "1",
            "--checkpoint", output + "/run.h5", "--quiet",
          ], codes: [3]))
      runs.append(
        HostileRun(
          name: "infer --input on CSV with \(input.label)",
          arguments: [
            "infer", files.model, "--input", path, "--ignore", "species", "--output", output + "/predictions.csv",
          ],
          codes: [3]))
    }
    let tally = HostileTally.run(runs)
    ReliabilityReport.record("bad CSV data (\(inputs.count) files, train and infer): \(tally)")
  }
}

/// Every model reader on each input, expecting a refusal.
enum ValidFilesReaders {
  static func refusals(_ inputs: [(label: String, path: String)], codes: Set<Int32>, scratch: TemporaryDirectory)
    throws -> [HostileRun]
  {
    try inputs.flatMap { input in
      let output = try ValidFiles.scratch(in: scratch)
      return ValidFiles.readers(of: input.path, output: output).map {
        HostileRun(name: "\($0.name) on \(input.label)", arguments: $0.arguments, codes: codes)
      }
    }
  }
}
