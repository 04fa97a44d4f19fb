import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Every command that reads a model or checkpoint, given truncated and
/// bit-flipped copies of valid files: no crash, no hang, one error line and
/// a documented exit code.
@Suite struct DamagedFileTests {
  /// Truncation points per file: spread evenly from 0 bytes to one byte short.
  static let truncations = ReliabilityMode.current.pick(quick: 64, long: 256)
  /// Byte flips in all: the quick mode spreads 1,000 flips over the commands
  /// and files (each flip is read by one command); the long mode gives every
  /// command 1,000 flips of every file.
  static let flipsPerCommandAndFile = ReliabilityMode.current.pick(quick: nil, long: 1000) as Int?
  static let totalQuickFlips = 1000

  struct Source {
    var label: String
    var path: String
  }

  func sources() throws -> [Source] {
    let files = try ValidFiles.get()
    return [
      Source(label: "model.h5", path: files.model), Source(label: "checkpoint.h5", path: files.checkpoint),
      Source(label: "model.json", path: files.modelJSON), Source(label: "checkpoint.json", path: files.checkpointJSON),
    ]
  }

  @Test func truncatedFilesAreRefused() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-truncated")
    var runs: [HostileRun] = []
    for source in try sources() {
      let bytes = try Data(contentsOf: URL(fileURLWithPath: source.path))
      // Points from the empty file to the last byte missing; fewer for the
      // JSON documents, whose parser reads every byte the same way.
      let count = source.label.hasSuffix(".json") ? Self.truncations / 4 : Self.truncations
      let points = Set((0..<count).map { $0 * (bytes.count - 1) / max(1, count - 1) })
      for point in points.sorted() {
        let path = folder.path("\(point)-\(source.label)")
        try bytes.prefix(point).write(to: URL(fileURLWithPath: path))
        let output = try ValidFiles.scratch(in: folder)
        // Cutting only trailing white space leaves a complete JSON document.
        let complete = bytes[point...].allSatisfy { $0 == 0x0A || $0 == 0x20 }
        for reader in ValidFiles.readers(of: path, output: output) {
          runs.append(
            HostileRun(
              name: "\(reader.name) on \(source.label) truncated to \(point) bytes", arguments: reader.arguments,
              mayLoad: complete, successes: reader.successes))
        }
      }
    }
    let tally = HostileTally.run(runs)
    ReliabilityReport.record(
      "truncations (\(Self.truncations) points per HDF5 file, \(Self.truncations / 4) per JSON file, "
        + "\(ValidFiles.readers(of: "", output: "").count) commands): "
        + "\(tally)")
  }

  @Test func flippedBytesAreRefusedOrHarmless() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-flipped")
    let sources = try sources()
    var random = Xoshiro256StarStar(seed: ReliabilityMode.seed ^ 0xF11B)
    var runs: [HostileRun] = []
    func flip(_ source: Source, _ bytes: Data, index: Int, reader: Int) throws {
      var damaged = bytes
      let offset = random.nextIndex(below: damaged.count)
      let mask = UInt8(1 + random.nextIndex(below: 255))
      damaged[offset] ^= mask
      let path = folder.path("\(index)-\(offset)-\(mask)-\(source.label)")
      try damaged.write(to: URL(fileURLWithPath: path))
      let output = try ValidFiles.scratch(in: folder)
      let command = ValidFiles.readers(of: path, output: output)[reader]
      // A flip in bytes that hold nothing bpkit reads may be harmless.
      runs.append(
        HostileRun(
          name: "\(command.name) on \(source.label) with byte \(offset) XOR \(mask)", arguments: command.arguments,
          mayLoad: true, successes: command.successes))
    }
    let contents = try sources.map { try Data(contentsOf: URL(fileURLWithPath: $0.path)) }
    let readerCount = ValidFiles.readers(of: "", output: "").count
    if let perCommand = Self.flipsPerCommandAndFile {
      for (source, bytes) in zip(sources, contents) {
        for reader in 0..<readerCount {
          for index in 0..<perCommand { try flip(source, bytes, index: index, reader: reader) }
        }
      }
    } else {
      for index in 0..<Self.totalQuickFlips {
        let file = index % sources.count
        try flip(sources[file], contents[file], index: index, reader: (index / sources.count) % readerCount)
      }
    }
    let tally = HostileTally.run(runs)
    ReliabilityReport.record(
      "byte flips (\(runs.count) flipped files over 4 files and \(readerCount) commands): \(tally)")
  }

  /// Damage in HDF5 files without bpkit's checksum (files from other
  /// programs or an earlier bpkit) reaches libhdf5, which may crash or hang
  /// on it: bpkit parses such files in a child process first, so each
  /// command still exits with one clear error.
  @Test func damageInFilesWithoutAChecksumIsContained() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-unsealed")
    var bytes = try Data(contentsOf: URL(fileURLWithPath: try ValidFiles.get().checkpoint))
    // Without the checksum line, as h5jam or an older bpkit would leave it.
    bytes.replaceSubrange(0..<512, with: [UInt8](repeating: 0, count: 512))
    var random = Xoshiro256StarStar(seed: ReliabilityMode.seed ^ 0x5EA1)
    let count = ReliabilityMode.current.pick(quick: 100, long: 2000)
    let readers = ValidFiles.readers(of: "", output: "").count
    var runs: [HostileRun] = []
    for index in 0..<count {
      var damaged = bytes
      let offset = 512 + random.nextIndex(below: damaged.count - 512)
      let mask = UInt8(1 + random.nextIndex(below: 255))
      damaged[offset] ^= mask
      let path = folder.path("\(index)-\(offset)-\(mask).h5")
      try damaged.write(to: URL(fileURLWithPath: path))
      let command = ValidFiles.readers(of: path, output: try ValidFiles.scratch(in: folder))[index % readers]
      runs.append(
        HostileRun(
          name: "\(command.name) on an unsealed checkpoint with byte \(offset) XOR \(mask)",
          arguments: command.arguments, mayLoad: true, successes: command.successes))
    }
    let tally = HostileTally.run(runs)
    ReliabilityReport.record("byte flips in a checkpoint without its checksum (\(count) files): \(tally)")
  }

  /// The inputs the suite found that crash or hang libhdf5 in-process
  /// (Fixtures/fuzz-corpus/libhdf5-crashers): every reader refuses them.
  @Test func knownLibraryCrashersAreContained() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-crashers")
    let crashers = Fixtures.path("fuzz-corpus/libhdf5-crashers")
    var runs: [HostileRun] = []
    for name in try FileManager.default.contentsOfDirectory(atPath: crashers).sorted() where name.hasSuffix(".h5") {
      var readers = ValidFiles.readers(of: crashers + "/" + name, output: try ValidFiles.scratch(in: folder))
      // A loop costs the probe's whole time limit: one reader is enough in
      // the quick mode.
      if name.hasPrefix("loop-") && ReliabilityMode.current == .quick { readers = Array(readers.prefix(1)) }
      runs += readers.map {
        HostileRun(
          name: "\($0.name) on \(name)", arguments: $0.arguments, codes: [3],
          timeout: ReliabilityMode.containmentTimeout)
      }
    }
    let tally = HostileTally.run(runs)
    #expect(tally.refused[3] == runs.count)
    ReliabilityReport.record("inputs that crash or hang libhdf5 in-process, through bpkit: \(tally)")
  }
}
