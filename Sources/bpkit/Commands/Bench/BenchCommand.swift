import ArgumentParser

/// `bpkit bench`: speed figures for the workloads bpkit is judged on, one
/// subcommand per workload.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure bpkit's speed on standard workloads (use a release build).",
    subcommands: [CheckpointBenchmark.self]
  )
}
