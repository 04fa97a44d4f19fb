import HDF5
import Testing
import _BPKitTestSupport

@Suite struct AttributeTests {
  @Test func roundTripsScalarsArraysAndStrings() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("attributes.h5")
    do {
      let root = try HDF5File.create(atPath: path).root
      try root.setAttribute("format_version", to: Int64(1))
      try root.setAttribute("learning_rate", to: 0.125)
      try root.setAttribute("rng_state", to: [UInt64.max, 0, 42])
      try root.setAttribute("kind", to: "checkpoint ✓")
      try root.setAttribute("names", to: ["dense_1", "élman"])
      try root.setAttribute("kind", to: "model")
      let dataset = try root.write([Float(1), 2], shape: [2], to: "x")
      try dataset.setAttribute("scale", to: Float(0.5))
    }
    let root = try HDF5File(openingAtPath: path).root
    #expect(try root.attribute("format_version", as: Int64.self) == 1)
    #expect(try root.attribute("learning_rate", as: Double.self) == 0.125)
    #expect(try root.attributeArray("rng_state", as: UInt64.self) == [UInt64.max, 0, 42])
    #expect(try root.stringAttribute("kind") == "model")
    #expect(try root.stringArrayAttribute("names") == ["dense_1", "élman"])
    #expect(try Set(root.attributeNames()) == ["format_version", "learning_rate", "rng_state", "kind", "names"])
    #expect(try root.openDataset("x").attribute("scale", as: Float.self) == 0.5)
    #expect(try root.hasAttribute("kind"))
    #expect(try !root.hasAttribute("nothing"))
  }

  @Test func readsKerasFixedLengthStringArrays() throws {
    let group = try HDF5File(openingAtPath: Fixtures.path("keras/mlp_tanh_softmax.h5")).root
      .openGroup("model_weights")
    #expect(try group.stringArrayAttribute("layer_names") == ["hidden", "out"])
  }

  @Test func attributeErrorsNameTheAttribute() throws {
    let folder = try TemporaryDirectory()
    let root = try HDF5File.create(atPath: folder.path("a.h5")).root
    try root.setAttribute("epoch", to: Int64(3))
    try root.setAttribute("pair", to: [Int64(1), 2])
    let missing = #expect(throws: HDF5Error.self) { try root.attribute("epochs", as: Int64.self) }
    #expect(missing?.kind == .objectNotFound)
    #expect(missing?.description.contains("epochs") == true)
    let mistyped = #expect(throws: HDF5Error.self) { try root.attribute("epoch", as: Float.self) }
    #expect(mistyped?.kind == .typeMismatch)
    let notString = #expect(throws: HDF5Error.self) { try root.stringAttribute("epoch") }
    #expect(notString?.kind == .typeMismatch)
    let notScalar = #expect(throws: HDF5Error.self) { try root.attribute("pair", as: Int64.self) }
    #expect(notScalar?.kind == .shapeMismatch)
  }
}
