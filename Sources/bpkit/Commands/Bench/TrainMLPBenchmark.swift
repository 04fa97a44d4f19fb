import ArgumentParser
import BPKit

/// `bpkit bench train-mlp`: training speed of a 784-256-128-10 classifier.
struct TrainMLPBenchmark: BenchmarkWorkload {
  static let configuration = CommandConfiguration(
    commandName: "train-mlp",
    abstract: "Samples/s training 784-256-128-10 (relu, softmax), cross-entropy, SGD momentum, batch 128.")

  @OptionGroup var options: BenchOptions

  @Option(help: "The precision to train in: float32 or float64 (--dtype float64 of train).")
  var dtype: DType = .float32

  func run() throws {
    // Under mpirun (MPI-enabled build), every rank trains its part of each
    // batch and rank 0 reports.
    let communicator = try ProcessGroup.communicator()
    guard let communicator else { return try runAlone(options) }
    try ProcessGroup.reporting(communicator) {
      if communicator.rank == 0 { try BenchReport.header(options) }
      try measure(options, communicator: TimedCommunicator(communicator))
    }
  }

  func measure(_ options: BenchOptions) throws { try measure(options, communicator: nil) }

  /// Times epochs of 40 batches; on several ranks, each rank trains its
  /// samples of every batch, and rank 0 also reports the time spent in MPI
  /// calls and the bytes it sent per step.
  func measure(_ options: BenchOptions, communicator: TimedCommunicator?) throws {
    switch dtype {
    case .float32: try measure(Float.self, options, communicator: communicator)
    case .float64: try measure(Double.self, options, communicator: communicator)
    }
  }

  /// The workload in `S`: the float32 run's samples and weights, widened exactly for Double.
  func measure<S: BLASScalar>(_: S.Type, _ options: BenchOptions, communicator: TimedCommunicator?) throws {
    let batch = 128
    let batches = 40
    let network = try NetworkDescription(layerSpecification: "784,256:relu,128:relu,10:softmax")
    let engine = try TrainingEngine<S>(
      model: try Model(initializing: network, seed: 1).converted(to: dtype),
      optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .momentum, learningRate: 0.01)),
      loss: .categoricalCrossEntropy)
    var random = Xoshiro256StarStar(seed: 2)
    let inputs = (0..<(batch * batches * 784)).map { _ in S(random.nextFloat()) }
    let labels = (0..<(batch * batches)).map { _ in random.nextIndex(below: 10) }
    let threads = BenchReport.useThreads(options, automatic: 2)
    func epoch() throws {
      try inputs.withUnsafeBufferPointer { x in
        try labels.withUnsafeBufferPointer { y in
          for i in 0..<batches {
            guard let communicator else {
              _ = try engine.step(
                inputs: UnsafeBufferPointer(rebasing: x[(i * batch * 784)..<((i + 1) * batch * 784)]),
                targets: .labels(UnsafeBufferPointer(rebasing: y[(i * batch)..<((i + 1) * batch)])), count: batch)
              continue
            }
            let part = TrainingEngine<S>.samples(ofBatch: batch, communicator: communicator)
            let rows = (i * batch + part.lowerBound)..<(i * batch + part.upperBound)
            _ = try engine.step(
              inputs: UnsafeBufferPointer(rebasing: x[(rows.lowerBound * 784)..<(rows.upperBound * 784)]),
              targets: .labels(UnsafeBufferPointer(rebasing: y[rows])), batchSize: batch, communicator: communicator)
          }
        }
      }
    }
    try epoch()
    var timings: [(wall: Double, cpu: Double)] = []
    var waits: [Double] = []
    var bytes = 0
    for _ in 0..<options.runs {
      communicator?.reset()
      timings.append(try BenchReport.times { try epoch() })
      waits.append((communicator?.seconds ?? 0) / Double(batches))
      bytes = (communicator?.bytesSent ?? 0) / batches
    }
    let samples = Double(batch * batches)
    let name = dtype == .float64 ? "train-mlp float64" : "train-mlp"
    guard let communicator else {
      return BenchReport.figure(name, timings, unit: "samples/s", threads: threads, options: options) {
        samples / $0
      }
    }
    guard communicator.rank == 0 else { return }
    BenchReport.figure(
      name, timings, unit: "samples/s", threads: threads, options: options,
      detail: String(
        format: "; %d ranks; rank 0: %.3f ms/step in MPI calls, %d bytes sent/step", communicator.size,
        BenchReport.median(waits) * 1000, bytes)
    ) { samples / $0 }
  }
}
