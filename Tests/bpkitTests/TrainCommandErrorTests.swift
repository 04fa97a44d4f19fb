import Foundation
import Testing
import _BPKitTestSupport

@Suite struct TrainCommandErrorTests {
  func write(_ text: String, _ name: String, in folder: TemporaryDirectory) throws -> String {
    let path = folder.path(name)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func expectFailure(
    _ arguments: [String], status: Int32, message: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let result = try BPKitBinary.run(arguments: ["train", "--epochs", "1", "--quiet"] + arguments)
    #expect(result.status == status, "\(result.error)", sourceLocation: sourceLocation)
    #expect(result.error.contains(message), "\(result.error)", sourceLocation: sourceLocation)
    #expect(result.error.hasPrefix("bpkit: error:") || result.error.hasPrefix("Error:"), sourceLocation: sourceLocation)
  }

  @Test func badDataGetsOneClearErrorAndDocumentedCode() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = folder.path("c.h5")
    let common = ["--layers", "2,3:softmax", "--checkpoint", checkpoint]
    try expectFailure(common + ["--data", folder.path("none.csv")], status: 4, message: "no such file")
    try expectFailure(
      common + ["--data", try write("a,b,label\n1,2,0\n1,2\n", "ragged.csv", in: folder)], status: 3,
      message: "line 3: 2 fields")
    try expectFailure(
      common + ["--data", try write("a,b,label\n1,x,0\n", "text.csv", in: folder)], status: 3,
      message: "line 2, column 'b' (2): 'x' is not a number")
    try expectFailure(
      common + ["--data", try write("a,b,label\n1,nan,0\n", "nan.csv", in: folder)], status: 3,
      message: "not a finite number")
    try expectFailure(
      common + ["--data", try write("a,b,label\n1,2,7\n", "label.csv", in: folder)], status: 3,
      message: "label.csv, line 2, column 'label' (3): class label 7 is not a whole number in 0..<3")
    try expectFailure(
      [
        "--layers", "5,3:softmax", "--checkpoint", checkpoint, "--data",
        try write("a,b,label\n1,2,0\n", "w.csv", in: folder),
      ],
      status: 3, message: "the network takes [5]")
    try expectFailure(["--resume", Fixtures.path("datasets/digits.h5")], status: 3, message: "digits.h5")
    #expect(!FileManager.default.fileExists(atPath: checkpoint))
  }

  @Test func usageErrorsExitWithTwo() throws {
    let result = try BPKitBinary.run("train", "--layers", "2,3", "--model", "m.h5", "--data", "x.csv")
    #expect(result.status == 2)
    #expect(result.error.contains("exactly one of --layers, --model or --resume"))
    // A bad layer specification is a bad value on the command line: usage, 2.
    let spec = try BPKitBinary.run("train", "--layers", "2,3:swiglu", "--data", Fixtures.path("datasets/iris.csv"))
    #expect(spec.status == 2)
    #expect(spec.error.contains("swiglu"))
  }

  @Test func optionsThatMeanNothingForTheRunAreUsageErrors() throws {
    let folder = try TemporaryDirectory()
    let iris = ["--data", Fixtures.path("datasets/iris.csv"), "--target", "species"]
    try expectFailure(
      ["--layers", "4,3:softmax", "--momentum", "0.5", "--checkpoint", folder.path("a.h5")] + iris, status: 2,
      message: "--momentum is a setting of the sgd, momentum, nesterov and rmsprop optimizers; adam has none")
    try expectFailure(
      ["--layers", "4,std,3:softmax", "--checkpoint", folder.path("b.h5")] + iris, status: 2,
      message: "add --standardize, or drop std from --layers")
    try expectFailure(
      ["--layers", "4,3:softmax", "--checkpoint", folder.path("c.json")] + iris, status: 2,
      message: "give --checkpoint c.h5 and convert it afterwards")
    try expectFailure(
      ["--layers", "4,3:softmax", "--checkpoint", folder.path("none/d.h5")] + iris, status: 4,
      message: "the folder '\(folder.path("none"))' does not exist")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
  }

  @Test func trainSaysWhatItDropsFromAKerasFileAndStopsWhereItWouldDefault() throws {
    let folder = try TemporaryDirectory()
    let file = Fixtures.path("keras/mlp_tanh_softmax.keras")
    let arguments = [
      "train", "--model", file, "--data", Fixtures.path("datasets/iris.csv"), "--target", "species", "--epochs", "1",
      "--checkpoint", folder.path("run.h5"), "--quiet",
    ]
    let refused = try BPKitBinary.run(arguments: arguments)
    #expect(refused.status == 2, "\(refused.error)")
    #expect(refused.error.hasSuffix("choose one with --optimizer\n"), "\(refused.error)")
    let trained = try BPKitBinary.run(arguments: arguments + ["--optimizer", "sgd"])
    #expect(trained.status == 0, "\(trained.error)")
    #expect(
      trained.error.contains("bpkit: note: \(file): not kept: optimizer state not imported"), "\(trained.error)")
  }
}
