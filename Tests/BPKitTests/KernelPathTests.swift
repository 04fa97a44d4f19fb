import Crypto
import Foundation
import Testing

@testable import BPKit

/// Training and prediction give the same bits on every kernel path, and a
/// small training run gives the weights whose SHA-256 is committed here, on
/// any machine (see the README's "Reproducibility").
@Suite struct KernelPathTests {
  /// A run's final weights and its predictions afterwards, as bit patterns.
  struct Outcome: Equatable {
    var weights: [UInt32]
    var predictions: [UInt32]
  }

  /// A dense classifier trained with Adam for 4 batches of 37 (softmax
  /// cross-entropy, tanh, relu and sigmoid layers), then asked for predictions.
  static func denseRun() throws -> Outcome {
    let network = try NetworkDescription(layerSpecification: "12,24:tanh,20:relu,16:sigmoid,5:softmax")
    let engine = try TrainingEngine<Float>(
      model: try Model(initializing: network, seed: 3),
      optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .adam, learningRate: 0.01)),
      loss: .categoricalCrossEntropy)
    var random = Xoshiro256StarStar(seed: 4)
    let batch = 37
    for _ in 0..<4 {
      let x = (0..<(batch * 12)).map { _ in random.nextFloat() * 4 - 2 }
      let labels = (0..<batch).map { _ in random.nextIndex(below: 5) }
      _ = try engine.step(inputs: x, labels: labels, count: batch)
    }
    let x = (0..<(50 * 12)).map { _ in random.nextFloat() * 4 - 2 }
    let predictions = try engine.model.predict(Tensor(shape: [50, 12], scalars: x))
    return Outcome(weights: bits(engine.model), predictions: predictions.scalars.map(\.bitPattern))
  }

  /// An Elman network (10 steps of 3 features, 16 tanh units returning every
  /// step, then 8 elu units and 2 linear outputs per step) trained with
  /// momentum on mean squared error, truncated to 4 steps, then asked for predictions.
  static func elmanRun() throws -> Outcome {
    let network = try NetworkDescription(layerSpecification: "10x3,rnn16:tanh:seq,8:elu,2")
    let engine = try TrainingEngine<Float>(
      model: try Model(initializing: network, seed: 5),
      optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .momentum, learningRate: 0.05)),
      loss: .meanSquaredError, bpttSteps: 4)
    var random = Xoshiro256StarStar(seed: 6)
    let batch = 9
    for _ in 0..<3 {
      let x = (0..<(batch * 10 * 3)).map { _ in random.nextFloat() * 2 - 1 }
      let y = (0..<(batch * 10 * 2)).map { _ in random.nextFloat() }
      _ = try engine.step(inputs: x, targets: y, count: batch)
    }
    let x = (0..<(7 * 10 * 3)).map { _ in random.nextFloat() * 2 - 1 }
    let predictions = try engine.model.predict(Tensor(shape: [7, 10, 3], scalars: x))
    return Outcome(weights: bits(engine.model), predictions: predictions.scalars.map(\.bitPattern))
  }

  static func bits(_ model: Model) -> [UInt32] {
    model.orderedParameters.flatMap { $0.tensor.scalars.map(\.bitPattern) }
  }

  /// SHA-256 of the bit patterns, little-endian, in order.
  static func sha256(_ values: [UInt32]) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(values.count * 4)
    for value in values { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    return SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
  }

  @Test func everyPathTrainsAndPredictsTheSameBits() throws {
    let dense = try Kernels.with(path: Kernels.best) { try Self.denseRun() }
    let elman = try Kernels.with(path: Kernels.best) { try Self.elmanRun() }
    for path in Kernels.supported where path != Kernels.best {
      for threads in [1, 2] {
        #expect(try Kernels.with(path: path, threads: threads) { try Self.denseRun() } == dense, "dense, \(path)")
        #expect(try Kernels.with(path: path, threads: threads) { try Self.elmanRun() } == elman, "Elman, \(path)")
      }
    }
  }

  /// The committed fingerprint of both runs' weights and predictions. It
  /// changes only when bpkit's arithmetic changes on purpose; then this
  /// value is updated in the same commit, and the README says so.
  static let golden = "2c0dcf24a339925af4527499ed4c5fb7550b3939bab2d8584a196b57c9ca42cc"

  @Test(arguments: Kernels.supported)
  func theGoldenRunReproducesItsCommittedHash(path: Kernels.Path) throws {
    let (dense, elman) = try Kernels.with(path: path) { (try Self.denseRun(), try Self.elmanRun()) }
    let hash = Self.sha256(dense.weights + dense.predictions + elman.weights + elman.predictions)
    #expect(hash == Self.golden, "\(path)")
  }
}
