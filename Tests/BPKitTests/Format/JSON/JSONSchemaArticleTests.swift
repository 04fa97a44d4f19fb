import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// The code of the DocC article JSONSchema.md, run as written but with
/// paths in a temporary folder (tests run in parallel, so none changes the
/// working directory).
@Suite struct JSONSchemaArticleTests {
  @Test func jsonSnippetsWork() throws {
    let folder = try TemporaryDirectory()
    let keras = try KerasModel(contentsOfFile: Fixtures.path("keras/rnn_tanh_last.h5"))
    let model = keras.model
    let checkpoint = Checkpoint(
      model: model, optimizer: try #require(keras.optimizer),
      configuration: TrainingConfiguration(loss: .meanSquaredError),
      progress: TrainingProgress(random: RandomState(words: [1, 2, 3, 4])))

    try BPKitFile.model(model).write(to: URL(fileURLWithPath: folder.path("model.json")), format: .json)
    try BPKitFile.checkpoint(checkpoint).write(
      to: URL(fileURLWithPath: folder.path("run.json")), format: .json, options: FileWriteOptions(jsonWeights: .base64))
    let again = try BPKitFile.open(URL(fileURLWithPath: folder.path("model.json"))).model

    #expect(again == model)
    #expect(try BPKitFile.open(URL(fileURLWithPath: folder.path("run.json"))).optimizer == checkpoint.optimizer)
    #expect(try String(contentsOfFile: folder.path("run.json"), encoding: .utf8).contains("\"base64\""))
  }

  @Test func kerasSnippetsWork() throws {
    let folder = try TemporaryDirectory()
    try FileManager.default.copyItem(
      atPath: Fixtures.path("keras/mlp_layers_folded.keras"), toPath: folder.path("model.keras"))
    let inputs = try KerasPredictionTests.reference(Fixtures.path("keras/mlp_layers_folded.ref.h5")).x

    var opened: KerasModel?
    if case .keras(let keras) = try BPKitFile.open(URL(fileURLWithPath: folder.path("model.keras"))) { opened = keras }
    let keras = try #require(opened, "model.keras opens as a Keras model")
    let outputs = try keras.model.predict(inputs)
    let model = keras.model
    try BPKitFile.model(model).write(to: URL(fileURLWithPath: folder.path("out.keras")), format: .keras)

    #expect(outputs.shape == [inputs.shape[0], 3])
    #expect(keras.optimizer?.configuration.kind == .nesterov)
    #expect(try BPKitFile.open(URL(fileURLWithPath: folder.path("out.keras"))).model == model)
  }
}
