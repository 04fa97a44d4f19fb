import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// L1 and L2 regularizers (Keras 3's `L1`, `L2`, `L1L2` as `kernel_regularizer`,
/// `recurrent_regularizer` and `bias_regularizer`): the penalty joins each
/// batch's loss unscaled, its gradient the weights', frozen layers add
/// nothing, split batches stay bitwise one process's, and stopped runs
/// resume to the bits of the whole one.
@Suite struct RegularizerTests {
  static let inputs: [Float] = [0.5, -1, 0.25, 2, -0.75, 0.1, 1.5, -0.3, 0.9, -2, 0.4, 0.6]
  static let labels = [0, 2, 1, 2]

  static func engine(_ specification: String, freeze: String? = nil, seed: UInt64 = 3) throws -> TrainingEngine<Float> {
    var network = try NetworkDescription(layerSpecification: specification)
    for index in network.layers.indices where network.layers[index].name == freeze {
      network.layers[index].trainable = false
    }
    return try TrainingEngine(
      model: try Model(initializing: network, seed: seed),
      optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .sgd, learningRate: 0.1)),
      loss: .categoricalCrossEntropy)
  }

  /// l1·Σ|w| + l2·Σw² over a tensor, in Double.
  static func penalty(_ tensor: Tensor<Float>, l1: Double, l2: Double) -> Double {
    tensor.scalars.reduce(0) { $0 + l1 * abs(Double($1)) + l2 * Double($1) * Double($1) }
  }

  @Test func thePenaltyJoinsTheLossAndItsSlopeTheGradient() throws {
    let plain = try Self.engine("3,5:tanh,3:softmax")
    let regularized = try Self.engine("3,5:tanh:l2=0.02:bias_l1=0.3,3:softmax:l1=0.05:l2=0.01")
    // A zero weight under L1 has slope 0 (sign(0) = 0, as in TensorFlow and JAX); biases start at 0.
    let parameters = plain.model.parameters
    #expect(parameters[ParameterKey(layer: "dense_1", name: "bias")]!.scalars.allSatisfy { $0 == 0 })
    let expected =
      Self.penalty(parameters[ParameterKey(layer: "dense_1", name: "kernel")]!, l1: 0, l2: 0.02)
      + Self.penalty(parameters[ParameterKey(layer: "dense_2", name: "kernel")]!, l1: 0.05, l2: 0.01)
    #expect(abs(regularized.regularizationPenalty - expected) < 1e-12)
    #expect(expected > 0.01)

    let data = try Self.gradients(plain)
    let total = try Self.gradients(regularized)
    let factors: [ParameterKey: (l1: Float, l2: Float)] = [
      ParameterKey(layer: "dense_1", name: "kernel"): (0, 0.02),
      ParameterKey(layer: "dense_1", name: "bias"): (0.3, 0),
      ParameterKey(layer: "dense_2", name: "kernel"): (0.05, 0.01),
      ParameterKey(layer: "dense_2", name: "bias"): (0, 0),
    ]
    for (key, (l1, l2)) in factors {
      let w = parameters[key]!.scalars
      for (k, (g, r)) in zip(data[key]!.scalars, total[key]!.scalars).enumerated() {
        let sign: Float = w[k] > 0 ? 1 : w[k] < 0 ? -1 : 0
        #expect(abs(r - (g + l1 * sign + 2 * l2 * w[k])) <= 1e-6, "\(key)[\(k)]")
      }
    }

    let before = try plain.evaluate(inputs: Self.inputs, labels: Self.labels, count: 4)
    let step = try regularized.step(inputs: Self.inputs, labels: Self.labels, count: 4)
    // Added as it is, not divided by the batch size (Keras 3's compute_loss).
    #expect(abs(step.loss - (before.loss + expected)) < 1e-6)
    let after = try regularized.evaluate(inputs: Self.inputs, labels: Self.labels, count: 4)
    let dataAfter = try Self.engine("3,5:tanh,3:softmax").evaluate(inputs: Self.inputs, labels: Self.labels, count: 4)
    #expect(after.loss != dataAfter.loss)
    #expect(abs(after.loss - regularized.regularizationPenalty - (try Self.dataLoss(of: regularized))) < 1e-6)
  }

  static func gradients(_ engine: TrainingEngine<Float>) throws -> [ParameterKey: Tensor<Float>] {
    try Self.inputs.withUnsafeBufferPointer { x in
      try Self.labels.withUnsafeBufferPointer { t in try engine.gradients(inputs: x, targets: .labels(t), count: 4) }
    }
  }

  /// The data loss of an engine's current weights, from an engine without regularizers.
  static func dataLoss(of engine: TrainingEngine<Float>) throws -> Double {
    var network = engine.network
    for index in network.layers.indices { network.layers[index].regularizers = .none }
    let plain = try TrainingEngine<Float>(
      model: try Model(network: network, parameters: engine.model.parameters),
      optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .sgd)), loss: engine.loss)
    return try plain.evaluate(inputs: Self.inputs, labels: Self.labels, count: 4).loss
  }

  /// Keras 3 takes penalties from `trainable_weights` only: a frozen layer's
  /// regularizer adds nothing to the loss or to any gradient.
  @Test func aFrozenLayersRegularizerAddsNothing() throws {
    let plain = try Self.engine("3,5:tanh,3:softmax", freeze: "dense_1")
    let regularized = try Self.engine("3,5:tanh:l2=0.5:l1=0.5,3:softmax", freeze: "dense_1")
    #expect(regularized.regularizationPenalty == 0)
    let a = try plain.step(inputs: Self.inputs, labels: Self.labels, count: 4)
    let b = try regularized.step(inputs: Self.inputs, labels: Self.labels, count: 4)
    #expect(a.loss.bitPattern == b.loss.bitPattern)
    for (key, tensor) in plain.model.parameters {
      #expect(tensor.scalars.map(\.bitPattern) == regularized.model.parameters[key]!.scalars.map(\.bitPattern))
    }
  }

  /// A batch split across 1 to 4 ranks (threads here; mpirun in MPITrainTests)
  /// ends every step with bitwise the weights and loss of one process: the
  /// penalty's gradient joins once, after the ranks' chain.
  @Test(arguments: [2, 3, 4])
  func splitBatchesEndWithTheBitsOfOneProcess(ranks: Int) throws {
    let specification = "3,5:tanh:l2=0.02:bias_l1=0.3:l1=0.01,3:softmax:l1=0.05:bias_l2=0.1"
    let alone = try Self.engine(specification)
    var losses: [Double] = []
    for _ in 0..<5 { losses.append(try alone.step(inputs: Self.inputs, labels: Self.labels, count: 4).loss) }
    let outcomes = ThreadRanks.run(ranks) { communicator in
      let engine = try Self.engine(specification)
      let range = TrainingEngine<Float>.samples(ofBatch: 4, communicator: communicator)
      var losses: [Double] = []
      for _ in 0..<5 {
        let inputs = Array(Self.inputs[(range.lowerBound * 3)..<(range.upperBound * 3)])
        let labels = Array(Self.labels[range])
        let metrics = try inputs.withUnsafeBufferPointer { x in
          try labels.withUnsafeBufferPointer { t in
            try engine.step(inputs: x, targets: .labels(t), batchSize: 4, communicator: communicator)
          }
        }
        losses.append(metrics.loss)
      }
      return (engine.model.parameters, losses)
    }
    for (rank, outcome) in outcomes.enumerated() {
      let (parameters, rankLosses) = try outcome.get()
      #expect(rankLosses.map(\.bitPattern) == losses.map(\.bitPattern), "rank \(rank)")
      for (key, tensor) in alone.model.parameters {
        #expect(tensor.scalars.map(\.bitPattern) == parameters[key]!.scalars.map(\.bitPattern), "rank \(rank) \(key)")
      }
    }
  }

  /// Dense, Elman, LSTM and GRU layers with L1 and L2 on every weight pass
  /// the gradient check at 1e-6 in Float64 (weights under L1 kept off 0).
  @Test(arguments: [
    ("4,6:tanh:l1=0.1:l2=0.2:bias_l1=0.3,3:softmax:l2=0.5:bias_l2=0.4", Loss.categoricalCrossEntropy),
    ("4,6:relu:l1=0.2,5:sigmoid:bias_l1=0.1:l2=0.3,1:sigmoid", Loss.binaryCrossEntropy),
    ("3x4,rnn5:seq:l1=0.2:recurrent_l2=0.1:bias_l2=0.3,rnn4:recurrent_l1=0.2,2", Loss.meanSquaredError),
    ("3x4,lstm5:seq:recurrent_l1=0.1:l2=0.2:bias_l1=0.1,gru3:l2=0.1:recurrent_l1=0.3:bias_l1=0.2,2", .meanSquaredError),
    ("3x4,gru4:reset_before:l1=0.05:recurrent_l2=0.2:bias_l2=0.1,2", Loss.meanAbsoluteError),
  ])
  func everyLayerKindPassesTheGradientCheck(specification: String, loss: Loss) throws {
    let network = try NetworkDescription(layerSpecification: specification)
    let model = try Model(initializing: network, seed: 5)
    let results = try GradientCheck(model: model, loss: loss, batch: 3, steps: 4, seed: 5).run()
    #expect(results.count == (try network.parameterSpecs()).count)
    for result in results {
      #expect(result.worstRelativeError < 1e-6, "\(specification): \(result.key) \(result.worstRelativeError)")
    }
    // The penalty is part of what was checked: without it the gradients differ.
    let engine = try TrainingEngine<Double>(
      model: model, optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .sgd)), loss: loss)
    #expect(engine.regularizationPenalty > 0)
  }

  static func options(folder: TemporaryDirectory, name: String, stop: Int? = nil) -> TrainingOptions {
    TrainingOptions(
      start: .init(layers: "64,16:tanh:l2=0.01:bias_l1=0.001,12:relu:l1=0.0005:l2=0.002,10:softmax:bias_l2=0.05"),
      data: .init(data: Fixtures.path("datasets/digits.h5")),
      schedule: .init(epochs: 2, batchSize: 100, optimizer: .adam, seed: 4),
      output: .init(checkpoint: folder.path(name), stopAfterSteps: stop))
  }

  @Test(arguments: [3, 18])
  func aStoppedRegularizedRunResumesToTheBitsOfTheWholeRun(stop: Int) throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-regularizer")
    _ = try TrainingRun(Self.options(folder: folder, name: "whole.h5")).run()
    #expect(try TrainingRun(Self.options(folder: folder, name: "parts.h5", stop: stop)).run().reason == .stepLimit)
    #expect(try TrainingRun(TrainingOptions(start: .init(resume: folder.path("parts.h5")))).run().reason == .completed)
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    let parts = try CheckpointComparison.load(folder.path("parts.h5"))
    #expect(CheckpointComparison.differences(whole, parts) == [])
    #expect(whole.model.network.layers.map(\.regularizers) == parts.model.network.layers.map(\.regularizers))
    #expect(
      whole.model.network.layers[0].regularizers
        == LayerRegularizers(kernel: Regularizer(l2: 0.01), bias: Regularizer(l1: 0.001)))
    // The history's losses carry the penalty: they differ from an unregularized run's.
    let plainOptions = TrainingOptions(
      start: .init(layers: "64,16:tanh,12:relu,10:softmax"), data: .init(data: Fixtures.path("datasets/digits.h5")),
      schedule: .init(epochs: 1, batchSize: 100, optimizer: .adam, seed: 4),
      output: .init(checkpoint: folder.path("plain.h5")))
    _ = try TrainingRun(plainOptions).run()
    let plain = try CheckpointComparison.load(folder.path("plain.h5"))
    #expect(plain.progress.history.first!.trainLoss < whole.progress.history.first!.trainLoss)
    // JSON keeps them too.
    let back = try Checkpoint(jsonData: try whole.jsonData())
    #expect(back.model.network == whole.model.network)
  }
}
