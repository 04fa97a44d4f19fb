import BPKit
import Foundation

/// Models and checkpoints with reproducible, varied contents for format tests.
public enum FormatSamples {
  /// A small deterministic generator (SplitMix64, Steele et al., 2014).
  public struct Generator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    /// A float in [-1, 1).
    public mutating func float() -> Float { Float(Int64(bitPattern: next()) >> 40) / Float(1 << 23) }
  }

  /// A dense network: standardize, then `hidden` dense layers, then a softmax layer.
  public static func denseNetwork(inputs: Int = 5, hidden: [Int] = [7, 6], outputs: Int = 3) -> NetworkDescription {
    var layers = [Layer(name: "scale", kind: .standardize)]
    for (index, units) in hidden.enumerated() {
      let activation: Activation = index % 2 == 0 ? .tanh : .leakyReLU(alpha: 0.1)
      layers.append(Layer(name: "dense_\(index)", kind: .dense(units: units, activation: activation, useBias: true)))
    }
    layers.append(Layer(name: "output", kind: .dense(units: outputs, activation: .softmax, useBias: false)))
    return NetworkDescription(input: .vector(features: inputs), layers: layers)
  }

  /// A recurrent network: two Elman layers and a dense head.
  public static func recurrentNetwork() -> NetworkDescription {
    NetworkDescription(
      input: .sequence(steps: nil, features: 4),
      layers: [
        Layer(name: "rnn_1", kind: .elman(units: 6, activation: .tanh, useBias: true, returnSequences: true)),
        Layer(name: "rnn_2", kind: .elman(units: 5, activation: .relu, useBias: false, returnSequences: false)),
        Layer(name: "head", kind: .dense(units: 2, activation: .sigmoid, useBias: true)),
      ])
  }

  /// Weights for `network`: varied values, including -0, subnormals and the
  /// largest finite magnitude when `special` is set, so bit-exact round trips
  /// are tested (NaN and infinities are refused on load).
  public static func model(_ network: NetworkDescription, seed: UInt64 = 1, special: Bool = false) throws -> Model {
    var generator = Generator(seed: seed)
    var parameters: [ParameterKey: Tensor<Float>] = [:]
    for spec in try network.parameterSpecs() {
      var scalars = (0..<spec.shape.reduce(1, *)).map { _ in generator.float() }
      if special, scalars.count >= 4 {
        scalars[0] = -0.0
        scalars[1] = .leastNonzeroMagnitude
        scalars[2] = -.greatestFiniteMagnitude
        scalars[3] = Float(bitPattern: 0x0000_1234)
      }
      parameters[spec.key] = Tensor(shape: spec.shape, scalars: scalars)
    }
    return try Model(network: network, parameters: parameters)
  }

  /// A float64 model for `network`: ``model(_:seed:special:)``'s weights,
  /// each given low bits that no Float32 holds, so that any rounding to
  /// Float32 on the way shows.
  public static func float64Model(_ network: NetworkDescription, seed: UInt64 = 1) throws -> Model {
    var generator = Generator(seed: seed &+ 1)
    let base = try model(network, seed: seed)
    return try Model(
      network: network,
      float64Parameters: base.parameters.mapValues { tensor in
        Tensor(
          shape: tensor.shape,
          scalars: tensor.scalars.map { Double($0) * (1 + 0x1p-40 * Double(1 + abs(generator.float()))) })
      })
  }

  /// The bit patterns of every tensor of a float64 model, for exact comparisons.
  public static func bits(_ tensors: [ParameterKey: Tensor<Double>]) -> [ParameterKey: [UInt64]] {
    tensors.mapValues { $0.scalars.map(\.bitPattern) }
  }

  /// A checkpoint of `model` with every field set: Adam slots, progress,
  /// history with notes and missing metrics, a data fingerprint.
  public static func checkpoint(_ model: Model, seed: UInt64 = 2, epochs: Int = 3) -> Checkpoint {
    var generator = Generator(seed: seed)
    var slots: [String: [ParameterKey: Tensor<Float>]] = [:]
    for slot in ["m", "v"] {
      for (spec, tensor) in model.orderedParameters where spec.trainable {
        // `v`, Adam's second moment, is a mean of squares: never negative.
        slots[slot, default: [:]][spec.key] = Tensor(
          shape: tensor.shape,
          scalars: tensor.scalars.map { _ in slot == "v" ? abs(generator.float()) : generator.float() })
      }
    }
    let optimizer = OptimizerState(
      configuration: OptimizerConfiguration(kind: .adam, learningRate: 0.0025, epsilon: 1e-8),
      iterations: 1234, slots: slots)
    let history = (1...epochs).map { (epoch: Int) -> EpochRecord in
      let e = Double(epoch)
      let validationLoss: Double? = epoch == 2 ? nil : 1.2 / e
      let notes: [String] = epoch == 2 ? ["learning rate changed to 0.0025", "résumé ✓"] : []
      return EpochRecord(
        epoch: epoch, trainLoss: 1.0 / e + 0.1, trainAccuracy: 0.5 + e / 100, validationLoss: validationLoss,
        validationAccuracy: nil, learningRate: 0.0025, seconds: 0.75 * e, notes: notes)
    }
    let progress = TrainingProgress(
      epoch: epochs, stepInEpoch: 7, order: (0..<50).map { ($0 * 17) % 50 }, cursor: 28,
      random: RandomState(words: [1, 0xDEAD_BEEF, UInt64.max, 0x0123_4567_89AB_CDEF]), history: history,
      epochLossSum: 12.375, epochSamples: 28, epochCorrect: 19, epochJudged: 28, elapsedSeconds: 4.5)
    return Checkpoint(
      model: model, optimizer: optimizer,
      configuration: TrainingConfiguration(
        loss: .categoricalCrossEntropy, batchSize: 4, epochs: 10, seed: 0xFFFF_FFFF_FFFF_FFF0, shuffle: true,
        bpttSteps: 5, validationSplit: 0.2),
      progress: progress,
      data: DataFingerprint(
        sha256: String(repeating: "ab", count: 32), path: "Fixtures/datasets/iris.csv", sampleCount: 50,
        targets: "species"),
      validationData: DataFingerprint(
        sha256: String(repeating: "cd", count: 32), path: "Fixtures/datasets/digits.h5", sampleCount: 360,
        inputs: "test/x", targets: "test/y"),
      bpkitVersion: BPKitVersion.current, createdAt: Date(timeIntervalSince1970: 1_795_000_000.125))
  }

  /// The bit patterns of every tensor in a model, for exact comparisons.
  public static func bits(_ tensors: [ParameterKey: Tensor<Float>]) -> [ParameterKey: [UInt32]] {
    tensors.mapValues { $0.scalars.map(\.bitPattern) }
  }
}
