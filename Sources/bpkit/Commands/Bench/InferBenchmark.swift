import ArgumentParser
import BPKit

/// `bpkit bench infer`: prediction latency at batch 1 and throughput at batch 1024.
struct InferBenchmark: BenchmarkWorkload {
  static let configuration = CommandConfiguration(
    commandName: "infer",
    abstract: "784-256-128-10 prediction: batch-1 latency (µs) and batch-1024 throughput (samples/s).")

  @OptionGroup var options: BenchOptions

  @Option(help: "The precision to predict in: float32 or float64 (a float64 model).")
  var dtype: DType = .float32

  func run() throws { try runAlone(options) }

  func measure(_ options: BenchOptions) throws {
    let network = try NetworkDescription(layerSpecification: "784,256:relu,128:relu,10:softmax")
    let predictor = try Predictor(model: try Model(initializing: network, seed: 1).converted(to: dtype))
    switch dtype {
    case .float32:
      try measure(options, name: "infer") { (x: UnsafeBufferPointer<Float>, count, y) in
        try predictor.predict(x, count: count, into: y)
      }
    case .float64:
      try measure(options, name: "infer float64") { (x: UnsafeBufferPointer<Double>, count, y) in
        try predictor.predict(x, count: count, into: y)
      }
    }
  }

  /// The workload in `S` through `predict` (inputs, count, outputs): the
  /// float32 run's samples, widened exactly for Double.
  func measure<S: BLASScalar>(
    _ options: BenchOptions, name: String,
    predict: (UnsafeBufferPointer<S>, Int, UnsafeMutableBufferPointer<S>) throws -> Void
  ) throws {
    var random = Xoshiro256StarStar(seed: 2)
    let large = 1024
    let inputs = (0..<(large * 784)).map { _ in S(random.nextFloat()) }
    var output = [S](repeating: 0, count: large * 10)

    let latencyThreads = BenchReport.useThreads(options, automatic: 2)
    let calls = 2000
    var latencies: [(wall: Double, cpu: Double)] = []
    try inputs.withUnsafeBufferPointer { x in
      try output.withUnsafeMutableBufferPointer { y in
        let one = UnsafeBufferPointer(rebasing: x[0..<784])
        // A long-lived predictor's steady state: the warm-up runs past the
        // calls after which a predictor tries other places for its weights
        // (`Predictor.choosesWeightPlacement`, 10,000 calls; a few
        // milliseconds once), so that no timed run includes that trial.
        for _ in 0..<12_000 { try predict(one, 1, y) }
        for _ in 0..<options.runs {
          latencies.append(
            try BenchReport.times { for _ in 0..<calls { try predict(one, 1, y) } })
        }
      }
    }
    BenchReport.figure("\(name) batch 1", latencies, unit: "us", threads: latencyThreads, options: options) {
      $0 / Double(calls) * 1e6
    }

    let throughputThreads = BenchReport.useThreads(options, automatic: 2)
    var rates: [(wall: Double, cpu: Double)] = []
    let repeats = 5
    try inputs.withUnsafeBufferPointer { x in
      try output.withUnsafeMutableBufferPointer { y in
        try predict(x, large, y)
        for _ in 0..<options.runs {
          rates.append(
            try BenchReport.times { for _ in 0..<repeats { try predict(x, large, y) } })
        }
      }
    }
    BenchReport.figure("\(name) batch 1024", rates, unit: "samples/s", threads: throughputThreads, options: options) {
      Double(large * repeats) / $0
    }
  }
}
