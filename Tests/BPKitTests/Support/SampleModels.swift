import BPKit
import Foundation

/// SplitMix64 (Steele, Lea and Flood, 2014): a small deterministic generator for test data.
struct TestRandom {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A float in [-1, 1).
  mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
}

/// Models of every layer kind and activation, with deterministic weights.
enum SampleModels {
  /// A model with random weights for a description.
  static func model(_ network: NetworkDescription, seed: UInt64 = 1) -> Model {
    var random = TestRandom(seed: seed)
    var parameters: [ParameterKey: Tensor<Float>] = [:]
    for spec in try! network.parameterSpecs() {
      let count = spec.shape.reduce(1, *)
      parameters[spec.key] = Tensor(shape: spec.shape, scalars: (0..<count).map { _ in random.unit() })
    }
    return try! Model(network: network, parameters: parameters)
  }

  /// A dense network using the given activations, one layer each.
  static func dense(_ activations: [Activation], useBias: Bool = true) -> NetworkDescription {
    NetworkDescription(
      input: .vector(features: 3),
      layers: [Layer(name: "scale", kind: .standardize)]
        + activations.enumerated().map { index, activation in
          Layer(name: "dense_\(index)", kind: .dense(units: 4 + index, activation: activation, useBias: useBias))
        })
  }

  /// Two stacked Elman layers and a dense head.
  static func recurrent(steps: Int?, activation: Activation, returnSequences: Bool) -> NetworkDescription {
    NetworkDescription(
      input: .sequence(steps: steps, features: 2),
      layers: [
        Layer(name: "rnn_a", kind: .elman(units: 5, activation: activation, useBias: true, returnSequences: true)),
        Layer(
          name: "rnn_b",
          kind: .elman(units: 3, activation: .tanh, useBias: false, returnSequences: returnSequences)),
        Layer(name: "head", kind: .dense(units: 2, activation: .softmax, useBias: true)),
      ])
  }

  /// Every sample description.
  static var all: [(String, NetworkDescription)] {
    [("dense_all_activations", dense(Activation.allDefaults)), ("dense_no_bias", dense([.relu], useBias: false))]
      + Activation.allDefaults.map {
        ("elman_\($0.name)_fixed", recurrent(steps: 4, activation: $0, returnSequences: false))
      }
      + [
        (
          "elman_any_length_sequences", recurrent(steps: nil, activation: .leakyReLU(alpha: 0.3), returnSequences: true)
        ),
        ("gated_lstm_gru", gated(resetAfter: true)), ("gated_gru_reset_before", gated(resetAfter: false)),
        ("dropout_dense_and_sequence", dropout), ("regularized", regularized()),
      ]
  }

  /// Dropout layers on the input, on an LSTM's sequence and between dense layers (format 1.5).
  static let dropout = NetworkDescription(
    input: .sequence(steps: 3, features: 2),
    layers: [
      Layer(name: "in_drop", kind: .dropout(rate: 0.1)),
      Layer(
        name: "lstm", kind: .lstm(GatedRecurrentSettings(units: 3, returnSequences: true), unitForgetBias: true)),
      Layer(name: "seq_drop", kind: .dropout(rate: 0.5)),
      Layer(name: "hidden", kind: .dense(units: 4, activation: .relu, useBias: true)),
      Layer(name: "drop", kind: .dropout(rate: 0.25)),
      Layer(name: "head", kind: .dense(units: 2, activation: .softmax, useBias: true)),
    ])

  /// The gated network with L1, L2 and L1L2 regularizers on every kind of
  /// weight (format 1.5), a frozen layer's included.
  static func regularized() -> NetworkDescription {
    var network = gated(resetAfter: true)
    network.layers[0].regularizers = LayerRegularizers(
      kernel: Regularizer(l2: 0.01), recurrentKernel: Regularizer(l1: 0.001, l2: 0.002), bias: Regularizer(l1: 0.5))
    network.layers[1].regularizers = LayerRegularizers(recurrentKernel: Regularizer(l1: 0.125))
    network.layers[1].trainable = false
    network.layers[2].regularizers = LayerRegularizers(kernel: Regularizer(l1: 1e-4, l2: 3e-4), bias: Regularizer())
    return network
  }

  /// An LSTM (hard_sigmoid gates) returning sequences under a GRU, then a dense head.
  static func gated(resetAfter: Bool) -> NetworkDescription {
    NetworkDescription(
      input: .sequence(steps: 4, features: 2),
      layers: [
        Layer(
          name: "lstm_a",
          kind: .lstm(
            GatedRecurrentSettings(units: 3, recurrentActivation: .hardSigmoid, returnSequences: true),
            unitForgetBias: false)),
        Layer(
          name: "gru_b",
          kind: .gru(GatedRecurrentSettings(units: 2, activation: .relu, useBias: true), resetAfter: resetAfter)),
        Layer(name: "head", kind: .dense(units: 2, activation: .softmax, useBias: true)),
      ])
  }

  /// A checkpoint with every field set, for a model.
  static func checkpoint(for model: Model, optimizer kind: OptimizerKind = .adam) -> Checkpoint {
    var random = TestRandom(seed: 9)
    var slots: [String: [ParameterKey: Tensor<Float>]] = [:]
    for slot in ["momentum", "velocity"] {
      var tensors: [ParameterKey: Tensor<Float>] = [:]
      for (spec, tensor) in model.orderedParameters where spec.trainable {
        // A velocity is a running mean of squared gradients: never negative.
        tensors[spec.key] = Tensor(
          shape: tensor.shape,
          scalars: tensor.scalars.map { _ in
            let value = random.unit()
            return slot == "velocity" ? value * value : value
          })
      }
      slots[slot] = tensors
    }
    return Checkpoint(
      model: model,
      optimizer: OptimizerState(
        configuration: OptimizerConfiguration(kind: kind, learningRate: 0.0123, epsilon: 1e-8), iterations: 77,
        slots: slots),
      configuration: TrainingConfiguration(
        loss: .categoricalCrossEntropy, batchSize: 16, epochs: 12, seed: UInt64.max - 5, shuffle: true,
        bpttSteps: 3, validationSplit: 0.2),
      progress: TrainingProgress(
        epoch: 2, stepInEpoch: 3, order: [4, 0, 2, 1, 3], cursor: 3,
        random: RandomState(words: [1, 0xDEAD_BEEF, UInt64.max, 0x0123_4567_89AB_CDEF]),
        history: [
          EpochRecord(
            epoch: 1, trainLoss: 0.9, trainAccuracy: 0.5, validationLoss: .nan, validationAccuracy: 0.25,
            learningRate: 0.0123, seconds: 0.125, notes: ["first \"quoted\" note\nwith a newline"]),
          EpochRecord(epoch: 2, trainLoss: 1e300, learningRate: 0.01, seconds: 1.5e-3),
        ],
        epochLossSum: 1.0 / 3.0, epochSamples: 48, epochCorrect: 17, epochJudged: 48, elapsedSeconds: 12.75),
      data: DataFingerprint(
        sha256: String(repeating: "ab", count: 32), path: "data/train ✓.h5", sampleCount: 5, inputs: "train/x",
        targets: "train/y"),
      validationData: DataFingerprint(sha256: String(repeating: "cd", count: 32), path: "valid.csv", sampleCount: 2),
      bpkitVersion: "0.1.0", createdAt: Date(timeIntervalSinceReferenceDate: 817_000_000.123_456_7))
  }
}
