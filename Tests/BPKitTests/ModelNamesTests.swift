import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// A model keeps its features' and classes' names through every format.
@Suite struct ModelNamesTests {
  static let features = ["sepal length", "sepal_width", "pétale", "petal,width"]
  static let classes = ["setosa", "versicolor", "virginica"]

  static var named: Model {
    try! FixedModels.iris.named(ModelNames(features: features, classes: classes))
  }

  @Test func namesMustFitTheNetwork() throws {
    let model = FixedModels.iris
    #expect(model.featureNames == ["x0", "x1", "x2", "x3"])
    #expect(model.className(2) == "2")
    #expect(Self.named.featureNames == Self.features)
    #expect(Self.named.className(1) == "versicolor")
    expectReason(ModelError.invalidNames("3 feature names for an input of 4 features")) {
      try model.named(ModelNames(features: ["a", "b", "c"]))
    }
    expectReason(ModelError.invalidNames("2 class names for a classifier over 3 classes (softmax)")) {
      try model.named(ModelNames(classes: ["a", "b"]))
    }
    expectReason(ModelError.invalidNames("class name 'a' appears twice")) {
      try model.named(ModelNames(classes: ["a", "b", "a"]))
    }
    expectReason(ModelError.invalidNames("feature name 2 is empty")) {
      try model.named(ModelNames(features: ["a", "", "c", "d"]))
    }
  }

  @Test func hdf5JSONAndKerasKeepTheNamesExactly() throws {
    let folder = try TemporaryDirectory()
    let model = Self.named
    try model.write(to: URL(fileURLWithPath: folder.path("m.h5")))
    let fromHDF5 = try Model(contentsOf: URL(fileURLWithPath: folder.path("m.h5")))
    #expect(fromHDF5 == model)
    #expect(fromHDF5.names == ModelNames(features: Self.features, classes: Self.classes))
    try fromHDF5.writeJSON(toPath: folder.path("m.json"))
    let fromJSON = try Model(jsonContentsOf: folder.path("m.json"))
    #expect(fromJSON == model)
    JSONOutputs.keep(fileAtPath: folder.path("m.json"), kind: "model", name: "named-model.json")
    for format in [KerasModel.Format.archive, .legacyHDF5] {
      let path = folder.path("m.\(format.rawValue)")
      try KerasModel(model: fromJSON).write(toPath: path, format: format)
      #expect(try KerasModel(contentsOfFile: path).model == model, "\(format)")
    }
    let file = try HDF5File(openingAtPath: folder.path("m.h5"))
    #expect(try file.root.openDataset("feature_names").readStrings() == Self.features)
    #expect(try file.root.openDataset("class_names").readStrings() == Self.classes)
    #expect(try file.root.stringAttribute("format_version") == FormatVersion.current.description)
  }

  @Test func formatOneZeroFilesStillRead() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("old.h5")
    try FixedModels.iris.write(to: URL(fileURLWithPath: path))
    do {
      let file = try HDF5File(openingAtPath: path, mode: .readWrite)
      try file.root.setAttribute("format_version", to: "1.0")
      try file.close()
    }
    try FileSeal.reseal(path)
    let model = try Model(contentsOf: URL(fileURLWithPath: path))
    #expect(model == FixedModels.iris)
    #expect(model.names.isEmpty)
  }

  @Test func inspectShowsTheNames() throws {
    let summary = FileSummary(.model(Self.named), path: "m.h5", fileSize: 1, format: ("hdf5", "1.1"))
    #expect(summary.text.contains("Features    sepal length, sepal_width, pétale, petal,width\n"))
    #expect(summary.text.contains("Classes     setosa, versicolor, virginica\n"))
    let object = try JSONSerialization.jsonObject(with: try summary.jsonData()) as? [String: Any]
    let model = object?["model"] as? [String: Any]
    #expect(model?["feature_names"] as? [String] == Self.features)
    #expect(model?["class_names"] as? [String] == Self.classes)
    let plain = FileSummary(.model(FixedModels.iris), path: "m.h5", fileSize: 1, format: ("hdf5", "1.1"))
    let plainModel =
      (try JSONSerialization.jsonObject(with: try plain.jsonData()) as? [String: Any])?["model"] as? [String: Any]
    #expect(plainModel?["class_names"] is NSNull)
    #expect(plainModel?.keys.contains("feature_names") == true)
  }
}
