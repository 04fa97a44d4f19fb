import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@Suite struct KerasModelTests {
  static let cases = ["mlp_tanh_softmax", "mlp_relu_linear", "rnn_tanh_last"]

  @Test(arguments: cases)
  func bothFormatsGiveTheSameModel(name: String) throws {
    let legacy = try KerasModel(contentsOfFile: Fixtures.path("keras/\(name).h5"))
    let archive = try KerasModel(contentsOfFile: Fixtures.path("keras/\(name).keras"))
    #expect(legacy.model == archive.model)
    #expect(legacy.kerasVersion == "3.15.1")
    #expect(archive.kerasVersion == "3.15.1")
  }

  @Test(arguments: cases, ["h5", "keras"])
  func detectsTheFormatByContent(name: String, extension: String) throws {
    let folder = try TemporaryDirectory()
    // A misleading extension must not matter.
    let copy = folder.path("model.bin")
    try FileManager.default.copyItem(atPath: Fixtures.path("keras/\(name).\(`extension`)"), toPath: copy)
    #expect(KerasModel.format(ofFileAtPath: copy) == (`extension` == "h5" ? .legacyHDF5 : .archive))
    #expect(KerasModel.format(ofFileAtPath: Fixtures.path("keras/\(name).ref.h5")) == nil)
    #expect(KerasModel.format(ofFileAtPath: Fixtures.path("datasets/iris.csv")) == nil)
  }

  @Test func readsTheNetworkDescription() throws {
    let mlp = try KerasModel(contentsOfFile: Fixtures.path("keras/mlp_tanh_softmax.h5"))
    #expect(
      mlp.model.network
        == NetworkDescription(
          input: .vector(features: 4),
          layers: [
            Layer(name: "hidden", kind: .dense(units: 8, activation: .tanh, useBias: true)),
            Layer(name: "out", kind: .dense(units: 3, activation: .softmax, useBias: true)),
          ]))
    let rnn = try KerasModel(contentsOfFile: Fixtures.path("keras/rnn_tanh_last.keras"))
    #expect(
      rnn.model.network
        == NetworkDescription(
          input: .sequence(steps: 5, features: 3),
          layers: [
            Layer(name: "rnn", kind: .elman(units: 6, activation: .tanh, useBias: true, returnSequences: false)),
            Layer(name: "head", kind: .dense(units: 1, activation: .linear, useBias: true)),
          ]))
  }

  @Test func readsTheWeightsKerasStored() throws {
    let imported = try KerasModel(contentsOfFile: Fixtures.path("keras/mlp_tanh_softmax.h5"))
    let file = try HDF5File(openingAtPath: Fixtures.path("keras/mlp_tanh_softmax.h5"))
    let kernel = try file.root.openDataset("model_weights/hidden/sequential/hidden/kernel").read(as: Float.self)
    #expect(imported.model.parameters[ParameterKey(layer: "hidden", name: "kernel")]?.scalars == kernel)
  }

  @Test func importsTheOptimizerStateOfLegacyFiles() throws {
    let sgd = try KerasModel(contentsOfFile: Fixtures.path("keras/mlp_tanh_softmax.h5"))
    #expect(sgd.loss == .categoricalCrossEntropy)
    let state = try #require(sgd.optimizer)
    #expect(state.configuration.kind == .momentum)
    #expect(state.configuration.momentum == 0.9)
    #expect(Float(state.configuration.learningRate) == 0.1)
    #expect(state.iterations == 12)
    let file = try HDF5File(openingAtPath: Fixtures.path("keras/mlp_tanh_softmax.h5"))
    let momentum = try file.root.openDataset("optimizer_weights/sgd/sequential_out_kernel_momentum").read(
      as: Float.self)
    #expect(state.slots["momentum"]?[ParameterKey(layer: "out", name: "kernel")]?.scalars == momentum)

    let adam = try KerasModel(contentsOfFile: Fixtures.path("keras/rnn_tanh_last.h5"))
    let adamState = try #require(adam.optimizer)
    #expect(adamState.configuration.kind == .adam)
    #expect(Set(adamState.slots.keys) == ["momentum", "velocity"])
    let rnnFile = try HDF5File(openingAtPath: Fixtures.path("keras/rnn_tanh_last.h5"))
    let velocity = try rnnFile.root.openDataset(
      "optimizer_weights/adam_1/sequential_2_rnn_simple_rnn_cell_recurrent_kernel_velocity"
    ).read(as: Float.self)
    #expect(adamState.slots["velocity"]?[ParameterKey(layer: "rnn", name: "recurrent_kernel")]?.scalars == velocity)
  }

  @Test func refusesFilesThatAreNotKerasModels() throws {
    let path = Fixtures.path("keras/mlp_tanh_softmax.ref.h5")
    expectReason(KerasError.self) { try KerasModel(contentsOfFile: path) }
    do {
      _ = try KerasModel(contentsOfFile: path)
    } catch {
      guard let error = reason(of: error) as? KerasError else { throw error }
      guard case .notKerasModel(let file, _) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(file == path)
    }
  }
}

@Suite struct KerasModelCoverageTests {
  static let cases = [
    "mlp_layers_folded", "rnn_stack_sequences", "mlp_sigmoid_nobias", "rnn_variable_length", "lstm_last",
    "lstm_stack_sequences", "gru_stack_last", "gru_reset_before_sequences", "gru_variable_length",
  ]

  @Test(arguments: cases)
  func bothFormatsGiveTheSameModelAndOptimizer(name: String) throws {
    let legacy = try KerasModel(contentsOfFile: Fixtures.path("keras/\(name).h5"))
    let archive = try KerasModel(contentsOfFile: Fixtures.path("keras/\(name).keras"))
    #expect(legacy.model == archive.model)
    #expect(legacy.optimizer != nil)
    #expect(legacy.optimizer == archive.optimizer)
    #expect(legacy.loss == archive.loss)
    // The one Dropout layer is kept, so nothing is dropped.
    #expect(legacy.warnings == [])
    #expect(archive.warnings == [])
  }

  @Test func readsLSTMAndGRUSettings() throws {
    let stacked = try KerasModel(contentsOfFile: Fixtures.path("keras/lstm_stack_sequences.keras"))
    #expect(
      stacked.model.network.layers.map(\.kind) == [
        .lstm(GatedRecurrentSettings(units: 5, returnSequences: true), unitForgetBias: true),
        .lstm(
          GatedRecurrentSettings(units: 4, recurrentActivation: .hardSigmoid, useBias: false, returnSequences: true),
          unitForgetBias: true),
        .dense(units: 2, activation: .linear, useBias: true),
      ])
    let gru = try KerasModel(contentsOfFile: Fixtures.path("keras/gru_stack_last.h5"))
    #expect(
      gru.model.network.layers.map(\.kind) == [
        .gru(GatedRecurrentSettings(units: 5, returnSequences: true), resetAfter: true),
        .gru(GatedRecurrentSettings(units: 4), resetAfter: false),
        .dense(units: 3, activation: .softmax, useBias: true),
      ])
    #expect(gru.model.parameters[ParameterKey(layer: "g1", name: "bias")]?.shape == [2, 15])
    #expect(gru.model.parameters[ParameterKey(layer: "g2", name: "bias")]?.shape == [12])
  }

  @Test func foldsActivationLayersAndKeepsDropout() throws {
    let imported = try KerasModel(contentsOfFile: Fixtures.path("keras/mlp_layers_folded.keras"))
    #expect(
      imported.model.network.layers.map(\.kind) == [
        .standardize,
        .dense(units: 8, activation: .leakyReLU(alpha: 0.1), useBias: true),
        .dropout(rate: 0.3),
        .dense(units: 6, activation: .elu(alpha: 1), useBias: true),
        .dense(units: 4, activation: .leakyReLU(alpha: 0.2), useBias: true),
        .dense(units: 3, activation: .softmax, useBias: true),
      ])
    let state = try #require(imported.optimizer)
    #expect(state.configuration.kind == .nesterov)
    #expect(Float(state.configuration.momentum) == 0.8)
  }

  @Test func readsRMSpropWithMomentumSlots() throws {
    let imported = try KerasModel(contentsOfFile: Fixtures.path("keras/rnn_stack_sequences.h5"))
    let state = try #require(imported.optimizer)
    #expect(state.configuration.kind == .rmsprop)
    #expect(Set(state.slots.keys) == ["velocity", "momentum"])
    let file = try HDF5File(openingAtPath: Fixtures.path("keras/rnn_stack_sequences.h5"))
    let group = try file.root.openGroup("optimizer_weights")
    let names = try group.stringArrayAttribute("weight_names")
    let name = try #require(names.first { $0.hasSuffix("r2_simple_rnn_cell_recurrent_kernel_momentum") })
    #expect(
      state.slots["momentum"]?[ParameterKey(layer: "r2", name: "recurrent_kernel")]?.scalars
        == (try group.openDataset(name).read(as: Float.self)))
  }

  @Test(arguments: ["h5", "keras"])
  func namesEveryUnsupportedLayer(extension: String) throws {
    let path = Fixtures.path("keras/unsupported_layers.\(`extension`)")
    expectReason(
      KerasError.unsupportedLayers(
        file: path, layers: ["'conv' (Conv1D)", "'memory' (LSTM: go_backwards is not supported)"])
    ) {
      try KerasModel(contentsOfFile: path)
    }
  }
}

/// What ``BPKitFile/open(_:)`` throws for a Keras file libhdf5 cannot read as
/// bpkit needs: a ``FormatError`` like every other HDF5 file, never the HDF5
/// module's own error.
@Suite struct KerasOpenErrorTests {
  @Test func aKerasKernelOfDoublesIsAFormatErrorFromOpen() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("doubles.h5")
    try FileManager.default.copyItem(atPath: Fixtures.path("keras/mlp_tanh_softmax.h5"), toPath: path)
    do {
      let group = try HDF5File(openingAtPath: path, mode: .readWrite).root.openGroup(
        "model_weights/hidden/sequential/hidden")
      try group.removeChild("kernel")
      try group.write([Double](repeating: 0.5, count: 32), shape: [4, 8], to: "kernel")
    }
    let error = expectReason(FormatError.self) { try BPKitFile.open(URL(fileURLWithPath: path)) }
    if case .hdf5(let underlying) = error {
      #expect(underlying.file == path)
    } else {
      Issue.record("expected FormatError.hdf5, got \(String(describing: error))")
    }
  }
}
