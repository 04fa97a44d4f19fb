import HDF5
import Testing
import _BPKitTestSupport

@Suite struct GroupTests {
  @Test func createsListsAndOpensNestedGroups() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("groups.h5")
    do {
      let root = try HDF5File.create(atPath: path).root
      let model = try root.createGroup("model")
      try model.createGroup("dense_2")
      try model.createGroup("dense_1").write([Float(1)], shape: [1], to: "bias")
      try root.write([Int64(3)], shape: [], to: "epoch")
    }
    let root = try HDF5File(openingAtPath: path).root
    #expect(try root.children() == ["epoch", "model"])
    #expect(try root.openGroup("model").children() == ["dense_1", "dense_2"])
    #expect(try root.contains("model/dense_1/bias"))
    #expect(try !root.contains("model/dense_3/bias"))
    #expect(try !root.contains("nothing"))
    #expect(try root.kindOfChild("model") == .group)
    #expect(try root.kindOfChild("epoch") == .dataset)
    #expect(try root.openDataset("model/dense_1/bias").path == "/model/dense_1/bias")
    #expect(try root.openGroup("model").openGroup("dense_1").path == "/model/dense_1")
  }

  @Test func missingAndMistypedChildrenAreErrors() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("missing.h5")
    let root = try HDF5File.create(atPath: path).root
    try root.createGroup("g")
    let missing = #expect(throws: HDF5Error.self) { try root.openDataset("weights") }
    #expect(missing?.kind == .objectNotFound)
    #expect(missing?.objectPath == "/weights")
    #expect(missing?.file == path)
    let wrongKind = #expect(throws: HDF5Error.self) { try root.openDataset("g") }
    #expect(wrongKind?.kind == .wrongObjectKind)
    let duplicate = #expect(throws: HDF5Error.self) { try root.createGroup("g") }
    #expect(duplicate?.kind == .alreadyExists)
  }

  @Test func listsThousandsOfChildrenInNameOrder() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("many.h5")
    let names = (0..<5000).map { "g\($0)" }
    do {
      let root = try HDF5File.create(atPath: path).root
      for name in names.shuffled() { try root.createGroup(name) }
    }
    #expect(try HDF5File(openingAtPath: path).root.children() == names.sorted())
  }

  @Test func identitiesTellObjectsApart() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("identity.h5")
    let root = try HDF5File.create(atPath: path).root
    try root.createGroup("a").createGroup("b")
    try root.write([Float(1)], shape: [1], to: "x")
    #expect(try root.identityOfChild("a") == root.identityOfChild("a"))
    #expect(try root.identityOfChild("a") != root.identityOfChild("x"))
    #expect(try root.identityOfChild("a/b") == root.openGroup("a").identityOfChild("b"))
  }
}
