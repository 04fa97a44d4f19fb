import BPKit
import Foundation
import Testing
import _BPKitTestSupport

@Suite struct LayerSpecificationTests {
  @Test func denseNetwork() throws {
    let network = try NetworkDescription(layerSpecification: "784,256:relu,128:relu,10:softmax")
    #expect(network.input == .vector(features: 784))
    #expect(
      network.layers == [
        Layer(name: "dense_1", kind: .dense(units: 256, activation: .relu, useBias: true)),
        Layer(name: "dense_2", kind: .dense(units: 128, activation: .relu, useBias: true)),
        Layer(name: "dense_3", kind: .dense(units: 10, activation: .softmax, useBias: true)),
      ])
  }

  @Test func recurrentNetworkWithDefaults() throws {
    let network = try NetworkDescription(layerSpecification: "32x16,rnn64:tanh,1")
    #expect(network.input == .sequence(steps: 32, features: 16))
    #expect(
      network.layers == [
        Layer(name: "elman_1", kind: .elman(units: 64, activation: .tanh, useBias: true, returnSequences: false)),
        Layer(name: "dense_1", kind: .dense(units: 1, activation: .linear, useBias: true)),
      ])
  }

  @Test func optionsParametersAndStandardize() throws {
    let network = try NetworkDescription(
      layerSpecification: " ?x3 , std, rnn8:seq:nobias, rnn4:relu, 6:leaky_relu(0.1), 2:elu(0.5):nobias")
    #expect(network.input == .sequence(steps: nil, features: 3))
    #expect(network.layers.map(\.name) == ["standardize_1", "elman_1", "elman_2", "dense_1", "dense_2"])
    #expect(network.layers[0].kind == .standardize)
    #expect(network.layers[1].kind == .elman(units: 8, activation: .tanh, useBias: false, returnSequences: true))
    #expect(network.layers[2].kind == .elman(units: 4, activation: .relu, useBias: true, returnSequences: false))
    #expect(network.layers[3].kind == .dense(units: 6, activation: .leakyReLU(alpha: 0.1), useBias: true))
    #expect(network.layers[4].kind == .dense(units: 2, activation: .elu(alpha: 0.5), useBias: false))
  }

  /// Penalties by Keras' names: `l1=`/`l2=` the kernel, `bias_`, `recurrent_` the others; both factors make L1L2.
  @Test func regularizers() throws {
    let network = try NetworkDescription(
      layerSpecification: "3x2,lstm4:seq:l2=0.01:recurrent_l1=0.002:recurrent_l2=0.003,rnn3:bias_l1=1e-3,"
        + "2:softmax:l1=0.5:bias_l2=0")
    #expect(
      network.layers.map(\.regularizers) == [
        LayerRegularizers(kernel: Regularizer(l2: 0.01), recurrentKernel: Regularizer(l1: 0.002, l2: 0.003)),
        LayerRegularizers(bias: Regularizer(l1: 0.001)),
        LayerRegularizers(kernel: Regularizer(l1: 0.5), bias: Regularizer()),
      ])
    #expect(network.layers[0].regularizers.summary == "kernel L2(0.01), recurrent_kernel L1L2(l1=0.002, l2=0.003)")
    #expect(try NetworkDescription(layerSpecification: "4,8:relu").layers[0].regularizers.isEmpty)
  }

  @Test func errorsNameTheEntry() {
    expectReason(LayerSpecificationError.empty) { try NetworkDescription(layerSpecification: "") }
    expectReason(LayerSpecificationError.invalidInput("abc")) {
      try NetworkDescription(layerSpecification: "abc,10")
    }
    expectReason(LayerSpecificationError.noLayers) { try NetworkDescription(layerSpecification: "10") }
    expectReason(
      LayerSpecificationError.invalidLayer(
        position: 2, entry: "10:swiglu",
        reason: "unknown activation or option 'swiglu'; expected one of linear, sigmoid, tanh, relu, leaky_relu, "
          + "elu, softmax, hard_sigmoid, gelu, gelu_tanh, silu, softplus, softsign, selu, hard_silu, relu6, "
          + "exponential, mish, log_softmax, seq, nobias or a penalty such as l2=0.01")
    ) { try NetworkDescription(layerSpecification: "4,8:relu,10:swiglu") }
    expectReason(
      LayerSpecificationError.invalidLayer(
        position: 1, entry: "8:seq", reason: "'seq' applies to recurrent layers (rnnN, lstmN, gruN) only")
    ) { try NetworkDescription(layerSpecification: "4,8:seq") }
    expectReason(
      LayerSpecificationError.invalidLayer(
        position: 1, entry: "0:relu",
        reason: "expected a unit count such as 64 (dense), rnn64 (Elman), lstm64 or gru64, then ':' and an activation")
    ) { try NetworkDescription(layerSpecification: "4,0:relu") }
    expectReason(
      LayerSpecificationError.invalidLayer(
        position: 1, entry: "8:relu(2)", reason: "activation relu takes no parameter; only leaky_relu and elu do")
    ) { try NetworkDescription(layerSpecification: "4,8:relu(2)") }
    for (entry, reason) in [
      ("8:l2=-1", "'-1' is not a factor for l2; write a finite number of at least 0, e.g. l2=0.01"),
      ("8:bias_l1=nan", "'nan' is not a factor for bias_l1; write a finite number of at least 0, e.g. l2=0.01"),
      ("8:l2=0.1:l2=0.2", "'l2=' is given twice; give each factor once"),
      (
        "8:nobias:bias_l2=0.1",
        "'bias_l1=' and 'bias_l2=' regularize the bias, which 'nobias' removes; drop one of them"
      ),
      (
        "8:recurrent_l2=0.1",
        "'recurrent_l2=0.1' regularizes the recurrent kernel of Elman, LSTM and GRU layers (rnnN, lstmN, gruN) only"
      ),
    ] {
      expectReason(LayerSpecificationError.invalidLayer(position: 1, entry: entry, reason: reason)) {
        try NetworkDescription(layerSpecification: "4,\(entry)")
      }
    }
    expectReason(LayerSpecificationError.vectorsIntoElman(position: 1, entry: "rnn8", previous: nil)) {
      try NetworkDescription(layerSpecification: "4,rnn8")
    }
    expectReason(LayerSpecificationError.vectorsIntoElman(position: 3, entry: "rnn4", previous: "rnn8")) {
      try NetworkDescription(layerSpecification: "4x2,rnn8,8:relu,rnn4")
    }
  }
}

/// The Codable form of activations, which apps embedding BPKit decode.
@Suite struct ActivationCodableTests {
  @Test func alphaIsReadForTheActivationsThatTakeIt() throws {
    let decoded = try JSONDecoder().decode(Activation.self, from: Data(#"{"name":"elu","alpha":0.5}"#.utf8))
    #expect(decoded == .elu(alpha: 0.5))
  }

  @Test(arguments: ["relu", "tanh", "linear"])
  func alphaOnAnActivationWithoutOneIsRefused(name: String) {
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(Activation.self, from: Data(#"{"name":"\#(name)","alpha":0.5}"#.utf8))
    }
  }
}
