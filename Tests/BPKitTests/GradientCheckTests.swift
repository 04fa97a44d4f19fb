import BPKit
import Testing

/// Gradient checks over every layer kind, activation and loss, with the
/// issue's bound of 1e-6 on the worst relative error.
@Suite struct GradientCheckTests {
  static let bound = 1e-6

  static func check(_ specification: String, _ loss: Loss, labels: Bool = false, seed: UInt64 = 7) throws {
    let network = try NetworkDescription(layerSpecification: specification)
    let model = try Model(initializing: network, seed: seed)
    let results = try GradientCheck(model: model, loss: loss, batch: 3, steps: 4, useLabels: labels, seed: seed).run()
    #expect(!results.isEmpty)
    for result in results {
      #expect(
        result.worstRelativeError < bound,
        "\(specification) \(loss): \(result.key) error \(result.worstRelativeError) analytic \(result.analytic) numerical \(result.numerical)"
      )
    }
  }

  static let hidden = ["linear", "sigmoid", "tanh", "relu", "leaky_relu(0.1)", "elu(0.7)", "softmax"]

  @Test(arguments: hidden)
  func denseHiddenActivationsWithEveryLoss(activation: String) throws {
    try Self.check("3,5:\(activation),4:\(activation)", .meanSquaredError)
    try Self.check("3,5:\(activation),4:softmax", .categoricalCrossEntropy)
    try Self.check("3,5:\(activation),4:softmax", .categoricalCrossEntropy, labels: true)
    try Self.check("3,5:\(activation),2:sigmoid", .binaryCrossEntropy)
  }

  /// Keras 3's activations (format 1.4), as hidden and output layers and inside a recurrence.
  static let keras3 = [
    "gelu", "gelu_tanh", "silu", "softplus", "softsign", "selu", "hard_silu", "relu6", "exponential", "mish",
    "log_softmax",
  ]

  @Test(arguments: keras3)
  func keras3ActivationsAsHiddenAndOutputLayers(activation: String) throws {
    try Self.check("3,5:\(activation),4:\(activation)", .meanSquaredError)
    try Self.check("3,5:\(activation),4:softmax", .categoricalCrossEntropy, labels: true)
    try Self.check("3,5:\(activation),2:sigmoid", .binaryCrossEntropy)
    try Self.check("4x2,lstm3:\(activation),2", .meanSquaredError)
    // e^x inside a recurrence compounds step after step until it overflows.
    if activation != "exponential" {
      try Self.check("4x3,rnn5:\(activation):seq,2:\(activation)", .meanSquaredError)
    }
  }

  @Test(arguments: [Loss.meanAbsoluteError, .huber])
  func regressionLossesBeyondMSE(loss: Loss) throws {
    try Self.check("3,5:tanh,2", loss)
    try Self.check("3,5:relu,4:sigmoid", loss)
    try Self.check("4x3,rnn5:seq,2", loss)
  }

  @Test(arguments: hidden)
  func elmanActivations(activation: String) throws {
    try Self.check("4x3,rnn5:\(activation),2", .meanSquaredError)
    try Self.check("4x3,rnn5:\(activation):seq,2:\(activation)", .meanSquaredError)
  }

  @Test func elmanAsOutputLayerWithFusedLosses() throws {
    try Self.check("4x3,rnn4:softmax", .categoricalCrossEntropy)
    try Self.check("4x3,rnn4:softmax:seq", .categoricalCrossEntropy, labels: true)
    try Self.check("4x3,rnn2:sigmoid:seq", .binaryCrossEntropy)
    try Self.check("4x3,rnn2:sigmoid", .binaryCrossEntropy)
  }

  @Test func stackedElmanLayers() throws {
    try Self.check("4x3,rnn5:tanh:seq,rnn4:tanh,3:softmax", .categoricalCrossEntropy)
    try Self.check("4x2,rnn3:seq,rnn3:relu:seq,rnn2:seq,1", .meanSquaredError)
  }

  @Test func layersWithoutBias() throws {
    try Self.check("3,5:tanh:nobias,2:nobias", .meanSquaredError)
    try Self.check("4x3,rnn5:nobias,2", .meanSquaredError)
  }

  @Test func standardizeLayerPassesGradientsThrough() throws {
    let network = try NetworkDescription(layerSpecification: "3,4:tanh,std,2")
    var model = try Model(initializing: network, seed: 3)
    try model.setParameter(
      Tensor(shape: [4], scalars: [0.1, -0.2, 0.3, 0]), for: ParameterKey(layer: "standardize_1", name: "mean"))
    try model.setParameter(
      Tensor(shape: [4], scalars: [0.5, 2, 1.5, 0]), for: ParameterKey(layer: "standardize_1", name: "std"))
    let results = try GradientCheck(model: model, loss: .meanSquaredError).run()
    #expect(results.map(\.key.layer) == ["dense_1", "dense_1", "dense_2", "dense_2"])
    for result in results { #expect(result.worstRelativeError < Self.bound) }
  }
}
