import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@Suite struct ConvertCommandTests {
  let folder: TemporaryDirectory

  init() throws {
    folder = try TemporaryDirectory()
  }

  private func convert(_ arguments: String...) throws -> ProcessResult {
    try BPKitBinary.run(arguments: ["convert"] + arguments)
  }

  /// A model whose weights include -0, subnormals and extremes.
  private func model() throws -> Model {
    let network = NetworkDescription(
      input: .sequence(steps: 3, features: 2),
      layers: [
        Layer(name: "scale", kind: .standardize),
        Layer(name: "rnn", kind: .elman(units: 4, activation: .tanh, useBias: true, returnSequences: true)),
        Layer(name: "head", kind: .dense(units: 2, activation: .leakyReLU(alpha: 0.3), useBias: false)),
      ])
    var index: UInt32 = 0
    var parameters: [ParameterKey: Tensor<Float>] = [:]
    for spec in try network.parameterSpecs() {
      let count = spec.shape.reduce(1, *)
      parameters[spec.key] = Tensor(
        shape: spec.shape,
        scalars: (0..<count).map { _ in
          index += 1
          switch index % 5 {
          case 0: return -0.0
          case 1: return .leastNonzeroMagnitude * Float(index)
          case 2: return .greatestFiniteMagnitude / Float(index)
          default: return Float(bitPattern: 0x3F80_0000 &+ index &* 2_654_435_761 % 0x0080_0000)
          }
        })
    }
    return try Model(network: network, parameters: parameters)
  }

  private func bits(_ model: Model) -> [ParameterKey: [UInt32]] {
    model.parameters.mapValues { $0.scalars.map(\.bitPattern) }
  }

  @Test(arguments: ["numbers", "base64"])
  func modelsGoFromHDF5ToJSONAndBackBitForBit(weights: String) throws {
    let original = try model()
    try original.write(to: folder.url.appendingPathComponent("in.h5"))
    let toJSON = try convert(folder.path("in.h5"), folder.path("model.json"), "--weights", weights)
    #expect(toJSON.status == 0, "\(toJSON.error)")
    JSONOutputs.keep(fileAtPath: folder.path("model.json"), kind: "model", name: "convert_model_\(weights).json")
    let back = try convert(folder.path("model.json"), folder.path("out.h5"))
    #expect(back.status == 0, "\(back.error)")
    let read = try Model(contentsOf: folder.url.appendingPathComponent("out.h5"))
    #expect(read.network == original.network)
    #expect(bits(read) == bits(original))
  }

  @Test(arguments: ["numbers", "base64"])
  func checkpointsGoFromHDF5ToJSONAndBack(weights: String) throws {
    let model = try model()
    var slots: [String: [ParameterKey: Tensor<Float>]] = ["momentum": [:], "velocity": [:]]
    for (spec, tensor) in model.orderedParameters where spec.trainable {
      slots["momentum"]![spec.key] = Tensor(shape: tensor.shape, scalars: tensor.scalars.map { $0 / 3 })
      // A velocity is a mean of squared gradients: not negative, and finite
      // (the square of this model's largest weights would not be).
      slots["velocity"]![spec.key] = Tensor(shape: tensor.shape, scalars: tensor.scalars.map { abs($0) })
    }
    let original = Checkpoint(
      model: model,
      optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .adam), iterations: 40, slots: slots),
      configuration: TrainingConfiguration(loss: .meanSquaredError, batchSize: 8, epochs: 5, seed: 99, bpttSteps: 2),
      progress: TrainingProgress(
        epoch: 1, stepInEpoch: 2, order: [2, 0, 1], cursor: 1, random: RandomState(words: [9, 8, 7, UInt64.max]),
        history: [EpochRecord(epoch: 1, trainLoss: 0.5, validationLoss: 0.75, learningRate: 0.001, seconds: 0.25)],
        epochLossSum: 0.125, epochSamples: 16, elapsedSeconds: 1.5),
      data: DataFingerprint(sha256: String(repeating: "0f", count: 32), path: "train.h5", sampleCount: 3))
    try original.write(to: folder.url.appendingPathComponent("in.h5"))
    let hdf5 = try Checkpoint(contentsOf: folder.url.appendingPathComponent("in.h5"))
    #expect(try convert(folder.path("in.h5"), folder.path("ck.json"), "--weights", weights).status == 0)
    JSONOutputs.keep(fileAtPath: folder.path("ck.json"), kind: "checkpoint", name: "convert_checkpoint_\(weights).json")
    #expect(try convert(folder.path("ck.json"), folder.path("out.h5")).status == 0)
    let read = try Checkpoint(contentsOf: folder.url.appendingPathComponent("out.h5"))
    #expect(read == hdf5)
    #expect(bits(read.model) == bits(original.model))
  }

  @Test(arguments: ["mlp_layers_folded", "rnn_stack_sequences"], ["h5", "keras"])
  func kerasFilesBecomeBPKitModels(name: String, format: String) throws {
    let input = Fixtures.path("keras/\(name).\(format)")
    let result = try convert(input, folder.path("model.json"))
    #expect(result.status == 0, "\(result.error)")
    #expect(result.error.contains("optimizer state is not kept"))
    JSONOutputs.keep(fileAtPath: folder.path("model.json"), kind: "model", name: "convert_\(name)_\(format).json")
    #expect(try Model(jsonContentsOf: folder.path("model.json")) == (try KerasModel(contentsOfFile: input).model))
    #expect(try convert(input, folder.path("model.h5")).status == 0)
    #expect(
      try Model(contentsOf: folder.url.appendingPathComponent("model.h5"))
        == (try KerasModel(contentsOfFile: input).model))
  }

  @Test(arguments: [("keras", KerasModel.Format.archive), ("keras-h5", .legacyHDF5)])
  func bpkitModelsBecomeKerasFiles(kind: String, format: KerasModel.Format) throws {
    let original = try model()
    try original.write(to: folder.url.appendingPathComponent("in.h5"))
    let result = try convert(folder.path("in.h5"), folder.path("out.bin"), "--to", kind)
    #expect(result.status == 0, "\(result.error)")
    #expect(KerasModel.format(ofFileAtPath: folder.path("out.bin")) == format)
    // leaky_relu with alpha 0.3 has no Keras name: it comes back as a LeakyReLU layer folded in.
    #expect(try KerasModel(contentsOfFile: folder.path("out.bin")).model == original)
  }

  @Test func checkpointsKeepTheirOptimizerInKerasArchives() throws {
    let keras = try KerasModel(contentsOfFile: Fixtures.path("keras/rnn_tanh_last.h5"))
    let checkpoint = Checkpoint(
      model: keras.model, optimizer: try #require(keras.optimizer),
      configuration: TrainingConfiguration(loss: .meanSquaredError),
      progress: TrainingProgress(random: RandomState(words: [1, 2, 3, 4])))
    try checkpoint.write(to: folder.url.appendingPathComponent("ck.h5"))
    #expect(try convert(folder.path("ck.h5"), folder.path("ck.keras")).status == 0)
    let back = try KerasModel(contentsOfFile: folder.path("ck.keras"))
    #expect(back.optimizer == keras.optimizer)
    #expect(back.loss == .meanSquaredError)
  }

  @Test func modelOnlyDropsTheTrainingState() throws {
    let keras = try KerasModel(contentsOfFile: Fixtures.path("keras/mlp_tanh_softmax.h5"))
    let checkpoint = Checkpoint(
      model: keras.model, optimizer: try #require(keras.optimizer),
      configuration: TrainingConfiguration(loss: .categoricalCrossEntropy),
      progress: TrainingProgress(random: RandomState(words: [1, 2, 3, 4])))
    try checkpoint.write(to: folder.url.appendingPathComponent("ck.h5"))
    #expect(try convert(folder.path("ck.h5"), folder.path("model.json"), "--model-only").status == 0)
    JSONOutputs.keep(fileAtPath: folder.path("model.json"), kind: "model", name: "convert_model_only.json")
    #expect(try Model(jsonContentsOf: folder.path("model.json")) == keras.model)
    #expect(try convert(folder.path("ck.h5"), folder.path("model.keras"), "--model-only").status == 0)
    #expect(try KerasModel(contentsOfFile: folder.path("model.keras")).optimizer == nil)
  }

  // MARK: Bad input

  @Test func schemaViolationsNameTheirJSONPathAndExitThree() throws {
    let path = folder.path("bad.json")
    var document = try String(
      contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Schemas/examples/model-numbers.json"), encoding: .utf8
    )
    document = document.replacingOccurrences(of: "\"units\": 3", with: "\"units\": 0")
    try document.write(toFile: path, atomically: true, encoding: .utf8)
    let result = try convert(path, folder.path("out.h5"))
    #expect(result.status == 3)
    #expect(
      result.error
        == "bpkit: error: \(path): $.layers[0].units: expected an integer >= 1, found 0 (see `bpkit schema` for the bpkit JSON schema)\n"
    )
    #expect(!FileManager.default.fileExists(atPath: folder.path("out.h5")))
  }

  @Test func invalidJSONSyntaxGivesLineAndColumn() throws {
    try "{\n  \"kind\": \"bpkit-model\",\n  oops\n}".write(
      toFile: folder.path("bad.json"), atomically: true, encoding: .utf8)
    let result = try convert(folder.path("bad.json"), folder.path("out.h5"))
    #expect(result.status == 3)
    #expect(result.error.contains("line 3, column 3: not valid JSON"))
  }

  @Test(arguments: ["h5", "keras"])
  func unsupportedKerasLayersAreEachNamed(format: String) throws {
    let result = try convert(Fixtures.path("keras/unsupported_layers.\(format)"), folder.path("out.json"))
    #expect(result.status == 3)
    #expect(result.error.contains("'conv' (Conv1D); 'memory' (LSTM: go_backwards is not supported)"))
  }

  @Test(arguments: ["datasets/iris.csv", "keras/mlp_tanh_softmax.ref.h5", "datasets/digits.h5"])
  func filesThatAreNotModelsExitThree(fixture: String) throws {
    let result = try convert(Fixtures.path(fixture), folder.path("out.json"))
    #expect(result.status == 3, "\(result.error)")
    #expect(result.error.hasPrefix("bpkit: error: "))
  }

  @Test func missingInputAndUnwritableOutputExitFour() throws {
    let missing = try convert(folder.path("none.h5"), folder.path("out.json"))
    #expect(missing.status == 4, "\(missing.error)")
    let unwritable = try convert(Fixtures.path("keras/mlp_tanh_softmax.h5"), folder.path("no/such/folder/out.json"))
    #expect(unwritable.status == 4, "\(unwritable.error)")
  }

  @Test func anOutputOfUnknownKindIsAUsageError() throws {
    let result = try convert(Fixtures.path("keras/mlp_tanh_softmax.h5"), folder.path("out.txt"))
    // ArgumentParser reports usage errors with EX_USAGE (64); see MainCommandTests.
    #expect(result.status == 2)
    #expect(result.error.contains("--to"))
  }
}
