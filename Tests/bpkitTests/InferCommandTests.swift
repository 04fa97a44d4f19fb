import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@Suite struct InferCommandTests {
  static let digits = Fixtures.path("datasets/digits.h5")
  static let digitsCSV = Fixtures.path("datasets/digits_test.csv")

  func infer(_ arguments: String..., input: Data? = nil) throws -> ProcessResult {
    let result = try BPKitBinary.run(arguments: ["infer"] + arguments, input: input)
    #expect(result.status == 0, "bpkit infer failed: \(result.error)")
    return result
  }

  /// The library's predictions for the digits test set.
  func libraryPredictions() throws -> (outputs: [Float], width: Int) {
    let model = try BPKitFile.open(URL(fileURLWithPath: try TrainedModels.digitsCheckpoint)).model
    let test = try Dataset.readHDF5(path: Self.digits, inputs: "/test/x", targets: nil)
    return (try model.predict(test.inputs).scalars, 10)
  }

  @Test func hdf5OutputEqualsTheLibraryBitForBit() throws {
    let folder = try TemporaryDirectory()
    let output = folder.path("predictions.h5")
    _ = try infer(try TrainedModels.digitsCheckpoint, "--input", Self.digits, "--x", "/test/x", "--output", output)
    let stored = try HDF5File(openingAtPath: output).root.openDataset("predictions")
    #expect(stored.shape == [360, 10])
    let expected = try libraryPredictions().outputs
    #expect(try stored.read(as: Float.self).map(\.bitPattern) == expected.map(\.bitPattern))
  }

  @Test func csvOutputRoundTripsToTheLibrarysNumbers() throws {
    let result = try infer(try TrainedModels.digitsCheckpoint, "--input", Self.digitsCSV, "--ignore", "label")
    let lines = result.output.split(separator: "\n")
    #expect(lines.first == "y0,y1,y2,y3,y4,y5,y6,y7,y8,y9")
    let values = lines.dropFirst().flatMap { $0.split(separator: ",").map { Float(String($0))! } }
    #expect(values.map(\.bitPattern) == (try libraryPredictions().outputs.map(\.bitPattern)))
  }

  @Test func argmaxTopKAndEveryOutputFormat() throws {
    let folder = try TemporaryDirectory()
    let model = try TrainedModels.digitsCheckpoint
    let (outputs, width) = try libraryPredictions()
    let classes = (0..<360).map { row in (0..<width).max { outputs[row * width + $0] < outputs[row * width + $1] }! }
    let argmax = try infer(model, "--input", Self.digits, "--x", "/test/x", "--argmax")
    #expect(argmax.output.split(separator: "\n").dropFirst().map { Int($0)! } == classes)
    let json = try infer(model, "--input", Self.digits, "--x", "/test/x", "--argmax", "--format", "json")
    #expect(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [Int] == classes)
    _ = try infer(model, "--input", Self.digits, "--x", "/test/x", "--top-k", "3", "--output", folder.path("top.jsonl"))
    let lines = try String(contentsOfFile: folder.path("top.jsonl"), encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 360)
    let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [[String: Any]]
    #expect(first?.count == 3)
    #expect(first?[0]["class"] as? Int == classes[0])
    _ = try infer(model, "--input", Self.digits, "--x", "/test/x", "--top-k", "2", "--output", folder.path("top.h5"))
    let root = try HDF5File(openingAtPath: folder.path("top.h5")).root
    #expect(try root.openDataset("classes").shape == [360, 2])
    #expect(try Array(root.openDataset("classes").read(as: Int64.self).prefix(1)) == [Int64(classes[0])])
    let csv = try infer(model, "--input", Self.digits, "--x", "/test/x", "--top-k", "2")
    #expect(csv.output.hasPrefix("class1,score1,class2,score2\n\(classes[0]),"))
  }

  @Test func jsonDocumentJsonLinesAndHeaderlessCSVInputs() throws {
    let folder = try TemporaryDirectory()
    let model = try TrainedModels.digitsCheckpoint
    let test = try Dataset.readHDF5(path: Self.digits, inputs: "/test/x", targets: "/test/y")
    let rows = (0..<3).map { Array(test.inputs.scalars[$0 * 64..<($0 + 1) * 64]) }
    let expected = try infer(model, "--input", Self.digits, "--x", "/test/x", "--argmax").output.split(separator: "\n")
      .dropFirst().prefix(3).map { Int($0)! }
    try JSONSerialization.data(withJSONObject: rows).write(to: URL(fileURLWithPath: folder.path("rows.json")))
    let fromJSON = try infer(model, "--input", folder.path("rows.json"), "--argmax", "--format", "jsonl")
    #expect(fromJSON.output.split(separator: "\n").map { Int($0)! } == expected)
    let lines = rows.map { row in "[" + row.map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: "\n")
    try lines.write(toFile: folder.path("rows.jsonl"), atomically: true, encoding: .utf8)
    let fromLines = try infer(model, "--input", folder.path("rows.jsonl"), "--argmax")
    #expect(fromLines.output.split(separator: "\n").dropFirst().map { Int($0)! } == expected)
    let csv = rows.map { $0.map { "\($0)" }.joined(separator: ",") }.joined(separator: "\n")
    try csv.write(toFile: folder.path("rows.csv"), atomically: true, encoding: .utf8)
    let fromCSV = try infer(model, "--input", folder.path("rows.csv"), "--argmax")
    #expect(fromCSV.output.split(separator: "\n").dropFirst().map { Int($0)! } == expected)
  }

  @Test func labelsPrintLossAccuracyAndConfusionMatrix() throws {
    let model = try TrainedModels.digitsCheckpoint
    let onlyMetrics = try infer(model, "--input", Self.digitsCSV, "--labels", "label", "--metrics-only")
    #expect(onlyMetrics.output.contains("samples: 360"))
    #expect(onlyMetrics.output.contains("accuracy: "))
    #expect(onlyMetrics.output.contains("confusion matrix"))
    let fromHDF5 = try infer(model, "--input", Self.digits, "--x", "/test/x", "--labels", "/test/y", "--metrics-only")
    #expect(fromHDF5.output == onlyMetrics.output)
    let withPredictions = try infer(model, "--input", Self.digitsCSV, "--labels", "label", "--argmax")
    #expect(withPredictions.output.split(separator: "\n").count == 361)
    #expect(withPredictions.error.contains("accuracy: "))
  }

  /// bpkit answers each line of standard input before the next is sent.
  @Test func standardInputIsAnsweredLineByLine() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: BPKitBinary.path)
    process.arguments = ["infer", try TrainedModels.digitsCheckpoint, "--input", "-", "--argmax"]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = Pipe()
    try process.run()
    let test = try Dataset.readHDF5(path: Self.digits, inputs: "/test/x", targets: nil)
    var answers: [String] = []
    var pending = Data()
    for row in 0..<3 {
      let line = "[" + test.inputs.scalars[row * 64..<(row + 1) * 64].map { "\($0)" }.joined(separator: ",") + "]\n"
      input.fileHandleForWriting.write(Data(line.utf8))
      while !pending.contains(UInt8(ascii: "\n")) {
        let chunk = output.fileHandleForReading.availableData
        #expect(!chunk.isEmpty, "bpkit closed its output before answering line \(row + 1)")
        if chunk.isEmpty { break }
        pending.append(chunk)
      }
      let newline = pending.firstIndex(of: UInt8(ascii: "\n"))!
      answers.append(String(decoding: pending[..<newline], as: UTF8.self))
      pending = Data(pending[(newline + 1)...])
    }
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let expected = try infer(try TrainedModels.digitsCheckpoint, "--input", Self.digits, "--x", "/test/x", "--argmax")
      .output.split(separator: "\n").dropFirst().prefix(3).map(String.init)
    #expect(answers == expected)
  }

  @Test func csvOnStandardInput() throws {
    let csv = try String(contentsOfFile: Self.digitsCSV, encoding: .utf8).split(separator: "\n").prefix(4)
      .joined(separator: "\n")
    let result = try infer(
      try TrainedModels.digitsCheckpoint, "--input", "-", "--ignore", "label", "--argmax",
      input: Data(csv.utf8))
    #expect(result.output.split(separator: "\n").count == 4)
  }

  @Test func sequenceModelsWriteStepsAndRefuseTwoDimensionalInput() throws {
    let folder = try TemporaryDirectory()
    let model = try TrainedModels.sequenceCheckpoint
    let data = folder.path("sine.h5")
    try SequenceData.writeNoisySine(to: data, samples: 5)
    let result = try infer(model, "--input", data, "--x", "/x", "--format", "json")
    let rows = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[Double]]
    #expect(rows?.count == 5)
    let flat = folder.path("flat.h5")
    try HDF5File.create(atPath: flat).root.write([Float](repeating: 0, count: 24), shape: [2, 12], to: "x")
    let refused = try BPKitBinary.run("infer", model, "--input", flat, "--x", "/x")
    #expect(refused.status == 3)
    #expect(refused.error.contains("3-D dataset [samples, steps, 1]"))
  }

  @Test func badInputGetsOneClearErrorNamingThePlace() throws {
    let folder = try TemporaryDirectory()
    let model = try TrainedModels.digitsCheckpoint
    func failure(_ arguments: [String], input: Data? = nil) throws -> ProcessResult {
      let result = try BPKitBinary.run(arguments: ["infer", model] + arguments, input: input)
      #expect(result.output.isEmpty || result.output.hasPrefix("y0") || result.output.hasPrefix("class"))
      #expect(result.error.split(separator: "\n").count == 1, "\(result.error)")
      return result
    }
    try "1,2,3\n".write(toFile: folder.path("narrow.csv"), atomically: true, encoding: .utf8)
    let narrow = try failure(["--input", folder.path("narrow.csv")])
    #expect(narrow.status == 3)
    #expect(narrow.error.contains("line 1") && narrow.error.contains("the model expects 64"))
    let text = String(repeating: "0,", count: 63) + "zero\n"
    try text.write(toFile: folder.path("text.csv"), atomically: true, encoding: .utf8)
    let nonNumeric = try failure(["--input", folder.path("text.csv")])
    #expect(nonNumeric.status == 3)
    #expect(nonNumeric.error.contains("line 1, column 64: 'zero' is not a number"))
    let empty = try failure(["--input", "-"], input: Data())
    #expect(empty.status == 3)
    #expect(empty.error.contains("holds no data rows"))
    let notModel = try BPKitBinary.run("infer", Self.digits, "--input", Self.digitsCSV)
    #expect(notModel.status == 3)
    #expect(notModel.error.contains(Self.digits))
    let missing = try BPKitBinary.run("infer", folder.path("none.h5"), "--input", Self.digitsCSV)
    #expect(missing.status == 4)
    let badJSON = try failure(["--input", "-"], input: Data("[1, 2,\n".utf8))
    #expect(badJSON.status == 3)
    #expect(badJSON.error.contains("standard input, line 1: invalid JSON"))
  }
}
