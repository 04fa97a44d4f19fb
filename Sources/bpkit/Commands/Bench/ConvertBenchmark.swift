import ArgumentParser
import BPKit
import Foundation

/// `bpkit bench convert`: how fast bpkit writes and reads ONNX and
/// safetensors files of a large model, and the memory it takes.
struct ConvertBenchmark: BenchmarkWorkload {
  static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract: "Write and read a large model as ONNX and safetensors; report GB/s and peak memory.",
    discussion: """
      Builds a dense network of about --parameters Float32 weights (6 square \
      layers), writes it as ONNX and as safetensors and reads each back, \
      --runs times, and prints the median of each figure: GB/s of weights, \
      writes before fsync (the file in the page cache, after a sync of \
      earlier runs' pages), reads from the page cache. Peak memory is the \
      growth of the process' peak resident size over what it held before the \
      model was built (writes) or read (reads), over the size of the weights: \
      it counts the model in memory, so 1.0 is the least a conversion can take.

      Beside them, in the same run: raw write (the weights' bytes written \
      with write(2), no format) and raw read (read back with pread(2) into \
      new arrays), the ceiling of any format on this machine at this moment; \
      each figure is also given as a fraction of the raw one. With --python, \
      the same files are read and written by onnx.load and onnx.save, and by \
      safetensors' load_file and save_file (numpy), in that interpreter.
      """
  )

  @Option(help: "The number of weights (100 million is 400 MB).")
  var parameters = 100_000_000

  @Option(help: "The folder to write in; a new temporary folder by default.")
  var folder: String?

  @Option(help: "A Python interpreter with onnx, safetensors and numpy, to measure them in the same run.")
  var python: String?

  @Flag(
    help: ArgumentHelp(
      "Also write and read the model as bpkit JSON (base64 and numbers), beside Foundation's JSON readers.",
      discussion: "Foundation's readers hold the whole document and its tree: use --parameters 10000000 or less."))
  var withJSON = false

  @OptionGroup var options: BenchOptions

  func validate() throws {
    guard parameters >= 12 else { throw ValidationError("--parameters must be at least 12") }
  }

  func run() throws { try runAlone(options) }

  func measure(_ options: BenchOptions) throws {
    let work = try BenchWorkFolder(folder)
    defer { work.removeIfTemporary() }
    let workFolder = work.url
    let processBaseline = MemoryUsage.residentBytes()
    var model: Model? = try Self.model(parameters: parameters)
    let count = model!.parameters.values.reduce(0) { $0 + $1.count }
    let bytes = count * 4
    let scratch = FileWriteOptions(synchronize: false)
    let formats: [(name: String, file: String, write: (Model, URL) throws -> Void, read: (URL) throws -> Model)] = [
      ("ONNX", "bench.onnx", { try $0.writeONNX(to: $1, options: scratch) }, { try Model(onnxContentsOf: $0) }),
      (
        "safetensors", "bench.safetensors", { try $0.writeSafetensors(to: $1, options: scratch) },
        { try Model(safetensorsContentsOf: $0) }
      ),
    ]
    var lines = [
      "convert: \(count) Float32 weights, \(bytes / 1_000_000) MB; GB/s of weights by wall-clock and by processor time",
      "  machine: \(MachineConditions.now())",
    ]
    var json: [String] = []
    var raw: [String: (wall: Double, cpu: Double)] = [:]
    func report(_ name: String, _ times: [(wall: Double, cpu: Double)], _ peaks: [Double]?, relativeTo kind: String) {
      let wall = BenchReport.median(times.map(\.wall))
      let cpu = BenchReport.median(times.map(\.cpu))
      let rate = { (seconds: Double) in Double(bytes) / seconds / 1e9 }
      var line = String(
        format: "  %@ %6.2f GB/s wall (%.3f s) %6.2f GB/s CPU (%.3f s)",
        name.padding(toLength: 28, withPad: " ", startingAt: 0), rate(wall), wall, rate(cpu), cpu)
      var object =
        #"{"workload": "convert \#(name)", "median": \#(rate(wall)), "cpu_median": \#(rate(cpu)), "unit": "GB/s""#
      if let ceiling = raw[kind] {
        line += String(format: ", of raw %@ %.2f wall %.2f CPU", kind, ceiling.wall / wall, ceiling.cpu / cpu)
        object += #", "of_raw": \#(ceiling.wall / wall), "of_raw_cpu": \#(ceiling.cpu / cpu)"#
      } else {
        raw[kind] = (wall, cpu)
      }
      if let peaks {
        let peak = BenchReport.median(peaks)
        line += String(format: ", peak memory %.2f x the weights", peak)
        object += #", "peak_x_weights": \#(peak)"#
      }
      lines.append(line)
      json.append(object + #", "runs": \#(times.count)}"#)
    }
    let rawURL = workFolder.appendingPathComponent("bench.raw")
    var rawWrites: [(wall: Double, cpu: Double)] = []
    for _ in 0..<options.runs {
      sync()
      rawWrites.append(try BenchReport.times { try RawFile.write(model!, to: rawURL) })
    }
    report("raw write", rawWrites, nil, relativeTo: "write")
    for format in formats {
      let url = workFolder.appendingPathComponent(format.file)
      var writes: [(wall: Double, cpu: Double)] = []
      var writePeaks: [Double] = []
      for _ in 0..<options.runs {
        // Earlier runs' dirty pages go to disk first, so that no write is throttled by them.
        sync()
        MemoryUsage.resetPeak()
        writes.append(try BenchReport.times { try format.write(model!, url) })
        writePeaks.append(Double(MemoryUsage.peakResidentBytes() - processBaseline) / Double(bytes))
      }
      report("bpkit \(format.name) write", writes, writePeaks, relativeTo: "write")
    }
    let shapes = model!.orderedParameters.map(\.tensor.count)
    // The model built above is let go: reads are measured from a process holding no weights.
    model = nil
    var rawReads: [(wall: Double, cpu: Double)] = []
    for _ in 0..<options.runs {
      rawReads.append(try BenchReport.times { try RawFile.read(counts: shapes, from: rawURL) })
    }
    report("raw read", rawReads, nil, relativeTo: "read")
    for format in formats {
      let url = workFolder.appendingPathComponent(format.file)
      var reads: [(wall: Double, cpu: Double)] = []
      var readPeaks: [Double] = []
      for _ in 0..<options.runs {
        var loaded: Model?
        let growth = try MemoryUsage.peakGrowth {
          reads.append(try BenchReport.times { loaded = try format.read(url) })
        }
        readPeaks.append(Double(growth) / Double(bytes))
        guard loaded?.parameters.count == 12 else {
          throw ValidationError("the \(format.name) model read back is incomplete")
        }
        loaded = nil
      }
      report("bpkit \(format.name) read", reads, readPeaks, relativeTo: "read")
    }
    // Last, so that the memory Foundation's readers leave to the allocator
    // does not count in the figures above.
    if withJSON {
      let beforeModel = MemoryUsage.residentBytes()
      let model = try Self.model(parameters: parameters)
      for figure in try JSONReaderBenchmark.measure(
        model, bytes: bytes, baseline: beforeModel, folder: workFolder, runs: options.runs)
      {
        report(figure.name, figure.times, figure.peaks, relativeTo: figure.name.hasSuffix("write") ? "write" : "read")
      }
    }
    if let python {
      for peer in try PeerConvertBenchmark.measure(python: python, folder: workFolder, runs: options.runs) {
        report(
          peer.name, [(peer.wall, peer.cpu)], nil,
          relativeTo: peer.name.hasSuffix("load") || peer.name.hasSuffix("load_file") ? "read" : "write")
      }
    }
    print(options.json ? json.joined(separator: "\n") : lines.joined(separator: "\n"))
  }

  /// Six square dense layers of about `parameters` weights in all, random.
  static func model(parameters: Int) throws -> Model {
    let width = max(1, Int((Double(parameters) / 6).squareRoot()))
    let layers = (1...6).map {
      Layer(name: "dense_\($0)", kind: .dense(units: width, activation: $0 == 6 ? .linear : .relu, useBias: true))
    }
    let network = NetworkDescription(input: .vector(features: width), layers: layers)
    var random = Xoshiro256StarStar(seed: 7)
    var tensors: [ParameterKey: Tensor<Float>] = [:]
    for spec in try network.parameterSpecs() {
      let count = spec.shape.reduce(1, *)
      tensors[spec.key] = Tensor(
        shape: spec.shape,
        scalars: [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
          for i in 0..<count { buffer[i] = Float(Int32(truncatingIfNeeded: random.next() >> 32)) * 0x1p-36 }
          initialized = count
        })
    }
    return try Model(network: network, parameters: tensors)
  }
}

/// onnx and safetensors in Python reading and writing the same files.
enum PeerConvertBenchmark {
  /// One figure of the script: median wall-clock and processor seconds.
  struct Figure {
    var name: String
    var wall: Double
    var cpu: Double
  }

  /// Runs `Benchmarks/peer_convert.py` and collects its figures.
  static func measure(python: String, folder: URL, runs: Int) throws -> [Figure] {
    let script = try PeerCheckpointBenchmark.scriptPath().replacingOccurrences(
      of: "peer_checkpoint.py", with: "peer_convert.py")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script, folder.path, String(runs)]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.standardError
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw PeerCheckpointBenchmark.Failure(description: "'\(python)' failed measuring onnx and safetensors")
    }
    // Each line: NAME WALL CPU, the name possibly holding spaces.
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
      let parts = line.split(separator: " ")
      guard parts.count >= 3, let wall = Double(parts[parts.count - 2]), let cpu = Double(parts[parts.count - 1])
      else { return nil }
      return Figure(name: parts.dropLast(2).joined(separator: " "), wall: wall, cpu: cpu)
    }
  }
}

/// The weights' bytes with no format around them: the ceiling of any
/// format's write and read on the machine at the time of the run.
enum RawFile {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// Writes every weight tensor's bytes, in order, with write(2), replacing `url`.
  static func write(_ model: Model, to url: URL) throws {
    let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw Failure(description: "cannot create \(url.path)") }
    defer { close(descriptor) }
    for (_, tensor) in model.orderedParameters {
      try tensor.scalars.withUnsafeBytes { bytes in
        var done = 0
        while done < bytes.count {
          let written = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
          guard written > 0 else { throw Failure(description: "cannot write \(url.path)") }
          done += written
        }
      }
    }
  }

  /// Reads tensors of `counts` Float32 values back with pread(2), each into a new array.
  static func read(counts: [Int], from url: URL) throws {
    let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw Failure(description: "cannot open \(url.path)") }
    defer { close(descriptor) }
    var offset = 0
    for count in counts {
      let scalars = try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        let bytes = UnsafeMutableRawBufferPointer(buffer)
        var done = 0
        while done < bytes.count {
          let read = pread(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
          guard read > 0 else { throw Failure(description: "cannot read \(url.path)") }
          done += read
        }
        initialized = count
      }
      offset += scalars.count * 4
    }
  }
}
