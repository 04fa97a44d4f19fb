import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// What `--argmax`, `--top-k` and `--labels` mean for each kind of output:
/// a binary classifier's one sigmoid output is class 1 when p >= 0.5, and a
/// regression model has values, not classes.
@Suite struct InferOutputKindTests {
  /// One dense unit computing a + b, with the given activation.
  static func sumModel(_ activation: Activation, in folder: TemporaryDirectory) throws -> String {
    let network = NetworkDescription(
      input: .vector(features: 2),
      layers: [Layer(name: "out", kind: .dense(units: 1, activation: activation, useBias: true))])
    let model = try Model(
      network: network,
      parameters: [
        ParameterKey(layer: "out", name: "kernel"): Tensor(shape: [2, 1], scalars: [1, 1]),
        ParameterKey(layer: "out", name: "bias"): Tensor(shape: [1], scalars: [0]),
      ])
    let path = folder.path("\(activation.name).h5")
    try model.write(to: URL(fileURLWithPath: path))
    return path
  }

  static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

  @Test func aBinaryClassifiersClassIsPAtLeastOneHalf() throws {
    let folder = try TemporaryDirectory()
    let model = try Self.sumModel(.sigmoid, in: folder)
    let rows = Data("2,2\n-2,-2\n0,0\n".utf8)
    let argmax = try BPKitBinary.run("infer", model, "--input", "-", "--argmax", input: rows)
    #expect(argmax.status == 0, "\(argmax.error)")
    #expect(argmax.output == "class\n1\n0\n1\n")
    let json = try BPKitBinary.run("infer", model, "--input", "-", "--argmax", "--format", "json", input: rows)
    #expect(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [Int] == [1, 0, 1])

    let top = try BPKitBinary.run("infer", model, "--input", "-", "--top-k", "2", input: rows)
    #expect(top.status == 0, "\(top.error)")
    let high = Self.sigmoid(4)
    let low = Self.sigmoid(-4)
    #expect(
      top.output.split(separator: "\n").map(String.init) == [
        "class1,score1,class2,score2", "1,\(high),0,\(1 - high)", "0,\(1 - low),1,\(low)", "1,0.5,0,0.5",
      ])
    let one = try BPKitBinary.run("infer", model, "--input", "-", "--top-k", "1", input: rows)
    #expect(one.output.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] } == ["1", "0", "1"])

    let tooMany = try BPKitBinary.run("infer", model, "--input", "-", "--top-k", "3", input: rows)
    #expect(tooMany.status == 2)
    #expect(tooMany.error.contains("--top-k 3 exceeds the model's 2 classes"))

    try "a,b,label\n2,2,1\n-2,-2,0\n1,-3,0\n3,-1,0\n".write(
      toFile: folder.path("labelled.csv"), atomically: true, encoding: .utf8)
    let h5 = folder.path("classes.h5")
    let written = try BPKitBinary.run(
      "infer", model, "--input", folder.path("labelled.csv"), "--ignore", "label", "--argmax", "--output", h5)
    #expect(written.status == 0, "\(written.error)")
    #expect(try HDF5File(openingAtPath: h5).root.openDataset("classes").read(as: Int64.self) == [1, 0, 0, 1])
    // The accuracy of --labels agrees with --argmax: 3 of 4.
    let scored = try BPKitBinary.run(
      "infer", model, "--input", folder.path("labelled.csv"), "--labels", "label", "--metrics-only")
    #expect(scored.output.contains("accuracy: 75.00%"), "\(scored.output)")
  }

  @Test func aRegressionModelRefusesClassesAndReportsErrors() throws {
    let folder = try TemporaryDirectory()
    let model = try Self.sumModel(.linear, in: folder)
    for option in [["--argmax"], ["--top-k", "1"]] {
      let refused = try BPKitBinary.run(
        arguments: ["infer", model, "--input", "-"] + option, input: Data("1,2\n".utf8))
      #expect(refused.status == 2)
      #expect(refused.error.split(separator: "\n").count == 1)
      #expect(refused.error.contains("\(option[0]) needs a classifier"), "\(refused.error)")
      #expect(refused.error.contains("regression model"))
      // A model file does not record its loss: its linear output might be logits, given --loss.
      #expect(refused.error.contains("give --loss cross-entropy-from-logits"), "\(refused.error)")
      #expect(refused.output.isEmpty)
    }
    // Targets 3, 0, -1, 4 against predictions 3, 1, -2, 2: errors 0, 1, -1, -2.
    try "a,b,y\n1,2,3\n0,1,0\n-1,-1,-1\n1,1,4\n".write(
      toFile: folder.path("values.csv"), atomically: true, encoding: .utf8)
    let scored = try BPKitBinary.run(
      "infer", model, "--input", folder.path("values.csv"), "--labels", "y", "--metrics-only")
    #expect(scored.status == 0, "\(scored.error)")
    let lines = scored.output.split(separator: "\n").map(String.init)
    #expect(lines.contains("loss (mse): 1.500000"))
    #expect(lines.contains("mae: 1.000000"))
    // SS_res = 6; the targets' mean is 1.5, SS_tot = 2.25 + 2.25 + 6.25 + 6.25 = 17.
    #expect(lines.contains(String(format: "r2: %.6f", 1 - 6.0 / 17)))
    #expect(!scored.output.contains("accuracy"))
  }

  @Test func plottingAccuracyOfARegressionRunIsRefused() throws {
    let folder = try TemporaryDirectory()
    try "a,b,y\n1,2,3\n0,1,1\n-1,-1,-2\n1,1,2\n".write(
      toFile: folder.path("values.csv"), atomically: true, encoding: .utf8)
    let checkpoint = folder.path("run.ckpt.h5")
    let trained = try BPKitBinary.run(
      "train", "--layers", "2,1", "--data", folder.path("values.csv"), "--target", "y", "--epochs", "2", "--quiet",
      "--checkpoint", checkpoint)
    #expect(trained.status == 0, "\(trained.error)")
    let refused = try BPKitBinary.run("plot", checkpoint, "-o", folder.path("curves.svg"), "--metric", "accuracy")
    #expect(refused.status == 2)
    #expect(refused.error.contains("--metric accuracy needs a classifier"), "\(refused.error)")
    #expect(!FileManager.default.fileExists(atPath: folder.path("curves.svg")))
  }
}
