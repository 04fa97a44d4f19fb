import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Keras files bpkit exported, loaded in real Keras by Scripts/keras_reference.py,
/// with Keras' predictions stored beside them (Fixtures/keras-export/README.md).
@Suite struct KerasExportFixtureTests {
  static let cases = ["dense_every_activation", "elman_stack", "elman_per_step"]
  static let exports = ["keras", "keras.h5"]

  @Test(arguments: cases, exports)
  func kerasPredictsWhatBPKitPredicts(name: String, export: String) throws {
    let model = try Model(jsonContentsOf: Fixtures.path("keras-export/\(name).json"))
    let (x, kerasPrediction) = try KerasPredictionTests.reference(
      Fixtures.path("keras-export/\(name).\(export).pred.h5"))
    let predicted = try model.predict(x)
    #expect(predicted.shape == kerasPrediction.shape)
    #expect(KerasPredictionTests.largestDifference(predicted, kerasPrediction) <= 1e-5)
  }

  @Test(arguments: cases, exports)
  func exportedFilesReadBackAsTheSameModel(name: String, export: String) throws {
    let model = try Model(jsonContentsOf: Fixtures.path("keras-export/\(name).json"))
    #expect(try KerasModel(contentsOfFile: Fixtures.path("keras-export/\(name).\(export)")).model == model)
  }

  @Test(arguments: cases)
  func todaysExportMatchesTheVerifiedOne(name: String) throws {
    // The files Keras verified were written by an earlier bpkit; a fresh
    // export must hold the same configuration and weights. Compared as JSON
    // values: today's export writes float settings as floats (0.0 where the
    // earlier one wrote 0).
    let folder = try TemporaryDirectory()
    let model = try Model(jsonContentsOf: Fixtures.path("keras-export/\(name).json"))
    try KerasModel(model: model).write(toPath: folder.path("fresh.h5"), format: .legacyHDF5)
    let fresh = try HDF5File(openingAtPath: folder.path("fresh.h5"))
    let verified = try HDF5File(openingAtPath: Fixtures.path("keras-export/\(name).keras.h5"))
    func config(_ file: HDF5File) throws -> NSDictionary? {
      try JSONSerialization.jsonObject(with: Data(try file.root.stringAttribute("model_config").utf8)) as? NSDictionary
    }
    let expected = try config(verified)
    #expect(expected != nil)
    #expect(try config(fresh) == expected)
  }
}
