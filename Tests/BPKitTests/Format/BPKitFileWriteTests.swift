import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// `BPKitFile.write(to:format:options:)`, the one way to write a model or
/// checkpoint: every format reads back through `BPKitFile.open` as the same
/// model, and what a format does not keep is said, not dropped in silence.
@Suite struct BPKitFileWriteTests {
  let folder: TemporaryDirectory
  let checkpoint: Checkpoint

  init() throws {
    folder = try TemporaryDirectory()
    let keras = try KerasModel(contentsOfFile: Fixtures.path("keras/mlp_layers_folded.keras"))
    checkpoint = Checkpoint(
      model: keras.model, optimizer: try #require(keras.optimizer),
      configuration: TrainingConfiguration(loss: .categoricalCrossEntropy),
      progress: TrainingProgress(random: RandomState(words: [1, 2, 3, 4])))
  }

  func url(_ name: String) -> URL { URL(fileURLWithPath: folder.path(name)) }

  static func checkpoint(in file: BPKitFile) -> Checkpoint? {
    if case .checkpoint(let checkpoint) = file { checkpoint } else { nil }
  }

  static func keras(in file: BPKitFile) -> KerasModel? {
    if case .keras(let keras) = file { keras } else { nil }
  }

  @Test(arguments: FileFormat.allCases) func everyFormatReadsBackAsTheSameModel(format: FileFormat) throws {
    let destination = url("model.\(format == .kerasHDF5 ? "h5" : format.rawValue)")
    let notes = try BPKitFile.model(checkpoint.model).write(to: destination, format: format)
    #expect(notes.isEmpty, "a model alone loses nothing in \(format): \(notes)")
    let read = try BPKitFile.open(destination).model
    #expect(read.network == checkpoint.model.network)
    #expect(read.parameters == checkpoint.model.parameters)
  }

  @Test(arguments: [FileFormat.hdf5, .json]) func bpkitFormatsKeepACheckpointWhole(format: FileFormat) throws {
    let destination = url("run.\(format.rawValue)")
    #expect(try BPKitFile.checkpoint(checkpoint).write(to: destination, format: format).isEmpty)
    let read = try #require(Self.checkpoint(in: try BPKitFile.open(destination)), "reads back as a checkpoint")
    #expect(read.optimizer == checkpoint.optimizer)
    #expect(read.configuration == checkpoint.configuration)
  }

  @Test(arguments: [FileFormat.onnx, .safetensors]) func modelOnlyFormatsSayTheyDropTrainingState(format: FileFormat)
    throws
  {
    let notes = try BPKitFile.checkpoint(checkpoint).write(to: url("run.\(format.rawValue)"), format: format)
    #expect(notes.count == 1)
    #expect(notes.first?.contains("optimizer state and training progress are not kept") == true, "\(notes)")
  }

  @Test func anRPROPCheckpointForKerasIsWrittenUncompiledAndSaysSo() throws {
    var rprop = checkpoint
    rprop.optimizer = OptimizerState(configuration: OptimizerConfiguration(kind: .rprop))
    let notes = try BPKitFile.checkpoint(rprop).write(to: url("run.keras"), format: .keras)
    #expect(
      notes == [
        "Keras has no RPROP optimizer: the model is written without a compiled optimizer",
        "the loss cross_entropy is not written: Keras compiles a model with its optimizer, and there is none to "
          + "write, so the Keras file holds the model uncompiled",
      ])
    let keras = try #require(Self.keras(in: try BPKitFile.open(url("run.keras"))), "reads back as a Keras model")
    #expect(keras.optimizer == nil)
    #expect(keras.loss == nil)
    #expect(keras.model.parameters == checkpoint.model.parameters)
  }

  @Test func formatsAreNamedByExtension() {
    #expect(FileFormat(pathExtensionOf: "a/b.H5") == .hdf5)
    #expect(FileFormat(pathExtensionOf: "b.hdf5") == .hdf5)
    #expect(FileFormat(pathExtensionOf: "b.json") == .json)
    #expect(FileFormat(pathExtensionOf: "b.keras") == .keras)
    #expect(FileFormat(pathExtensionOf: "b.onnx") == .onnx)
    #expect(FileFormat(pathExtensionOf: "b.safetensors") == .safetensors)
    #expect(FileFormat(pathExtensionOf: "b.ckpt") == nil)
    #expect(FileFormat(pathExtensionOf: "b") == nil)
  }

  @Test func aNetworkIsTakenOnlyForSafetensors() throws {
    let destination = url("model.h5")
    try BPKitFile.model(checkpoint.model).write(to: destination, format: .hdf5)
    expectReason(SafetensorsError.self) {
      try BPKitFile.open(destination, network: checkpoint.model.network)
    }
  }
}
