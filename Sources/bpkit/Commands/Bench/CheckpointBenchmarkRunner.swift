import BPKit
import Foundation

/// The measurements behind `bpkit bench checkpoint`.
struct CheckpointBenchmarkRunner {
  var parameters: Int
  var runs: Int
  var url: URL

  /// Figures, each the median over the runs.
  struct Results {
    var parameters: Int
    var bytes: Int
    var crc32: String
    var writeSeconds: Double
    var replaceSeconds: Double
    var syncedWriteSeconds: Double
    var syncedReplaceSeconds: Double
    var readSeconds: Double
    var loadPeakBytes: Int
    var rawWriteSeconds: Double
    var rawSyncedWriteSeconds: Double
    var rawReadSeconds: Double
    var peers: [PeerCheckpointBenchmark.Figure] = []
    /// How busy the machine was: the 1-minute load average and the share of
    /// time some task waited for a CPU (Linux pressure stall information).
    var conditions = MachineConditions.now()

    func rate(_ seconds: Double) -> Double { Double(bytes) / seconds / 1e9 }

    /// bpkit's figure over the raw system calls' (above 1 when bpkit is faster).
    static func ratio(_ seconds: Double, raw: Double) -> String { String(format: "%.2fx raw", raw / seconds) }

    var text: String {
      let gb = { (seconds: Double) in String(format: "%6.2f GB/s  (%.3f s)", rate(seconds), seconds) }
      let line = { (label: String, seconds: Double, raw: Double?) in
        "  " + label.padding(toLength: 36, withPad: " ", startingAt: 0) + gb(seconds)
          + (raw.map { "  " + Self.ratio(seconds, raw: $0) } ?? "")
      }
      var lines = [
        "checkpoint: \(parameters) Float32 weights, \(bytes / 1_000_000) MB, CRC-32 by \(crc32)",
        "  machine: \(conditions)",
        "  durable (temp + fsync + rename + folder fsync), beside write()+fsync() of the same bytes:",
        line("raw write()+fsync(), new file", rawSyncedWriteSeconds, nil),
        line("bpkit write, new file", syncedWriteSeconds, rawSyncedWriteSeconds),
        line("bpkit replace, existing file", syncedReplaceSeconds, rawSyncedWriteSeconds),
        "  before fsync (the page cache), beside write() of the same bytes:",
        line("raw write(), new file", rawWriteSeconds, nil),
        line("bpkit write, new file", writeSeconds, rawWriteSeconds),
        line("bpkit replace, existing file", replaceSeconds, rawWriteSeconds),
        "  reading from the page cache, beside read() into new arrays:",
        line("raw read()", rawReadSeconds, nil),
        line("bpkit read, every CRC-32 checked", readSeconds, rawReadSeconds),
        String(
          format: "  bpkit peak memory loading           %.3f x the weights (%d MB)",
          Double(loadPeakBytes) / Double(bytes), loadPeakBytes / 1_000_000),
      ]
      if !peers.isEmpty { lines.append("  peers, same run:") }
      for peer in peers {
        lines.append(line(peer.name, peer.seconds, nil))
      }
      return lines.joined(separator: "\n")
    }

    /// One JSON object per figure, as the other workloads print them.
    var json: String {
      var figures: [(String, Double, String)] = [
        ("checkpoint write", rate(writeSeconds), "GB/s"), ("checkpoint replace", rate(replaceSeconds), "GB/s"),
        ("checkpoint write fsync", rate(syncedWriteSeconds), "GB/s"),
        ("checkpoint replace fsync", rate(syncedReplaceSeconds), "GB/s"),
        ("checkpoint read", rate(readSeconds), "GB/s"),
        ("checkpoint load peak", Double(loadPeakBytes) / Double(bytes), "x weights"),
        ("raw write", rate(rawWriteSeconds), "GB/s"), ("raw write fsync", rate(rawSyncedWriteSeconds), "GB/s"),
        ("raw read", rate(rawReadSeconds), "GB/s"),
      ]
      figures += peers.map { ("checkpoint \($0.name)", rate($0.seconds), "GB/s") }
      let machine =
        "\"bytes\": \(bytes), \"load_average\": \(conditions.loadAverage ?? -1), "
        + "\"cpu_pressure\": \(conditions.cpuPressure ?? -1)"
      return figures.map { name, value, unit in
        #"{"workload": "\#(name)", "median": \#(value), "unit": "\#(unit)", "#
          + #""crc32": "\#(crc32)", \#(machine)}"#
      }.joined(separator: "\n")
    }
  }

  /// Six square dense layers whose weights add up to about `parameters`.
  static func shapes(parameters: Int) -> [(layer: String, kernel: [Int], bias: [Int])] {
    let layers = 6
    let width = max(1, Int((Double(parameters) / Double(layers)).squareRoot()))
    return (0..<layers).map { ("dense_\($0)", [width, width], [width]) }
  }

  func checkpoint() throws -> Checkpoint {
    let shapes = Self.shapes(parameters: parameters)
    let width = shapes[0].bias[0]
    let network = NetworkDescription(
      input: .vector(features: width),
      layers: shapes.map { Layer(name: $0.layer, kind: .dense(units: width, activation: .relu, useBias: true)) })
    var weights: [ParameterKey: Tensor<Float>] = [:]
    var state: UInt32 = 1
    for spec in try network.parameterSpecs() {
      let count = spec.shape.reduce(1, *)
      // Varied values, so nothing along the way can take a shortcut on zeros.
      let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        for index in 0..<count {
          state = state &* 1_664_525 &+ 1_013_904_223
          buffer[index] = Float(state >> 8) / Float(1 << 24) - 0.5
        }
        initialized = count
      }
      weights[spec.key] = Tensor(shape: spec.shape, scalars: scalars)
    }
    return Checkpoint(
      model: try Model(network: network, parameters: weights),
      optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .sgd)),
      configuration: TrainingConfiguration(loss: .meanSquaredError),
      progress: TrainingProgress(random: RandomState(words: [1, 2, 3, 4])))
  }

  func measure() throws -> Results {
    var writes: [Double] = []
    var replaces: [Double] = []
    var syncedWrites: [Double] = []
    var syncedReplaces: [Double] = []
    var rawWrites: [Double] = []
    var rawSyncedWrites: [Double] = []
    var bytes = 0
    var count = 0
    let raw = RawFileBaseline(url: url.deletingLastPathComponent().appendingPathComponent("raw.bin"))
    defer { raw.remove() }
    do {
      let checkpoint = try checkpoint()
      count = try checkpoint.model.network.parameterCount()
      bytes = count * MemoryLayout<Float>.size
      let tensors = checkpoint.model.orderedParameters.map(\.tensor)
      // Each write starts with no dirty pages, so that none is slowed by
      // the kernel throttling writers to the disk's speed (dirty_ratio), and
      // with the blocks of files removed before it already freed. "write"
      // creates the destination; "replace" renames over an existing
      // checkpoint. The raw writes always create a new file.
      let scratch = FileWriteOptions(synchronize: false)
      for _ in 0..<runs {
        raw.remove()
        sync()
        rawWrites.append(try Self.time { try raw.write(tensors) })
        raw.remove()
        sync()
        rawSyncedWrites.append(try Self.time { try raw.write(tensors, synchronize: true) })
        unlink(url.path)
        sync()
        writes.append(try Self.time { try checkpoint.write(to: url, options: scratch) })
        sync()
        replaces.append(try Self.time { try checkpoint.write(to: url, options: scratch) })
        unlink(url.path)
        sync()
        syncedWrites.append(try Self.time { try checkpoint.write(to: url) })
        sync()
        syncedReplaces.append(try Self.time { try checkpoint.write(to: url) })
      }
      _ = tensors
    }
    let sizes = Self.shapes(parameters: parameters).flatMap { [$0.kernel.reduce(1, *), $0.bias[0]] }
    var rawReads: [Double] = []
    // The checkpoint built above is gone: what loading allocates is measured alone.
    var reads: [Double] = []
    var peaks: [Int] = []
    for _ in 0..<runs {
      rawReads.append(try Self.time { _ = try raw.read(sizes) })
      var loaded: Checkpoint?
      peaks.append(
        try MemoryUsage.peakGrowth { reads.append(try Self.time { loaded = try Checkpoint(contentsOf: url) }) })
      guard loaded?.model.parameters.count == sizes.count else {
        throw RawFileBaseline.Failure(description: "the checkpoint read back is incomplete")
      }
      loaded = nil
    }
    return Results(
      parameters: count, bytes: bytes, crc32: CRC32.implementation, writeSeconds: Self.median(writes),
      replaceSeconds: Self.median(replaces), syncedWriteSeconds: Self.median(syncedWrites),
      syncedReplaceSeconds: Self.median(syncedReplaces), readSeconds: Self.median(reads),
      loadPeakBytes: peaks.sorted()[peaks.count / 2], rawWriteSeconds: Self.median(rawWrites),
      rawSyncedWriteSeconds: Self.median(rawSyncedWrites), rawReadSeconds: Self.median(rawReads))
  }

  static func time(_ body: () throws -> Void) throws -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}

/// Plain `write(2)` (and `fsync(2)`) to a new file and `read(2)` of the same bytes: what the machine gives
/// at the same moment, so that bpkit's figures can be judged on a busy machine.
struct RawFileBaseline {
  struct Failure: Error, CustomStringConvertible { var description: String }

  let url: URL

  func write(_ tensors: [Tensor<Float>], synchronize: Bool = false) throws {
    let descriptor = open(url.path, O_CREAT | O_TRUNC | O_WRONLY, 0o644)
    guard descriptor >= 0 else { throw Failure(description: "cannot create \(url.path)") }
    defer { close(descriptor) }
    for tensor in tensors {
      try tensor.scalars.withUnsafeBytes { bytes in
        var done = 0
        while done < bytes.count {
          let written = Foundation.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
          guard written > 0 else { throw Failure(description: "cannot write \(url.path)") }
          done += written
        }
      }
    }
    if synchronize && fsync(descriptor) != 0 { throw Failure(description: "cannot fsync \(url.path)") }
  }

  func read(_ sizes: [Int]) throws -> [[Float]] {
    let descriptor = open(url.path, O_RDONLY)
    guard descriptor >= 0 else { throw Failure(description: "cannot open \(url.path)") }
    defer { close(descriptor) }
    return try sizes.map { count in
      try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        let bytes = UnsafeMutableRawBufferPointer(buffer)
        var done = 0
        while done < bytes.count {
          let got = Foundation.read(descriptor, bytes.baseAddress! + done, bytes.count - done)
          guard got > 0 else { throw Failure(description: "cannot read \(url.path)") }
          done += got
        }
        initialized = count
      }
    }
  }

  func remove() { unlink(url.path) }
}

/// The load on the machine while a benchmark ran.
struct MachineConditions: CustomStringConvertible {
  var loadAverage: Double?
  var cpuPressure: Double?

  static func now() -> MachineConditions {
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first
    // "some avg10=97.59 avg60=..." : the share of the last 10 s in which a task waited for a CPU.
    let pressure = (try? String(contentsOfFile: "/proc/pressure/cpu", encoding: .utf8))?
      .split(whereSeparator: { $0 == " " || $0 == "\n" }).first { $0.hasPrefix("avg10=") }
    return MachineConditions(
      loadAverage: load.flatMap { Double($0) }, cpuPressure: pressure.flatMap { Double($0.dropFirst(6)) })
  }

  var description: String {
    let load = loadAverage.map { String(format: "load average %.1f", $0) } ?? "load unknown"
    let pressure = cpuPressure.map { String(format: ", tasks waiting for a CPU %.0f%% of the time", $0) } ?? ""
    return "\(ProcessInfo.processInfo.activeProcessorCount) CPUs, \(load)\(pressure)"
  }
}

/// The process' resident memory, from Linux's /proc/self/status.
enum MemoryUsage {
  static func residentBytes() -> Int { field("VmRSS:") }
  static func peakResidentBytes() -> Int { field("VmHWM:") }

  /// Runs `body` and returns how far the peak resident size rose while it
  /// ran, in bytes, over the resident size when it began.
  ///
  /// Both ends are read from the peak (`VmHWM`), which only rises between
  /// resets, so the figure is never negative. Reading the start from the
  /// current size (`VmRSS`) before the reset instead gave negative figures
  /// (`bench convert --with-json`, JSONSerialization at 100M weights: -11
  /// times the weights), which only a resident size that fell between the
  /// two readings gives: after a reader that freed gigabytes, pages went
  /// back to the kernel while the next figure began.
  static func peakGrowth(_ body: () throws -> Void) rethrows -> Int {
    resetPeak()
    let start = peakResidentBytes()
    try body()
    return peakResidentBytes() - start
  }

  /// Resets the peak resident size to the current one (Linux 4.0 and later).
  static func resetPeak() {
    let descriptor = open("/proc/self/clear_refs", O_WRONLY)
    guard descriptor >= 0 else { return }
    _ = Foundation.write(descriptor, "5", 1)
    close(descriptor)
  }

  private static func field(_ name: String) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) })
    else { return 0 }
    let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return kilobytes * 1024
  }
}
