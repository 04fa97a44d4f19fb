import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// A Keras model saved after `compile(SGD(0.1, momentum=0.9))` and before
/// `fit` (made with Keras 3.15.1 on JAX): its optimizer has an iteration
/// count (int32 on JAX) and a learning rate but no slots yet. bpkit takes the
/// optimizer, its hyperparameters and the loss, with fresh slots.
@Suite struct KerasCompiledUntrainedTests {
  @Test(arguments: ["keras", "h5"])
  func theCompiledOptimizerAndLossAreKept(extension: String) throws {
    let keras = try KerasModel(contentsOfFile: Fixtures.path("keras/compiled_untrained.\(`extension`)"))
    #expect(keras.warnings.isEmpty, "\(keras.warnings)")
    #expect(keras.loss == .categoricalCrossEntropy)
    let optimizer = try #require(keras.optimizer)
    #expect(optimizer.configuration.kind == .momentum)
    #expect(abs(optimizer.configuration.learningRate - 0.1) < 1e-7)
    #expect(optimizer.configuration.momentum == 0.9)
    #expect(optimizer.iterations == 0)
    #expect(optimizer.slots.isEmpty)
    let (x, expected) = try KerasPredictionTests.reference(Fixtures.path("keras/compiled_untrained.ref.h5"))
    #expect(KerasPredictionTests.largestDifference(try keras.model.predict(x), expected) <= 1e-5)
  }

  @Test func trainingFromItUsesTheCompiledOptimizer() throws {
    let folder = try TemporaryDirectory()
    let data = folder.path("data.csv")
    try "a,b,c,d,label\n1,2,3,4,0\n0,1,0,1,1\n2,0,1,1,2\n".write(toFile: data, atomically: true, encoding: .utf8)
    let checkpoint = folder.path("run.ckpt.h5")
    let trained = try BPKitBinary.run(
      "train", "--model", Fixtures.path("keras/compiled_untrained.keras"), "--data", data, "--epochs", "1", "--quiet",
      "--checkpoint", checkpoint)
    #expect(trained.status == 0, "\(trained.error)")
    let run = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    #expect(run.optimizer.configuration.kind == .momentum)
    #expect(abs(run.optimizer.configuration.learningRate - 0.1) < 1e-7)
    #expect(run.configuration.loss == .categoricalCrossEntropy)
  }

  @Test func inspectAndConvertSayWhatIsNotKept() throws {
    // This file was saved by Keras' legacy saver first, which drops the optimizer.
    let path = Fixtures.path("keras/mlp_tanh_softmax.keras")
    let warnings = try KerasModel(contentsOfFile: path).warnings
    #expect(!warnings.isEmpty)
    let text = try BPKitBinary.run("inspect", path)
    #expect(text.output.contains("Not kept    \(warnings[0])"), "\(text.output)")
    let json = try BPKitBinary.run("inspect", "--json", path)
    let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
    #expect(object?["warnings"] as? [String] == warnings)
    let plain = try BPKitBinary.run("inspect", "--json", Fixtures.path("keras/compiled_untrained.keras"))
    #expect(
      (try JSONSerialization.jsonObject(with: Data(plain.output.utf8)) as? [String: Any])?["warnings"] as? [String]
        == [])
    let folder = try TemporaryDirectory()
    let converted = try BPKitBinary.run("convert", path, folder.path("m.h5"))
    #expect(converted.status == 0)
    #expect(converted.error.contains("not kept: \(warnings[0])"), "\(converted.error)")
  }
}
