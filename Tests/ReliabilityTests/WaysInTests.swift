import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// The hostile files of `Fixtures/hostile` and the libhdf5 crashers, sealed
/// and not, through every way a file enters bpkit: a model argument
/// (`infer`, `convert`, `inspect`, `diff`, `plot`, `ls`), `--model`,
/// `--resume`, `--data` in memory and streamed, `--validation`, `--input`,
/// and the library's own readers in this process. Each is refused with one
/// error line and a documented exit code; nothing is written.
@Suite struct WaysInTests {
  let folder: TemporaryDirectory
  /// The working folder of every run: it holds the files the hostile
  /// fixtures point at (`leak-target.bin`, `leak-source.h5`), so that on a
  /// bpkit that followed them the marker would end up in an output.
  let beside: String

  static let marker = Data("LEAKED-SECRET-MARKER-0123456789-".utf8)

  init() throws {
    folder = try TemporaryDirectory(prefix: "bpkit-ways-in")
    beside = folder.path("beside")
    try FileManager.default.createDirectory(atPath: beside, withIntermediateDirectories: false)
    try (0..<8).reduce(Data()) { data, _ in data + Self.marker }.write(
      to: URL(fileURLWithPath: beside + "/leak-target.bin"))
    try FileManager.default.copyItem(
      atPath: Fixtures.path("hostile/leak-source.h5"), toPath: beside + "/leak-source.h5")
  }

  /// Hostile files that claim to be models, checkpoints or Keras files.
  static let hostileModels: [String] = [
    "hostile/keras-external-kernel.h5", "hostile/keras-external-slot.h5", "hostile/keras-virtual-kernel.h5",
    "hostile/keras-external-kernel.keras", "hostile/keras-duplicate-config.keras", "hostile/keras-config-bomb.keras",
    "hostile/keras-shape-bomb.h5", "hostile/keras-nan-kernel.h5", "hostile/model-link-cycle.h5",
    "hostile/checkpoint-note-text-bomb.h5", "hostile/checkpoint-note-text-shared.h5",
    "hostile/checkpoint-order-bomb.h5",
  ]

  /// Every input in the crashers folder, sealed and not.
  static var crashers: [String] {
    let folder = Fixtures.path("fuzz-corpus/libhdf5-crashers")
    return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".h5") }
      .sorted().map { "fuzz-corpus/libhdf5-crashers/" + $0 }
  }

  /// The commands that read a file as data, with `file` in place.
  static func dataReaders(of file: String, output: String) -> [ValidFiles.Reader] {
    let layers = ["--layers", "64,8:relu,10:softmax", "--epochs", "1", "--quiet"]
    return [
      .init(name: "train --data", arguments: ["train", "--data", file] + layers + ["--checkpoint", output + "/a.h5"]),
      .init(
        name: "train --data --stream",
        arguments: ["train", "--data", file, "--stream"] + layers + ["--checkpoint", output + "/b.h5"]),
      .init(
        name: "train --validation",
        arguments: ["train", "--data", Fixtures.path("datasets/digits.h5"), "--validation", file] + layers + [
          "--checkpoint", output + "/c.h5",
        ]),
      .init(
        name: "infer --input",
        arguments: [
          "infer", (try? TrainedModels.digitsCheckpoint) ?? "", "--input", file, "--output", output + "/p.csv",
        ]),
    ]
  }

  /// The model readers of the other suites, plus `plot` and `ls`.
  static func modelReaders(of file: String, output: String) -> [ValidFiles.Reader] {
    ValidFiles.readers(of: file, output: output) + [
      .init(name: "plot", arguments: ["plot", file, "-o", output + "/curves.svg"]),
      .init(name: "ls", arguments: ["ls", file]),
    ]
  }

  /// `ls` lists names, shapes and attributes and follows nothing, so it
  /// may list these: files whose fault is where their data lives or what it
  /// holds. (The fuzzer's attribute-message input is not among them: the
  /// probe refuses it before libhdf5 decodes its damaged message.)
  static let listable: Set<String> = [
    "hostile/keras-external-kernel.h5", "hostile/keras-external-slot.h5", "hostile/keras-virtual-kernel.h5",
    "hostile/keras-shape-bomb.h5", "hostile/keras-nan-kernel.h5", "hostile/model-link-cycle.h5",
    "hostile/checkpoint-note-text-bomb.h5", "hostile/checkpoint-note-text-shared.h5",
    "hostile/checkpoint-order-bomb.h5",
  ]

  func runs(
    _ inputs: [String], timeout: Double = ReliabilityMode.timeout, readers: (String, String) -> [ValidFiles.Reader]
  ) throws -> [HostileRun] {
    try inputs.flatMap { input in
      let output = try ValidFiles.scratch(in: folder)
      return readers(Fixtures.path(input), output).map {
        HostileRun(
          name: "\($0.name) on \(input)", arguments: $0.arguments,
          mayLoad: $0.name == "ls" && Self.listable.contains(input), currentDirectory: beside, timeout: timeout)
      }
    }
  }

  func expectNothingWritten() throws {
    let outputs = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasPrefix("out-") }
    for output in outputs {
      let written = try FileManager.default.contentsOfDirectory(atPath: folder.path(output))
      #expect(written.isEmpty, "\(output) holds \(written)")
    }
  }

  @Test func hostileModelsAreRefusedByEveryModelReader() throws {
    let tally = HostileTally.run(try runs(Self.hostileModels, readers: Self.modelReaders))
    ReliabilityReport.record(
      "hostile models, Keras files and archives through 8 model readers (\(Self.hostileModels.count) files): \(tally)")
    try expectNothingWritten()
  }

  @Test func libraryCrashersAreRefusedByEveryWayIn() throws {
    let crashers = Self.crashers
    #expect(crashers.count == 9)
    let tally = HostileTally.run(
      try runs(crashers, timeout: ReliabilityMode.containmentTimeout) {
        Self.modelReaders(of: $0, output: $1) + Self.dataReaders(of: $0, output: $1)
      })
    ReliabilityReport.record(
      "libhdf5 crashers, sealed and not, through 12 ways in (\(crashers.count) files): \(tally)")
    try expectNothingWritten()
  }

  @Test func hostileDataIsRefusedByEveryDataReader() throws {
    let digits = Fixtures.path("datasets/digits.h5")
    let external = try ValidFiles.altered(digits, in: folder, as: "digits-external.h5") { root in
      let train = try root.openGroup("train")
      let shape = try train.openDataset("x").shape
      try train.removeChild("x")
      _ = try train.createDataset(
        "x", of: Float.self, shape: shape, options: HDF5DatasetOptions(externalFile: "leak-target.bin"))
    }
    let fifo = folder.path("data.fifo")
    #expect(mkfifo(fifo, 0o600) == 0)
    let inputs = [external, "/dev/zero", fifo, Fixtures.path("hostile/model-link-cycle.h5")]
    let runs = try inputs.flatMap { input in
      let output = try ValidFiles.scratch(in: folder)
      // infer --input reads a FIFO as a pipe, as it should: leave that one out.
      return Self.dataReaders(of: input, output: output).filter { input != fifo || $0.name != "infer --input" }.map {
        HostileRun(name: "\($0.name) on \(input)", arguments: $0.arguments, currentDirectory: beside)
      }
    }
    let tally = HostileTally.run(runs)
    ReliabilityReport.record("hostile data through 4 data readers (\(inputs.count) inputs): \(tally)")
    try expectNothingWritten()
  }

  @Test func standardInputWithoutLineBreaksIsRefusedAtTheLineCap() throws {
    let result = try GuardedProcess.run(
      "/bin/sh",
      ["-c", "head -c 40000000 /dev/zero | \(BPKitBinary.path) infer \(try TrainedModels.digitsCheckpoint) --input -"],
      timeout: ReliabilityMode.timeout)
    #expect(result.status == 3, "\(result.ending): \(result.error.suffix(500))")
    #expect(result.errorLines.count == 1)
    #expect(result.error.contains("longer than 16777216 bytes without a line break"))
    ReliabilityReport.record("infer --input - from 40 MB without a line break: \(result.ending)")
  }

  /// The library's readers in this process: containment is the library's,
  /// not the command line's.
  @Test func theLibraryContainsEveryCrasherInProcess() throws {
    var refused = 0
    for input in Self.crashers + Self.hostileModels {
      let url = URL(fileURLWithPath: Fixtures.path(input))
      #expect(throws: (any Error).self, "\(input)") { _ = try BPKitFile.open(url) }
      refused += 1
    }
    ReliabilityReport.record("library API (BPKitFile.open) on \(refused) crashers and hostile files: all refused")
  }

  /// A 2 MB sealed checkpoint whose compressed `/progress/order` declares
  /// 2 GiB, as its `/data@sample_count` says: bpkit 0.1 took 2.1 GB of
  /// memory before refusing it. The peak is the kernel's own count for the
  /// run (the probe it waits for included); no timing is involved.
  @Test func aCompressedOrderBombIsRefusedBeforeItsMemoryIsTaken() throws {
    let path = Fixtures.path("hostile/checkpoint-order-bomb.h5")
    let declared = 8 << 28
    for arguments in [["inspect", path], ["infer", path, "--input", Fixtures.path("datasets/iris.csv")]] {
      let run = try PeakMemory.run(BPKitBinary.path, arguments)
      #expect(run.status == 3, "\(arguments[0]): \(run.error)")
      #expect(run.errorLines.count == 1 && run.error.contains("'/progress/order'"), "\(run.error)")
      #expect(run.peakBytes < declared / 8, "\(arguments[0]) peaked at \(run.peakBytes) bytes")
      ReliabilityReport.record("\(arguments[0]) of the 2 MB order bomb: exit 3, peak \(run.peakBytes >> 20) MiB")
    }
  }
}
