import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Iris with its species as text: the model keeps the CSV's feature and
/// class names, infer matches columns by name and speaks class names, and
/// every conversion keeps the names exactly.
@Suite struct NamedDataTests {
  static let species = ["setosa", "versicolor", "virginica"]
  static let features = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

  /// Fixtures/datasets/iris.csv with the species as names, and the same
  /// data with its columns reordered and an extra `id` column.
  static func writeData(in folder: TemporaryDirectory) throws -> (named: String, reordered: String) {
    let lines = try String(contentsOfFile: Fixtures.path("datasets/iris.csv"), encoding: .utf8)
      .split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    var named = [lines[0].joined(separator: ",")]
    var reordered = ["petal_width,id,sepal_width,species,sepal_length,petal_length"]
    for (index, row) in lines.dropFirst().enumerated() {
      let name = species[Int(row[4])!]
      named.append((row[0..<4] + [name]).joined(separator: ","))
      reordered.append([row[3], "\(index)", row[1], name, row[0], row[2]].joined(separator: ","))
    }
    let paths = (folder.path("iris_named.csv"), folder.path("iris_reordered.csv"))
    try (named.joined(separator: "\n") + "\n").write(toFile: paths.0, atomically: true, encoding: .utf8)
    try (reordered.joined(separator: "\n") + "\n").write(toFile: paths.1, atomically: true, encoding: .utf8)
    return paths
  }

  @Test func stringLabelsTrainAClassifierThatSpeaksTheirNames() throws {
    let folder = try TemporaryDirectory()
    let data = try Self.writeData(in: folder)
    let checkpoint = folder.path("iris.ckpt.h5")
    let trained = try BPKitBinary.run(
      "train", "--layers", "4,8:tanh,3:softmax", "--data", data.named, "--target", "species", "--standardize",
      "--epochs", "40", "--lr", "0.05", "--quiet", "--checkpoint", checkpoint)
    #expect(trained.status == 0, "\(trained.error)")
    let model = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint)).model
    #expect(model.names == ModelNames(features: Self.features, classes: Self.species))

    // Columns by name, in another order, with an extra one noted and ignored.
    let scored = try BPKitBinary.run(
      "infer", checkpoint, "--input", data.reordered, "--labels", "species", "--metrics-only")
    #expect(scored.status == 0, "\(scored.error)")
    let accuracy = scored.output.split(separator: "\n").first { $0.hasPrefix("accuracy: ") }
    #expect(Double(accuracy?.dropFirst("accuracy: ".count).dropLast() ?? "0") ?? 0 > 90, "\(scored.output)")
    #expect(scored.output.contains("setosa"), "the confusion matrix names the classes")
    #expect(scored.error.contains("column id is not among the model's features; ignored"), "\(scored.error)")
    let positional = try BPKitBinary.run(
      "infer", checkpoint, "--input", data.named, "--labels", "species", "--metrics-only")
    #expect(positional.output.split(separator: "\n").first { $0.hasPrefix("accuracy") } == accuracy)

    let argmax = try BPKitBinary.run(
      "infer", checkpoint, "--input", data.reordered, "--ignore", "species,id", "--argmax")
    #expect(argmax.status == 0, "\(argmax.error)")
    let predicted = argmax.output.split(separator: "\n").dropFirst()
    #expect(predicted.count == 150)
    #expect(predicted.allSatisfy { Self.species.contains(String($0)) })
    let top = try BPKitBinary.run(
      "infer", checkpoint, "--input", data.reordered, "--ignore", "species,id", "--top-k", "2", "--format", "jsonl")
    let first =
      try JSONSerialization.jsonObject(with: Data(top.output.split(separator: "\n")[0].utf8)) as? [[String: Any]]
    #expect(first?[0]["class"] as? String == "setosa")

    // Missing columns are named.
    let missing = folder.path("missing.csv")
    try "sepal_width,petal_width\n3.5,0.2\n".write(toFile: missing, atomically: true, encoding: .utf8)
    let refused = try BPKitBinary.run("infer", checkpoint, "--input", missing)
    #expect(refused.status == 3)
    #expect(
      refused.error.contains("lacks the columns sepal_length, petal_length that the model's features need"),
      "\(refused.error)")
  }

  @Test func theNamesSurviveEveryConversion() throws {
    let folder = try TemporaryDirectory()
    let data = try Self.writeData(in: folder)
    let checkpoint = folder.path("iris.ckpt.h5")
    let trained = try BPKitBinary.run(
      "train", "--layers", "4,3:softmax", "--data", data.named, "--target", "species", "--epochs", "2", "--quiet",
      "--checkpoint", checkpoint)
    #expect(trained.status == 0, "\(trained.error)")
    let steps = [
      (checkpoint, folder.path("a.json")), (folder.path("a.json"), folder.path("b.h5")),
      (folder.path("b.h5"), KerasOutputs.path("iris_named.keras")),
      (KerasOutputs.path("iris_named.keras"), folder.path("c.h5")),
      (folder.path("c.h5"), folder.path("iris_named.keras.h5")),
      (folder.path("iris_named.keras.h5"), folder.path("d.h5")),
    ]
    for (from, to) in steps {
      let arguments = ["convert", from, to] + (to.hasSuffix(".keras.h5") ? ["--to", "keras-h5"] : [])
      let converted = try BPKitBinary.run(arguments: arguments)
      #expect(converted.status == 0, "\(from) -> \(to): \(converted.error)")
      let inspected = try BPKitBinary.run("inspect", "--json", to)
      let model =
        (try JSONSerialization.jsonObject(with: Data(inspected.output.utf8)) as? [String: Any])?["model"]
        as? [String: Any]
      #expect(model?["feature_names"] as? [String] == Self.features, "\(to)")
      #expect(model?["class_names"] as? [String] == Self.species, "\(to)")
    }
    let start = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint)).model
    #expect(try Model(contentsOf: URL(fileURLWithPath: folder.path("d.h5"))) == start)
    // make test loads the .keras file in Keras, compiled, and trains it one
    // step. The legacy file stays in the test's folder: it comes from c.h5, a
    // model that the .keras -> HDF5 step wrote without the optimizer.
    let optimizer = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint)).optimizer.configuration
    KerasOutputs.expect(
      KerasOutputs.path("iris_named.keras"), optimizer: "Adam",
      hyperparameters: ["learning_rate": optimizer.learningRate, "beta_1": 0.9, "beta_2": 0.999],
      loss: "categorical_crossentropy")
  }
}

@Suite struct HDF5FeatureNameTests {
  /// In memory or streamed from disk, the model keeps the data's names.
  @Test(arguments: [false, true]) func aFeatureNamesAttributeNamesTheModelsFeatures(streamed: Bool) throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("data.h5")
    do {
      let file = try HDF5File.create(atPath: path)
      let train = try file.root.createGroup("train")
      try train.write((0..<12).map { Float($0) / 12 }, shape: [4, 3], to: "x")
      try train.write([Float](arrayLiteral: 0, 1, 0, 1), shape: [4], to: "y")
      try train.openDataset("x").setAttribute("feature_names", to: ["age", "height", "weight"])
      try file.close()
    }
    let checkpoint = folder.path("run.ckpt.h5")
    let trained = try BPKitBinary.run(
      arguments: [
        "train", "--layers", "3,1:sigmoid", "--data", path, "--epochs", "1", "--quiet", "--checkpoint", checkpoint,
      ]
        + (streamed ? ["--stream"] : []))
    #expect(trained.status == 0, "\(trained.error)")
    let model = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint)).model
    #expect(model.names == ModelNames(features: ["age", "height", "weight"]))
  }
}
