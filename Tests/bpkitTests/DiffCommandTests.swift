import BPKit
import Foundation
import Testing
import _BPKitTestSupport

@Suite struct DiffCommandTests {
  func train(_ arguments: [String]) throws {
    let result = try BPKitBinary.run(arguments: ["train"] + arguments + ["--quiet"])
    #expect(result.status == 0, "bpkit train failed: \(result.error)")
  }

  /// A run interrupted halfway and resumed equals the uninterrupted run: the
  /// proof `bpkit diff` exists to give.
  @Test func aResumedRunIsIdenticalToTheUninterruptedOne() throws {
    let folder = try TemporaryDirectory()
    let (full, resumed) = (folder.path("full.ckpt.h5"), folder.path("resumed.ckpt.h5"))
    try train(TrainedModels.digitsRun(epochs: 4) + ["--checkpoint", full])
    try train(TrainedModels.digitsRun(epochs: 2) + ["--checkpoint", resumed])
    let half = try BPKitBinary.run("diff", full, resumed)
    #expect(half.status == 1)
    #expect(half.output.contains("\nepoch: 4 vs 2\n"))
    #expect(half.output.hasSuffix("different: 4 of 4 tensors, 4 of 4 optimizer slots, 5 training-state values\n"))
    try train(
      ["--resume", resumed, "--epochs", "4", "--validation", Fixtures.path("datasets/digits.h5")])
    let result = try BPKitBinary.run("diff", full, resumed)
    #expect(result.status == 0, "\(result.output)\(result.error)")
    #expect(result.output == "identical: 4 tensors, 4 optimizer slots, training state\n")
  }

  @Test func aChangedWeightIsReportedAndToleranceAcceptsIt() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = try Checkpoint(contentsOf: URL(fileURLWithPath: try TrainedModels.digitsCheckpoint))
    var parameters = checkpoint.model.parameters
    let key = ParameterKey(layer: "dense_2", name: "bias")
    parameters[key]!.scalars[3] += 0.25
    let changed = folder.path("changed.h5")
    try Model(network: checkpoint.model.network, parameters: parameters).write(to: URL(fileURLWithPath: changed))
    let original = folder.path("original.h5")
    try checkpoint.model.write(to: URL(fileURLWithPath: original))

    let result = try BPKitBinary.run("diff", original, changed)
    #expect(result.status == 1)
    let lines = result.output.split(separator: "\n")
    #expect(lines.count == 2)
    #expect(lines[0].hasPrefix("dense_2/bias: max abs 0.25, max rel "))
    #expect(lines[0].hasSuffix(", 1 of 10 values differ"))
    #expect(lines[1] == "different: 1 of 4 tensors")
    let tolerant = try BPKitBinary.run("diff", original, changed, "--tolerance", "0.3")
    #expect(tolerant.status == 0)
    #expect(tolerant.output == "identical within 0.3: 4 tensors\n")

    // A checkpoint against the model exported from it: the weights agree,
    // and the state only the checkpoint has is named as not compared.
    let mixed = try BPKitBinary.run("diff", try TrainedModels.digitsCheckpoint, original)
    #expect(mixed.status == 0)
    #expect(
      mixed.output == "not compared: optimizer state and training state: only in the first file\nidentical: 4 tensors\n"
    )
  }

  /// A conversion to Keras or to JSON and back changes no number.
  @Test func conversionsChangeNothing() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = try TrainedModels.validatedDigitsCheckpoint
    let conversions = [
      ("run.json", "json", "identical: 4 tensors, 4 optimizer slots, training state\n"),
      (
        "run.keras", "keras",
        "not compared: training state: only in the first file\nidentical: 4 tensors, 4 optimizer slots\n"
      ),
      (
        "run.h5", "keras-h5",
        "not compared: training state: only in the first file\nidentical: 4 tensors, 4 optimizer slots\n"
      ),
    ]
    for (name, kind, expected) in conversions {
      let converted = folder.path(name)
      let conversion = try BPKitBinary.run("convert", checkpoint, converted, "--to", kind)
      #expect(conversion.status == 0, "\(conversion.error)")
      let result = try BPKitBinary.run("diff", checkpoint, converted)
      #expect(result.status == 0)
      #expect(result.output == expected, "\(kind)")
    }
    let keras = try BPKitBinary.run(
      "diff", Fixtures.path("keras/mlp_tanh_softmax.keras"), Fixtures.path("keras/mlp_tanh_softmax.h5"))
    #expect(keras.status == 0)
    #expect(keras.output.hasSuffix("identical: 4 tensors\n"))
  }

  @Test func differentArchitecturesAreDifferent() throws {
    let result = try BPKitBinary.run(
      "diff", try TrainedModels.digitsCheckpoint, try TrainedModels.validatedDigitsCheckpoint)
    #expect(result.status == 1)
    #expect(
      result.output == """
        layer 1: dense_1: dense 32 relu vs dense_1: dense 64 relu
        different architectures: weights and training state not compared

        """)
  }

  @Test func badAndUnreadableFilesExitLikeDiff() throws {
    let checkpoint = try TrainedModels.digitsCheckpoint
    let missing = try BPKitBinary.run("diff", checkpoint, "/nonexistent.h5")
    #expect(missing.status == 4)
    #expect(missing.output.isEmpty)
    let notBPKit = try BPKitBinary.run("diff", Fixtures.path("datasets/digits.h5"), checkpoint)
    #expect(notBPKit.status == 3)
    let csv = try BPKitBinary.run("diff", checkpoint, Fixtures.path("datasets/iris.csv"))
    #expect(csv.status == 3)
    let unsupported = try BPKitBinary.run("diff", checkpoint, Fixtures.path("keras/unsupported_layers.keras"))
    #expect(unsupported.status == 3)
    let negative = try BPKitBinary.run("diff", checkpoint, checkpoint, "--tolerance", "-1")
    #expect(negative.status == 2)
  }
}
