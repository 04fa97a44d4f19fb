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

    try model.writeJSON(toPath: folder.path("model.json"))
    try checkpoint.writeJSON(toPath: folder.path("run.json"), weights: .base64)
    let again = try Model(jsonContentsOf: folder.path("model.json"))

    #expect(again == model)
    #expect(try Checkpoint(jsonContentsOf: folder.path("run.json")).optimizer == checkpoint.optimizer)
  }

  @Test func kerasSnippetsWork() throws {
    let folder = try TemporaryDirectory()
    try FileManager.default.copyItem(
      atPath: Fixtures.path("keras/mlp_layers_folded.keras"), toPath: folder.path("model.keras"))
    let inputs = try KerasPredictionTests.reference(Fixtures.path("keras/mlp_layers_folded.ref.h5")).x

    let keras = try KerasModel(contentsOfFile: folder.path("model.keras"))
    let outputs = try keras.model.predict(inputs)
    let model = keras.model
    try KerasModel(model: model).write(toPath: folder.path("out.keras"), format: .archive)

    #expect(outputs.shape == [inputs.shape[0], 3])
    #expect(keras.optimizer?.configuration.kind == .nesterov)
    #expect(try KerasModel(contentsOfFile: folder.path("out.keras")).model == model)
  }
}
