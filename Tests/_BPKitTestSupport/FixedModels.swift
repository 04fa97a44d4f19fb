import BPKit

/// Small models with fixed weights, built in memory, for tests that need a
/// model file but not a trained one.
public enum FixedModels {
  /// A 4-input, 3-class softmax model (iris' shape) with fixed weights.
  public static var iris: Model {
    let network = NetworkDescription(
      input: .vector(features: 4),
      layers: [Layer(name: "out", kind: .dense(units: 3, activation: .softmax, useBias: true))])
    return try! Model(
      network: network,
      parameters: [
        ParameterKey(layer: "out", name: "kernel"): Tensor(shape: [4, 3], scalars: (0..<12).map { Float($0) / 12 }),
        ParameterKey(layer: "out", name: "bias"): Tensor(shape: [3], scalars: [0, 0.5, -0.5]),
      ])
  }
}
