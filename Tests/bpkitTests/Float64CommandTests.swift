import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// `bpkit train --dtype float64` through the binary: a float64 checkpoint
/// that resumes to the uninterrupted bits, shown by `inspect`, compared by
/// `diff`, and never rounded by a resume or a conversion.
@Suite struct Float64CommandTests {
  static let iris = Fixtures.path("datasets/iris.csv")

  static func train(_ checkpoint: String, _ extra: [String] = [], layers: String = "4,8:tanh,3:softmax") throws
    -> ProcessResult
  {
    try BPKitBinary.run(
      arguments: [
        "train", "--layers", layers, "--data", iris, "--target", "species", "--validation-split", "0.2",
        "--batch-size", "16", "--epochs", "3", "--seed", "7", "--checkpoint", checkpoint, "--quiet",
      ] + extra)
  }

  @Test func aFloat64RunResumesToTheBitsOfTheWholeRun() throws {
    let folder = try TemporaryDirectory()
    #expect(try Self.train(folder.path("whole.h5"), ["--dtype", "float64"]).status == 0)
    let first = try Self.train(folder.path("parts.h5"), ["--dtype", "float64", "--stop-after-steps", "11"])
    #expect(first.status == 0, "\(first.error)")
    let resumed = try BPKitBinary.run("train", "--resume", folder.path("parts.h5"), "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)")
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    let parts = try CheckpointComparison.load(folder.path("parts.h5"))
    #expect(whole.model.dtype == .float64)
    #expect(whole.model.float64Parameters == parts.model.float64Parameters)
    #expect(whole.optimizer.float64Slots == parts.optimizer.float64Slots)
    let diff = try BPKitBinary.run("diff", folder.path("whole.h5"), folder.path("parts.h5"))
    #expect(diff.status == 0, "\(diff.output)")
  }

  @Test func inspectAndDiffShowTheDtype() throws {
    let folder = try TemporaryDirectory()
    #expect(try Self.train(folder.path("wide.h5"), ["--dtype", "float64"]).status == 0)
    #expect(try Self.train(folder.path("narrow.h5")).status == 0)
    let inspect = try BPKitBinary.run("inspect", folder.path("wide.h5"))
    #expect(
      inspect.output.contains("bpkit checkpoint, HDF5 format \(FormatVersion.current), float64, "), "\(inspect.output)")
    let narrow = try BPKitBinary.run("inspect", folder.path("narrow.h5"))
    #expect(!narrow.output.contains("float64"), "\(narrow.output)")
    let json = try BPKitBinary.run("inspect", "--json", folder.path("wide.h5"))
    #expect(json.output.contains("\"dtype\" : \"float64\""), "\(json.output)")
    let diff = try BPKitBinary.run("diff", folder.path("narrow.h5"), folder.path("wide.h5"))
    #expect(diff.status == 1)
    #expect(diff.output.contains("dtype"), "\(diff.output)")
  }

  @Test func aResumeRefusesAnotherDtypeAndAConversionThatWouldRound() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("run.h5")
    #expect(try Self.train(path, ["--dtype", "float64", "--stop-after-steps", "3"]).status == 0)
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let resumed = try BPKitBinary.run("train", "--resume", path, "--dtype", "float32", "--quiet")
    #expect(resumed.status == 2)
    #expect(resumed.error.contains("--dtype float32"), "\(resumed.error)")
    #expect(resumed.error.split(separator: "\n").count == 1, "\(resumed.error)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    // ONNX keeps this dense float64 model as a DOUBLE graph, bit for bit.
    let onnx = try BPKitBinary.run("convert", path, folder.path("run.onnx"))
    #expect(onnx.status == 0, "\(onnx.error)")
    #expect(!onnx.error.contains("rounded"), "\(onnx.error)")
    let back = try BPKitBinary.run("convert", folder.path("run.onnx"), folder.path("back.h5"))
    #expect(back.status == 0 && back.error.isEmpty, "\(back.error)")
    #expect(
      try BPKitFile.open(URL(fileURLWithPath: folder.path("back.h5"))).model.float64Parameters
        == CheckpointComparison.load(path).model.float64Parameters)
    // An ELU layer, which onnxruntime runs in float only, is refused by name.
    let elu = folder.path("elu.h5")
    #expect(try Self.train(elu, ["--dtype", "float64"], layers: "4,8:elu,3:softmax").status == 0)
    let convert = try BPKitBinary.run("convert", elu, folder.path("elu.onnx"))
    #expect(convert.status == 3, "\(convert.error)")
    #expect(convert.error.contains("layer 'dense_1' of this float64 model uses elu"), "\(convert.error)")
    #expect(convert.error.contains("--dtype float32"), "\(convert.error)")
    #expect(convert.error.split(separator: "\n").count == 1, "\(convert.error)")
    #expect(!FileManager.default.fileExists(atPath: folder.path("elu.onnx")))
    #expect(try BPKitBinary.run("convert", elu, folder.path("elu.onnx"), "--dtype", "float32").status == 0)
  }

  /// JSON keeps a float64 checkpoint, slots included, in both encodings:
  /// converted there and back, it is the same file to `diff`, bit for bit.
  @Test(arguments: ["numbers", "base64"])
  func aFloat64CheckpointGoesToJSONAndBackBitForBit(weights: String) throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("run.h5")
    #expect(try Self.train(path, ["--dtype", "float64", "--stop-after-steps", "11"]).status == 0)
    let json = folder.path("run.json")
    let there = try BPKitBinary.run("convert", path, json, "--weights", weights)
    #expect(there.status == 0, "\(there.error)")
    JSONOutputs.keep(fileAtPath: json, kind: "checkpoint", name: "float64_run_\(weights).json")
    #expect(try String(contentsOfFile: json, encoding: .utf8).contains("\"dtype\": \"float64\""))
    let back = try BPKitBinary.run("convert", json, folder.path("back.h5"))
    #expect(back.status == 0, "\(back.error)")
    let source = try CheckpointComparison.load(path)
    let returned = try CheckpointComparison.load(folder.path("back.h5"))
    #expect(returned.model.dtype == .float64)
    #expect(returned.model.float64Parameters == source.model.float64Parameters)
    #expect(returned.optimizer.float64Slots == source.optimizer.float64Slots)
    #expect(CheckpointComparison.differences(source, returned) == [])
    let diff = try BPKitBinary.run("diff", path, json)
    #expect(diff.status == 0, "\(diff.output)")
  }

  @Test func convertDtypeRoundsOnlyWhenAskedAndWidensExactly() throws {
    let folder = try TemporaryDirectory()
    let wide = folder.path("wide.h5")
    #expect(try Self.train(wide, ["--dtype", "float64"]).status == 0)
    let narrow = try BPKitBinary.run("convert", wide, folder.path("narrow.h5"), "--dtype", "float32")
    #expect(narrow.status == 0, "\(narrow.error)")
    #expect(narrow.error.contains("rounded to the nearest float32 (--dtype float32)"), "\(narrow.error)")
    let source = try CheckpointComparison.load(wide)
    let rounded = try CheckpointComparison.load(folder.path("narrow.h5"))
    #expect(rounded.model.dtype == .float32)
    #expect(rounded.optimizer.dtype == .float32)
    for (key, tensor) in source.model.float64Parameters! {
      #expect(rounded.model.parameters[key]!.scalars == tensor.scalars.map { Float($0) }, "\(key)")
    }
    // The way out the refusal names: the rounded file converts to ONNX.
    let onnx = try BPKitBinary.run("convert", folder.path("narrow.h5"), folder.path("run.onnx"))
    #expect(onnx.status == 0, "\(onnx.error)")
    let widened = try BPKitBinary.run("convert", folder.path("narrow.h5"), folder.path("back.h5"), "--dtype", "float64")
    #expect(widened.status == 0, "\(widened.error)")
    #expect(!widened.error.contains("rounded"), "\(widened.error)")
    let back = try CheckpointComparison.load(folder.path("back.h5"))
    #expect(back.model.dtype == .float64)
    for (key, tensor) in rounded.model.parameters {
      #expect(back.model.float64Parameters![key]!.scalars == tensor.scalars.map { Double($0) }, "\(key)")
    }
  }

  @Test func inferRunsAFloat64ModelInDoubleAndKeepsEveryDigit() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("run.h5")
    #expect(try Self.train(path, ["--dtype", "float64"]).status == 0)
    let model = try BPKitFile.open(URL(fileURLWithPath: path)).model
    // The CSV's numbers are read as the nearest Double (5.1, not Float's 5.099999904...).
    let data = try Dataset.readCSV(path: Self.iris, targetColumns: ["species"], dtype: .float64)
    let expected = try model.predict(data.float64Inputs!)
    let widened = try model.predict(Tensor(shape: data.inputs.shape, scalars: data.inputs.scalars.map(Double.init)))
    #expect(expected != widened)
    let csv = try BPKitBinary.run("infer", path, "--input", Self.iris, "--ignore", "species")
    #expect(csv.status == 0, "\(csv.error)")
    let values = csv.output.split(separator: "\n").dropFirst().flatMap {
      $0.split(separator: ",").map { Double(String($0))! }
    }
    #expect(values.map(\.bitPattern) == expected.scalars.map(\.bitPattern))
    #expect(values.contains { Double(Float($0)) != $0 })
    let h5 = folder.path("predictions.h5")
    let result = try BPKitBinary.run("infer", path, "--input", Self.iris, "--ignore", "species", "--output", h5)
    #expect(result.status == 0, "\(result.error)")
    let stored = try HDF5File(openingAtPath: h5).root.openDataset("predictions")
    #expect(stored.elementType == .float64)
    #expect(try stored.read(as: Double.self).map(\.bitPattern) == expected.scalars.map(\.bitPattern))
    let top = try BPKitBinary.run("infer", path, "--input", Self.iris, "--ignore", "species", "--top-k", "2")
    #expect(top.status == 0, "\(top.error)")
  }

  /// JSON Lines, a JSON array and standard input give a float64 model the
  /// nearest Double of each number, as CSV does: the same predictions, byte
  /// for byte, and not those of the numbers rounded to float32 first.
  @Test func inferReadsJSONNumbersAsTheNearestDoubleAsCSVDoes() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("run.h5")
    #expect(try Self.train(path, ["--dtype", "float64"]).status == 0)
    let rows = [
      ["5.1", "3.5", "1.4", "0.2"], ["6.7", "3.1", "4.4", "1.4"],
      ["6.300000000000000711", "2.5", "4.9999999999999999", "1.8000000000000000444"],
      ["1e-3", "7.1234567890123456789", "-0.0", "2.2250738585072014e-308"],
    ]
    let csv = folder.path("rows.csv")
    try ("sepal_length,sepal_width,petal_length,petal_width\n" + rows.map { $0.joined(separator: ",") + "\n" }.joined())
      .write(toFile: csv, atomically: true, encoding: .utf8)
    let lines = rows.map { "[" + $0.joined(separator: ", ") + "]\n" }.joined()
    try lines.write(toFile: folder.path("rows.jsonl"), atomically: true, encoding: .utf8)
    try ("[" + rows.map { "{\"input\": [" + $0.joined(separator: ",") + "]}" }.joined(separator: ",\n") + "]")
      .write(toFile: folder.path("rows.json"), atomically: true, encoding: .utf8)
    let fromCSV = try BPKitBinary.run("infer", path, "--input", csv)
    #expect(fromCSV.status == 0, "\(fromCSV.error)")
    for input in ["rows.jsonl", "rows.json"] {
      let result = try BPKitBinary.run("infer", path, "--input", folder.path(input))
      #expect(result.status == 0, "\(result.error)")
      #expect(result.output == fromCSV.output, "\(input)")
    }
    let piped = try BPKitBinary.run(arguments: ["infer", path, "--input", "-"], input: Data(lines.utf8))
    #expect(piped.status == 0, "\(piped.error)")
    // Standard input's JSON Lines are answered in JSON Lines: the same numbers, each printed in full.
    let pipedValues = piped.output.split(whereSeparator: { "[],\n".contains($0) }).map { Double(String($0))! }
    // Not the float32 reading widened: the model sees the Doubles.
    let model = try BPKitFile.open(URL(fileURLWithPath: path)).model
    let exact = rows.flatMap { $0.map { Double($0)! } }
    let widened = rows.flatMap { $0.map { Double(Float($0)!) } }
    let values = fromCSV.output.split(separator: "\n").dropFirst().flatMap {
      $0.split(separator: ",").map { Double(String($0))! }
    }
    #expect(pipedValues == values)
    #expect(values == (try model.predict(Tensor(shape: [4, 4], scalars: exact))).scalars)
    #expect(values != (try model.predict(Tensor(shape: [4, 4], scalars: widened))).scalars)
  }

  /// Threads split the work, never the sums: a float64 run on 1 and 2
  /// threads ends with the same bits, and its predictions do not depend on
  /// the threads or the batch a sample is read in.
  @Test func aFloat64RunAndItsPredictionsAreTheSameOnAnyThreadsAndBatches() throws {
    let folder = try TemporaryDirectory()
    #expect(try Self.train(folder.path("one.h5"), ["--dtype", "float64", "--threads", "1"]).status == 0)
    #expect(try Self.train(folder.path("two.h5"), ["--dtype", "float64", "--threads", "2"]).status == 0)
    let one = try CheckpointComparison.load(folder.path("one.h5"))
    let two = try CheckpointComparison.load(folder.path("two.h5"))
    #expect(one.model.float64Parameters != nil)
    #expect(one.model.float64Parameters == two.model.float64Parameters)
    #expect(one.optimizer.float64Slots == two.optimizer.float64Slots)
    #expect(one.progress.history.map(\.trainLoss) == two.progress.history.map(\.trainLoss))
    var outputs: [String] = []
    for arguments in [
      ["--batch-size", "1"], ["--batch-size", "7"], ["--batch-size", "1000"], ["--batch-size", "7", "--threads", "2"],
    ] {
      let result = try BPKitBinary.run(
        arguments: ["infer", folder.path("one.h5"), "--input", Self.iris, "--ignore", "species"] + arguments)
      #expect(result.status == 0, "\(result.error)")
      outputs.append(result.output)
    }
    #expect(outputs[0].split(separator: "\n").count == 151)
    #expect(Set(outputs).count == 1)
  }
}
