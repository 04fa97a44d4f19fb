import ArgumentParser
import BPKit
import Foundation

/// `bpkit bench checkpoint`: how fast bpkit writes and reads a large
/// checkpoint, and how much memory loading takes.
struct CheckpointBenchmark: BenchmarkWorkload {
  static let configuration = CommandConfiguration(
    commandName: "checkpoint",
    abstract: "Write and read a large checkpoint; report GB/s and the memory loading takes.",
    discussion: """
      Builds a dense network of about --parameters Float32 weights (6 square \
      layers), writes it as a checkpoint with plain SGD (no optimizer slots, \
      so the file holds the weights once) and reads it back, --runs times; \
      prints the median of each figure beside the same bytes written with \
      plain write() (and fsync()) to a new file and read with read() into \
      new arrays in the same run, and bpkit's figure as a ratio of the raw \
      one. Durable writes (the default: temporary file, fsync, rename, fsync \
      of the folder) are shown creating the file and replacing an existing \
      one; so are writes before fsync, into the page cache. Read speed is \
      from the page cache, CRC-32 of every tensor verified. Peak memory is \
      the growth of the process' peak resident size while loading, over the \
      size of the weights.

      With --python, the same tensors are written and read with h5py and with \
      torch.save/torch.load by that interpreter, in the same folder, for \
      comparison.
      """
  )

  @Option(help: "The number of weights (100 million is a 400 MB checkpoint).")
  var parameters = 100_000_000

  @Option(help: "The folder to write in; a new temporary folder by default.")
  var folder: String?

  @Option(help: "A Python interpreter with h5py, numpy and torch, to measure them in the same run.")
  var python: String?

  @OptionGroup var options: BenchOptions

  func validate() throws {
    guard parameters >= 12 else { throw ValidationError("--parameters must be at least 12") }
  }

  func run() throws { try runAlone(options) }

  func measure(_ options: BenchOptions) throws {
    let runs = options.runs
    let work = try BenchWorkFolder(folder)
    defer { work.removeIfTemporary() }
    let workFolder = work.url
    let url = workFolder.appendingPathComponent("bench.ckpt.h5")
    var results = try CheckpointBenchmarkRunner(parameters: parameters, runs: runs, url: url).measure()
    if let python {
      results.peers = try PeerCheckpointBenchmark.measure(
        python: python, shapes: CheckpointBenchmarkRunner.shapes(parameters: parameters), runs: runs,
        folder: workFolder)
    }
    print(options.json ? results.json : results.text)
  }
}
