import ArgumentParser
import BPKit
import Foundation

/// `bpkit bench`: speed figures for the workloads bpkit is judged on.
///
/// Each workload is a subcommand; to add one, write its file beside these and
/// list it in `subcommands` below. Workloads conforming to
/// ``BenchmarkWorkload`` also run in turn when `bench` is given no subcommand.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure bpkit's speed on standard workloads (use a release build).",
    discussion: """
      Prints each figure as the median of --runs runs, with the kernel path \
      in use (BPKIT_KERNELS=avx512|avx2|portable forces one). Figures from a debug build are meaningless: \
      build with 'swift build -c release' or run 'make bench'. Without a \
      subcommand, gemm, train-mlp, train-rnn, train-lstm, train-gru, infer, checkpoint and convert run in turn.
      """,
    subcommands: [
      GemmBenchmark.self, TrainMLPBenchmark.self, TrainRNNBenchmark.self, TrainLSTMBenchmark.self,
      TrainGRUBenchmark.self,
      InferBenchmark.self,
      CheckpointBenchmark.self, ConvertBenchmark.self,
    ]
  )

  @OptionGroup var options: BenchOptions

  func run() throws {
    try ExitStatus.reporting {
      try BenchReport.header(options)
      for workload in Self.configuration.subcommands {
        guard let workload = workload as? any BenchmarkWorkload.Type else { continue }
        // Parsing no arguments gives the workload its own options' defaults;
        // a plain init() would leave them unset.
        try workload.parse([]).measure(options)
      }
    }
  }
}

/// Options every workload takes.
struct BenchOptions: ParsableArguments {
  @Option(help: "Runs per figure; the median is reported.")
  var runs = 5

  @Option(help: "Threads per matrix product; 0 lets bpkit choose per workload.")
  var threads = 0

  @Flag(help: "Print one JSON object per figure instead of text.")
  var json = false

  func validate() throws {
    guard runs > 0 else { throw ValidationError("--runs must be at least 1") }
    guard threads >= 0 else { throw ValidationError("--threads must be 0 (automatic) or more") }
  }
}

/// A benchmark workload, runnable alone (`bpkit bench NAME`) or with the others.
protocol BenchmarkWorkload: ParsableCommand {
  init()
  /// Runs the workload and reports its figures.
  func measure(_ options: BenchOptions) throws
}

extension BenchmarkWorkload {
  /// The body of `bpkit bench NAME`.
  func runAlone(_ options: BenchOptions) throws {
    try ExitStatus.reporting {
      try BenchReport.header(options)
      try measure(options)
    }
  }
}

/// Timing and printing shared by the workloads.
enum BenchReport {
  /// Prints the kernel path in use once per invocation.
  static func header(_ options: BenchOptions) throws {
    try Kernels.validateEnvironment()
    if options.json {
      print(#"{"kernels": "\#(Kernels.path)", "best": "\#(Kernels.best)"}"#)
    } else {
      print("Kernels: \(Kernels.path) (bpkit's own; this CPU's best: \(Kernels.best))")
    }
  }

  /// Seconds taken by `body`.
  static func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  /// Wall-clock and processor seconds taken by `body`: processor time is
  /// the whole process's (every thread, user and system), which on a shared
  /// machine is the fairer figure, since it does not count the time spent
  /// waiting for a CPU.
  static func times(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    let cpuStart = processorSeconds()
    let wall = try seconds(body)
    return (wall, processorSeconds() - cpuStart)
  }

  /// The processor time the process has used so far, in seconds.
  static func processorSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }

  /// Prints one figure from each run's timing, `value` turning seconds into
  /// the figure: by the wall clock, with the same figure by processor time beside it.
  static func figure(
    _ name: String, _ timings: [(wall: Double, cpu: Double)], unit: String, threads: Int, options: BenchOptions,
    detail: String = "",
    value: (Double) -> Double
  ) {
    figure(
      name, timings.map { value($0.wall) }, unit: unit, threads: threads, options: options, detail: detail,
      cpu: timings.map { value($0.cpu) })
  }

  /// The median of `values`.
  static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }

  /// Prints one figure: the median and range of `values`, and the median of
  /// `cpu`, the same figure by processor time, when given.
  static func figure(
    _ name: String, _ values: [Double], unit: String, threads: Int, options: BenchOptions, detail: String = "",
    cpu: [Double]? = nil
  ) {
    let median = median(values)
    if options.json {
      let cpuField = cpu.map { #""cpu_median": \#(Self.median($0)), "# } ?? ""
      print(
        #"{"workload": "\#(name)", "median": \#(median), "min": \#(values.min()!), "max": \#(values.max()!), "#
          + cpuField + #""unit": "\#(unit)", "threads": \#(threads), "runs": \#(values.count)}"#)
    } else {
      let cpuText = cpu.map { "; by processor time \(format(Self.median($0), unit))" } ?? ""
      let text = String(
        format: "%@ %@ (median of %d; %@ – %@; %d thread%@%@)%@",
        name.padding(toLength: 22, withPad: " ", startingAt: 0),
        format(median, unit), values.count, format(values.min()!, ""), format(values.max()!, ""), threads,
        threads == 1 ? "" : "s", cpuText, detail)
      print(text)
    }
  }

  private static func format(_ value: Double, _ unit: String) -> String {
    let number =
      value >= 1000
      ? String(format: "%.0f", value) : value >= 10 ? String(format: "%.1f", value) : String(format: "%.2f", value)
    return unit.isEmpty ? number : "\(number) \(unit)"
  }

  /// Sets the threads per product: the user's choice, or `automatic`.
  @discardableResult
  static func useThreads(_ options: BenchOptions, automatic: Int) -> Int {
    Kernels.threads = options.threads > 0 ? options.threads : automatic
    return Kernels.threads
  }
}
