import ArgumentParser
import BPKit

/// `bpkit bench train-mlp`: training speed of a 784-256-128-10 classifier.
struct TrainMLPBenchmark: BenchmarkWorkload {
  static let configuration = CommandConfiguration(
    commandName: "train-mlp",
    abstract: "Samples/s training 784-256-128-10 (relu, softmax), cross-entropy, SGD momentum, batch 128.")

  @OptionGroup var options: BenchOptions

  func run() throws { try runAlone(options) }

  func measure(_ options: BenchOptions) throws {
    let batch = 128
    let batches = 40
    let network = try NetworkDescription(layerSpecification: "784,256:relu,128:relu,10:softmax")
    let engine = try TrainingEngine<Float>(
      model: try Model(initializing: network, seed: 1),
      optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .momentum, learningRate: 0.01)),
      loss: .categoricalCrossEntropy)
    var random = Xoshiro256StarStar(seed: 2)
    let inputs = (0..<(batch * batches * 784)).map { _ in random.nextFloat() }
    let labels = (0..<(batch * batches)).map { _ in random.nextIndex(below: 10) }
    let threads = BenchReport.useThreads(options, automatic: 2)
    func epoch() throws {
      try inputs.withUnsafeBufferPointer { x in
        try labels.withUnsafeBufferPointer { y in
          for i in 0..<batches {
            _ = try engine.step(
              inputs: UnsafeBufferPointer(rebasing: x[(i * batch * 784)..<((i + 1) * batch * 784)]),
              targets: .labels(UnsafeBufferPointer(rebasing: y[(i * batch)..<((i + 1) * batch)])), count: batch)
          }
        }
      }
    }
    try epoch()
    var figures: [Double] = []
    for _ in 0..<options.runs {
      let seconds = try BenchReport.seconds { try epoch() }
      figures.append(Double(batch * batches) / seconds)
    }
    BenchReport.figure("train-mlp", figures, unit: "samples/s", threads: threads, options: options)
  }
}
