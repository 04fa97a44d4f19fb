import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

/// A float64 model trains and predicts to the same bits on every kernel
/// path, on 1 and 2 threads, and whatever the batch a sample is predicted
/// in, as a float32 model does (``KernelPathTests``).
@Suite struct Float64KernelPathTests {
  /// A run's final weights and its predictions afterwards, as bit patterns.
  struct Outcome: Equatable {
    var weights: [UInt64]
    var predictions: [UInt64]
  }

  /// A float64 network trained for 3 batches of 37 on random samples, then
  /// asked for the predictions of 50 more.
  static func run(_ setup: Setup, seed: UInt64) throws -> Outcome {
    let network = try NetworkDescription(layerSpecification: setup.specification)
    let model = try Model(initializing: network, seed: seed).converted(to: .float64)
    let engine = try TrainingEngine<Double>(
      model: model,
      optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: setup.optimizer, learningRate: 0.01)),
      loss: setup.loss)
    var random = Xoshiro256StarStar(seed: seed + 1)
    let width = setup.sample.reduce(1, *)
    let (loss, outputs) = (setup.loss, setup.outputs)
    let batch = 37
    for _ in 0..<3 {
      let x = (0..<(batch * width)).map { _ in random.nextDouble() * 4 - 2 }
      if loss == .categoricalCrossEntropy {
        _ = try engine.step(
          inputs: x, labels: (0..<batch).map { _ in random.nextIndex(below: outputs) }, count: batch)
      } else {
        _ = try engine.step(inputs: x, targets: (0..<(batch * outputs)).map { _ in random.nextDouble() }, count: batch)
      }
    }
    let x = (0..<(50 * width)).map { _ in random.nextDouble() * 4 - 2 }
    let predictions = try engine.model.predict(Tensor(shape: [50] + setup.sample, scalars: x))
    let weights = engine.model.orderedParameters.flatMap { engine.model.float64Parameters![$0.spec.key]!.scalars }
    return Outcome(weights: weights.map(\.bitPattern), predictions: predictions.scalars.map(\.bitPattern))
  }

  /// A network, its loss and optimizer, the shape of one input sample, and
  /// its classes (cross-entropy) or target values per sample.
  struct Setup: Sendable {
    var specification: String
    var loss: Loss
    var optimizer: OptimizerKind
    var sample: [Int]
    var outputs: Int
  }

  static let runs: [Setup] = [
    Setup(
      specification: "12,48:tanh,40:relu,16:sigmoid,5:softmax", loss: .categoricalCrossEntropy, optimizer: .adam,
      sample: [12], outputs: 5),
    Setup(
      specification: "10x3,rnn16:tanh:seq,8:elu,2", loss: .meanSquaredError, optimizer: .momentum, sample: [10, 3],
      outputs: 20),
    Setup(
      specification: "6x4,lstm12,3:softmax", loss: .categoricalCrossEntropy, optimizer: .rmsprop, sample: [6, 4],
      outputs: 3),
    Setup(specification: "6x4,gru10:seq,2", loss: .meanSquaredError, optimizer: .adam, sample: [6, 4], outputs: 12),
  ]

  @Test(arguments: runs.indices)
  func everyPathAndThreadCountTrainsAndPredictsTheSameBits(run index: Int) throws {
    let setup = Self.runs[index]
    let reference = try Kernels.with(path: Kernels.best, threads: 1) { try Self.run(setup, seed: 3) }
    #expect(!reference.weights.isEmpty)
    for path in Kernels.supported {
      for threads in [1, 2] {
        let outcome = try Kernels.with(path: path, threads: threads) { try Self.run(setup, seed: 3) }
        #expect(outcome == reference, "\(setup.specification), \(path), \(threads) threads")
      }
    }
  }

  @Test(arguments: runs.indices)
  func aSampleIsPredictedToTheSameBitsAloneOrInAnyBatch(run index: Int) throws {
    let setup = Self.runs[index]
    let network = try NetworkDescription(layerSpecification: setup.specification)
    let model = try Model(initializing: network, seed: 8).converted(to: .float64)
    var random = Xoshiro256StarStar(seed: 9)
    let sample = setup.sample
    let width = sample.reduce(1, *)
    let rows = 23
    let x = (0..<(rows * width)).map { _ in random.nextDouble() * 4 - 2 }
    let whole = try model.predict(Tensor(shape: [rows] + sample, scalars: x)).scalars
    let per = whole.count / rows
    for threads in [1, 2] {
      try Kernels.with(threads: threads) {
        for row in 0..<rows {
          let one = try model.predict(
            Tensor(shape: [1] + sample, scalars: Array(x[(row * width)..<((row + 1) * width)])))
          #expect(
            one.scalars.map(\.bitPattern) == whole[(row * per)..<((row + 1) * per)].map(\.bitPattern),
            "row \(row), \(threads) threads")
        }
        for size in [7, 16] {
          var start = 0
          while start < rows {
            let count = min(size, rows - start)
            let part = try model.predict(
              Tensor(shape: [count] + sample, scalars: Array(x[(start * width)..<((start + count) * width)])))
            #expect(
              part.scalars.map(\.bitPattern) == whole[(start * per)..<((start + count) * per)].map(\.bitPattern),
              "rows \(start)..., batches of \(size), \(threads) threads")
            start += count
          }
        }
      }
    }
  }
}
