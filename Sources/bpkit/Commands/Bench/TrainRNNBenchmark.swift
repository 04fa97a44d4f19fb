import ArgumentParser
import BPKit

/// `bpkit bench train-rnn`: training speed of an Elman network.
struct TrainRNNBenchmark: BenchmarkWorkload {
  static let configuration = CommandConfiguration(
    commandName: "train-rnn",
    abstract: "Sequences/s training Elman tanh 64 (16 inputs, 32 steps) + dense 1, MSE, SGD, batch 32.")

  @OptionGroup var options: BenchOptions

  func run() throws { try runAlone(options) }

  func measure(_ options: BenchOptions) throws {
    try SequenceTraining.measure("train-rnn", layer: "rnn64:tanh", options)
  }
}

/// `bpkit bench train-lstm`: training speed of an LSTM network, the workload BENCHMARKS.md sets beside PyTorch's `nn.LSTM`.
struct TrainLSTMBenchmark: BenchmarkWorkload {
  static let configuration = CommandConfiguration(
    commandName: "train-lstm",
    abstract: "Sequences/s training LSTM 64 (16 inputs, 32 steps) + dense 1, MSE, SGD, batch 32.")

  @OptionGroup var options: BenchOptions

  func run() throws { try runAlone(options) }

  func measure(_ options: BenchOptions) throws {
    try SequenceTraining.measure("train-lstm", layer: "lstm64", options)
  }
}

/// `bpkit bench train-gru`: training speed of a GRU network (`reset_after`, PyTorch's `nn.GRU` form).
struct TrainGRUBenchmark: BenchmarkWorkload {
  static let configuration = CommandConfiguration(
    commandName: "train-gru",
    abstract: "Sequences/s training GRU 64 (16 inputs, 32 steps) + dense 1, MSE, SGD, batch 32.")

  @OptionGroup var options: BenchOptions

  func run() throws { try runAlone(options) }

  func measure(_ options: BenchOptions) throws {
    try SequenceTraining.measure("train-gru", layer: "gru64", options)
  }
}

/// The sequence-training workload of `train-rnn`, `train-lstm` and
/// `train-gru`: one recurrent layer of 64 units over 32 steps of 16 inputs,
/// its last step into a dense unit, MSE, SGD, batches of 32, 40 batches an
/// epoch; the figure is sequences per second of an epoch.
enum SequenceTraining {
  static func measure(_ name: String, layer: String, _ options: BenchOptions) throws {
    let batch = 32
    let batches = 40
    let steps = 32
    let features = 16
    let network = try NetworkDescription(layerSpecification: "\(steps)x\(features),\(layer),1")
    let engine = try TrainingEngine<Float>(
      model: try Model(initializing: network, seed: 1),
      optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .sgd, learningRate: 0.01)),
      loss: .meanSquaredError)
    var random = Xoshiro256StarStar(seed: 2)
    let perSample = steps * features
    let inputs = (0..<(batch * batches * perSample)).map { _ in random.nextFloat() }
    let targets = (0..<(batch * batches)).map { _ in random.nextFloat() }
    let threads = BenchReport.useThreads(options, automatic: 1)
    func epoch() throws {
      try inputs.withUnsafeBufferPointer { x in
        try targets.withUnsafeBufferPointer { y in
          for i in 0..<batches {
            _ = try engine.step(
              inputs: UnsafeBufferPointer(rebasing: x[(i * batch * perSample)..<((i + 1) * batch * perSample)]),
              targets: .values(UnsafeBufferPointer(rebasing: y[(i * batch)..<((i + 1) * batch)])), count: batch)
          }
        }
      }
    }
    try epoch()
    var timings: [(wall: Double, cpu: Double)] = []
    for _ in 0..<options.runs { timings.append(try BenchReport.times { try epoch() }) }
    BenchReport.figure(name, timings, unit: "seq/s", threads: threads, options: options) {
      Double(batch * batches) / $0
    }
  }
}
