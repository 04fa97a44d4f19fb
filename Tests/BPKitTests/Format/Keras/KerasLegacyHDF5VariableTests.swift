import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@testable import BPKit

/// Keras weights are datasets at `layers/<name>/vars/<index>`: one walk of
/// the path says whether a variable is there and opens it.
@Suite struct KerasLegacyHDF5VariableTests {
  let folder: TemporaryDirectory

  init() throws {
    folder = try TemporaryDirectory()
  }

  /// A file with `layers/dense/vars/0` (a dataset) and `layers/dense/vars/1` (a group).
  func weights() throws -> HDF5File {
    let path = folder.path("weights.h5")
    do {
      let file = try HDF5File.create(atPath: path)
      let vars = try file.root.createGroup("layers").createGroup("dense").createGroup("vars")
      try vars.write([Float(1), 2, 3], shape: [3], to: "0")
      _ = try vars.createGroup("1")
      try file.close()
    }
    return try HDF5File(openingAtPath: path)
  }

  @Test func aVariableThatIsThereIsOpened() throws {
    let file = try weights()
    let variable = try KerasLegacyHDF5.variableIfPresent("layers/dense/vars/0", in: try file.root, file: "w.h5")
    #expect(try variable?.read().scalars == [1, 2, 3])
    #expect(
      try KerasLegacyHDF5.variable("layers/dense/vars/0", in: try file.root, file: "w.h5").read().scalars == [1, 2, 3])
  }

  @Test func aMissingLevelIsNoVariable() throws {
    let file = try weights()
    for path in ["layers/dense/vars/2", "layers/other/vars/0", "optimizer/vars/0", "layers/dense/vars/0/x"] {
      #expect(try KerasLegacyHDF5.variableIfPresent(path, in: try file.root, file: "w.h5") == nil)
      expectReason(FormatError.missingObject(file: "w.h5", path: "/" + path)) {
        try KerasLegacyHDF5.variable(path, in: try file.root, file: "w.h5")
      }
    }
  }

  @Test func aGroupWhereAVariableBelongsIsRefusedAsMissing() throws {
    let file = try weights()
    let missing = FormatError.missingObject(file: "w.h5", path: "/layers/dense/vars/1")
    expectReason(missing) {
      try KerasLegacyHDF5.variableIfPresent("layers/dense/vars/1", in: try file.root, file: "w.h5")
    }
    expectReason(missing) { try KerasLegacyHDF5.variable("layers/dense/vars/1", in: try file.root, file: "w.h5") }
  }
}
