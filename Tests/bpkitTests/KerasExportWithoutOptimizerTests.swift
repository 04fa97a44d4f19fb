import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Keras export never writes an optimizer the model does not have: a model
/// without one (an RPROP run, whose optimizer Keras lacks, or a Keras file
/// whose optimizer was not recorded) is written uncompiled, and convert says so.
@Suite struct KerasExportWithoutOptimizerTests {
  let folder: TemporaryDirectory

  init() throws {
    folder = try TemporaryDirectory(prefix: "bpkit-uncompiled")
  }

  /// Whether the file holds a compile configuration (`.keras`) or a training configuration (legacy `.h5`).
  func isCompiled(_ path: String, format: KerasModel.Format) throws -> Bool {
    if format == .legacyHDF5 { return try HDF5File(openingAtPath: path).root.hasAttribute("training_config") }
    // config.json is stored uncompressed in the archive.
    return String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self).contains("compile_config")
  }

  @Test(arguments: [("keras", KerasModel.Format.archive), ("keras.h5", .legacyHDF5)])
  func anRPROPRunIsWrittenUncompiled(suffix: String, format: KerasModel.Format) throws {
    let checkpoint = folder.path("rprop.h5")
    let trained = try BPKitBinary.run(
      "train", "--layers", "4,8:tanh,3:softmax", "--data", Fixtures.path("datasets/iris.csv"), "--target", "species",
      "--optimizer", "rprop", "--epochs", "2", "--checkpoint", checkpoint, "--quiet")
    try #require(trained.status == 0, "\(trained.error)")
    let output = folder.path("rprop.\(suffix)")
    let result = try BPKitBinary.run(
      arguments: ["convert", checkpoint, output] + (format == .legacyHDF5 ? ["--to", "keras-h5"] : []))
    #expect(result.status == 0, "\(result.error)")
    #expect(
      result.error
        == "bpkit: note: Keras has no RPROP optimizer: the model is written without a compiled optimizer\n"
        + "bpkit: note: the loss cross_entropy is not written: Keras compiles a model with its optimizer, and there "
        + "is none to write, so the Keras file holds the model uncompiled\n")
    #expect(try !isCompiled(output, format: format))
    let back = try KerasModel(contentsOfFile: output)
    #expect(back.optimizer == nil && back.loss == nil)
    #expect(back.model == (try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))).model)
  }

  @Test func aKerasFileWithoutItsOptimizerIsNotGivenOne() throws {
    // The fixture records its loss but not its optimizer (Fixtures/keras/README.md).
    let input = Fixtures.path("keras/mlp_tanh_softmax.keras")
    let output = folder.path("again.keras")
    let result = try BPKitBinary.run("convert", input, output)
    #expect(result.status == 0, "\(result.error)")
    #expect(result.error.contains("the loss cross_entropy is not written"), "\(result.error)")
    #expect(try !isCompiled(output, format: .archive))
    let model = KerasModel(model: try KerasModel(contentsOfFile: input).model, loss: .meanSquaredError)
    #expect(model.writtenLoss == nil)
  }
}
