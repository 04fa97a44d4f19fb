// Writes checkpoints to one path, over and over, for the crash-safety test
// that kills this process at random moments.
//
// Usage: CheckpointWriterFixture PATH PARAMETERS FIRST_GENERATION [COUNT]
// Generation g has progress.epoch == g and every weight equal to Float(g), so
// a reader can tell whether what it loaded is one complete generation.
import BPKit
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 4, let parameters = Int(arguments[2]), let first = Int(arguments[3]) else {
  FileHandle.standardError.write(Data("usage: CheckpointWriterFixture PATH PARAMETERS FIRST_GENERATION [COUNT]\n".utf8))
  exit(2)
}
let url = URL(fileURLWithPath: arguments[1])
let count = arguments.count > 4 ? Int(arguments[4]) ?? Int.max : Int.max
let width = max(1, Int(Double(parameters / 2).squareRoot()))
let network = NetworkDescription(
  input: .vector(features: width),
  layers: [
    Layer(name: "hidden", kind: .dense(units: width, activation: .tanh, useBias: true)),
    Layer(name: "output", kind: .dense(units: width, activation: .linear, useBias: true)),
  ])

func checkpoint(generation: Int) throws -> Checkpoint {
  let value = Float(generation)
  var weights: [ParameterKey: Tensor<Float>] = [:]
  for spec in try network.parameterSpecs() {
    weights[spec.key] = Tensor(repeating: value, shape: spec.shape)
  }
  let model = try Model(network: network, parameters: weights)
  let velocity = weights.mapValues { Tensor(repeating: -value, shape: $0.shape) }
  let history = (0..<min(generation, 3)).map {
    EpochRecord(epoch: $0 + 1, trainLoss: 1 / Double($0 + 1), learningRate: 0.01, seconds: 1)
  }
  return Checkpoint(
    model: model,
    optimizer: OptimizerState(
      configuration: OptimizerConfiguration(kind: .momentum), iterations: Int64(generation) * 10,
      slots: ["momentum": velocity]),
    configuration: TrainingConfiguration(loss: .meanSquaredError, batchSize: 16),
    progress: TrainingProgress(
      epoch: generation, stepInEpoch: 2, order: Array(0..<8).reversed(), cursor: 4,
      random: RandomState(words: [1, 2, 3, 4]), history: history),
    data: DataFingerprint(sha256: String(repeating: "0", count: 64), path: "train.csv", sampleCount: 8))
}

do {
  var generation = first
  while generation - first < count {
    try checkpoint(generation: generation).write(to: url)
    FileHandle.standardOutput.write(Data("wrote \(generation)\n".utf8))
    generation += 1
  }
} catch {
  FileHandle.standardError.write(Data("CheckpointWriterFixture: \(error)\n".utf8))
  exit(1)
}
