import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Every output of every command goes through one writer: devices are
/// written in place, links followed, inputs and unasked-for checkpoints never
/// replaced, rotation keeps to bpkit's own files, and a second writer of one
/// checkpoint is refused.
@Suite struct OutputSafetyTests {
  static let iris = Fixtures.path("datasets/iris.csv")

  static func run(_ arguments: [String], timeout: Double = 60, environment: [String: String] = [:]) throws
    -> GuardedResult
  {
    try GuardedProcess.run(BPKitBinary.path, arguments, timeout: timeout, environment: environment)
  }

  static func train(_ checkpoint: String, _ extra: [String] = []) -> [String] {
    [
      "train", "--layers", "4,8:tanh,3:softmax", "--data", iris, "--target", "species", "--epochs", "2",
      "--quiet", "--checkpoint", checkpoint,
    ] + extra
  }

  /// A small trained checkpoint in `folder`.
  static func checkpoint(in folder: TemporaryDirectory, named name: String = "run.ckpt.h5") throws -> String {
    let path = folder.path(name)
    let result = try run(train(path))
    #expect(result.status == 0, "\(result.error)")
    return path
  }

  static func expectRefused(_ result: GuardedResult, status: Int32, containing text: String) {
    #expect(result.status == status, "\(result.ending): \(result.error)")
    #expect(result.errorLines.count == 1, "\(result.error)")
    #expect(result.error.contains(text), "\(result.error)")
  }

  // MARK: Devices and links

  @Test(.enabled(if: DeviceNodes.available, "making device nodes needs root"))
  func everyOutputWritesIntoADeviceInPlace() throws {
    let nodes = try DeviceNodes()
    let folder = try TemporaryDirectory()
    let checkpoint = try Self.checkpoint(in: folder)
    let runs: [[String]] = [
      Self.train(nodes.null),
      ["infer", checkpoint, "--input", Self.iris, "--ignore", "species", "--output", nodes.null],
      ["infer", checkpoint, "--input", Self.iris, "--ignore", "species", "--output", nodes.null, "--format", "h5"],
      ["convert", checkpoint, nodes.null, "--to", "json"],
      ["convert", checkpoint, nodes.null, "--to", "h5"],
      ["convert", checkpoint, nodes.null, "--to", "keras"],
      ["convert", checkpoint, nodes.null, "--to", "keras-h5"],
      ["plot", checkpoint, "--output", nodes.null],
      Self.train(folder.path("logged.h5"), ["--log-json", nodes.null]),
    ]
    for arguments in runs {
      let result = try Self.run(arguments)
      #expect(result.status == 0, "\(arguments): \(result.ending): \(result.error)")
      #expect(nodes.areCharacterDevices, "\(arguments) replaced a device node")
    }
    // Nothing goes beside a device: --save-best and --keep are refused.
    for extra in [["--save-best"], ["--keep", "3"]] {
      let result = try Self.run(Self.train(nodes.null, extra))
      Self.expectRefused(result, status: 2, containing: "is not a file")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: nodes.folder.url.path).sorted() == ["full", "null"])
  }

  @Test(.enabled(if: DeviceNodes.available, "making device nodes needs root"))
  func aFullDeviceIsOneClearLineAndExit4ForEveryOutput() throws {
    let nodes = try DeviceNodes()
    let folder = try TemporaryDirectory()
    let checkpoint = try Self.checkpoint(in: folder)
    let runs: [[String]] = [
      Self.train(folder.path("logged.h5"), ["--log-json", nodes.full]),
      ["infer", checkpoint, "--input", Self.iris, "--ignore", "species", "--output", nodes.full],
      ["convert", checkpoint, nodes.full, "--to", "json"],
      ["convert", checkpoint, nodes.full, "--to", "h5"],
      ["plot", checkpoint, "--output", nodes.full],
    ]
    for arguments in runs {
      let result = try Self.run(arguments)
      Self.expectRefused(result, status: 4, containing: "No space left on device")
      #expect(result.error.hasPrefix("bpkit: error: cannot write '\(nodes.full)'"), "\(result.error)")
      #expect(nodes.areCharacterDevices)
    }
  }

  @Test func standardOutputTakesEveryFormat() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = try Self.checkpoint(in: folder)
    for kind in ["json", "h5", "keras"] {
      let result = try Self.run(["convert", checkpoint, "-", "--to", kind])
      #expect(result.status == 0, "\(kind): \(result.error)")
      #expect(result.output.utf8.count > 1000, "\(kind)")
    }
    #expect(!FileManager.default.fileExists(atPath: folder.path("-")))
  }

  @Test func aSymbolicLinkStaysALinkToTheNewFile() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = try Self.checkpoint(in: folder)
    for (kind, name) in [("json", "model.json"), ("h5", "model.h5"), ("keras", "model.keras")] {
      let link = folder.path("link-" + name)
      symlink(name, link)
      let result = try Self.run(["convert", checkpoint, link, "--to", kind, "--model-only"])
      #expect(result.status == 0, "\(kind): \(result.error)")
      var status = stat()
      #expect(lstat(link, &status) == 0 && (status.st_mode & S_IFMT) == S_IFLNK, "\(kind): the link was replaced")
      _ = try BPKitFile.open(URL(fileURLWithPath: folder.path(name)))
    }
  }

  // MARK: Outputs that are inputs

  @Test func noCommandWritesOverOneOfItsInputs() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = try Self.checkpoint(in: folder)
    let data = folder.path("iris.csv")
    try FileManager.default.copyItem(atPath: Self.iris, toPath: data)
    link(checkpoint, folder.path("hard.h5"))
    symlink(data, folder.path("soft.csv"))
    let before = [
      checkpoint: try Data(contentsOf: URL(fileURLWithPath: checkpoint)),
      data: try Data(contentsOf: URL(fileURLWithPath: data)),
    ]
    let runs: [[String]] = [
      ["infer", checkpoint, "--input", data, "--ignore", "species", "--output", checkpoint],
      ["infer", checkpoint, "--input", data, "--ignore", "species", "--output", folder.path("soft.csv")],
      [
        "infer", checkpoint, "--input", data, "--ignore", "species", "--output", folder.path("hard.h5"), "--format",
        "h5",
      ],
      ["plot", checkpoint, "--output", folder.path("hard.h5")],
      ["convert", checkpoint, folder.path("hard.h5")],
      ["convert", checkpoint, checkpoint, "--to", "json"],
      [
        "train", "--layers", "4,8:tanh,3:softmax", "--data", data, "--target", "species", "--epochs", "1",
        "--checkpoint", folder.path("soft.csv"), "--overwrite", "--quiet",
      ],
      [
        "train", "--model", checkpoint, "--data", data, "--target", "species", "--epochs", "1",
        "--checkpoint", folder.path("hard.h5"), "--overwrite", "--quiet",
      ],
      [
        "train", "--layers", "4,8:tanh,3:softmax", "--data", data, "--target", "species", "--epochs", "1",
        "--checkpoint", folder.path("new.h5"), "--log-json", folder.path("soft.csv"), "--quiet",
      ],
      [
        "train", "--model", checkpoint, "--data", data, "--target", "species", "--epochs", "1",
        "--checkpoint", folder.path("new.h5"), "--log-json", folder.path("hard.h5"), "--quiet",
      ],
    ]
    for arguments in runs {
      let result = try Self.run(arguments)
      Self.expectRefused(result, status: 2, containing: "refusing to write")
      #expect(result.status == 2, "\(arguments)")
      for (path, bytes) in before {
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes, "\(arguments) changed \(path)")
      }
    }
    // Without --overwrite too, the reason given is that the file is an input.
    let dataAsCheckpoint = try Self.run([
      "train", "--layers", "4,8:tanh,3:softmax", "--data", data, "--target", "species", "--checkpoint", data,
    ])
    Self.expectRefused(dataAsCheckpoint, status: 2, containing: "it is also an input of this command")
    // The log and the checkpoint of one run are two files.
    let same = try Self.run(Self.train(folder.path("new.h5"), ["--log-json", folder.path("new.h5")]))
    #expect(same.status == 2, "\(same.error)")
  }

  @Test func aNewRunRefusesAnExistingCheckpointAndNamesTheChoices() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = try Self.checkpoint(in: folder, named: "first.h5")
    let before = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
    let again = try Self.run(Self.train(checkpoint))
    Self.expectRefused(again, status: 2, containing: "already exists")
    for choice in ["--resume", "--overwrite", "--checkpoint"] { #expect(again.error.contains(choice)) }
    #expect(try Data(contentsOf: URL(fileURLWithPath: checkpoint)) == before)
    // The default checkpoint too, in the folder a run starts in.
    let arguments = Array(Self.train(checkpoint).dropLast(2))
    let first = try GuardedProcess.run(BPKitBinary.path, arguments, timeout: 60, currentDirectory: folder.url.path)
    #expect(first.status == 0, "\(first.error)")
    let second = try GuardedProcess.run(BPKitBinary.path, arguments, timeout: 60, currentDirectory: folder.url.path)
    Self.expectRefused(second, status: 2, containing: "'run.ckpt.h5' already exists")
    // Told to replace it or to continue it, a run goes on.
    #expect(try Self.run(Self.train(checkpoint, ["--overwrite"])).status == 0)
    #expect(try Self.run(["train", "--resume", checkpoint, "--epochs", "3", "--quiet"]).status == 0)
  }

  // MARK: Rotation

  @Test func rotationTouchesOnlyBPKitsOwnFiles() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = folder.path("run.h5")
    try FileManager.default.createDirectory(atPath: folder.path("run.2.h5/inside"), withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: folder.path("run.2.h5/inside/keep.txt"), contents: Data("mine".utf8))
    FileManager.default.createFile(atPath: folder.path("run.4.h5"), contents: Data("not bpkit's".utf8))
    for _ in 0..<4 {
      let result = try Self.run(Self.train(checkpoint, ["--keep", "6", "--overwrite", "--epochs", "3"]))
      #expect(result.status == 0, "\(result.error)")
    }
    #expect(
      try String(contentsOfFile: folder.path("run.2.h5/inside/keep.txt"), encoding: .utf8) == "mine")
    #expect(try String(contentsOfFile: folder.path("run.4.h5"), encoding: .utf8) == "not bpkit's")
    #expect(BPKitFile.isSealed(atPath: folder.path("run.1.h5")))
    #expect(BPKitFile.isSealed(atPath: checkpoint))
  }

  @Test(arguments: ["3000000", "\(Int64.max)"])
  func rotationCostsTheFilesThatExistNotK(keep: String) throws {
    let folder = try TemporaryDirectory()
    let checkpoint = folder.path("run.h5")
    // Three epochs, each checkpointed and rotated; a rotation that counted
    // to K would not end.
    let result = try Self.run(Self.train(checkpoint, ["--keep", keep, "--epochs", "3"]), timeout: 120)
    #expect(result.status == 0, "\(result.ending): \(result.error)")
    #expect(BPKitFile.isSealed(atPath: folder.path("run.2.h5")))
  }

  // MARK: One writer per checkpoint

  @Test func aSecondRunWritingTheSameCheckpointIsRefused() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = folder.path("run.h5")
    let lock = folder.path(".run.h5.lock")
    let first = Process()
    first.executableURL = URL(fileURLWithPath: BPKitBinary.path)
    first.arguments = Self.train(checkpoint, ["--epochs", "1000000"])
    first.standardOutput = FileHandle.nullDevice
    first.standardError = FileHandle.nullDevice
    try first.run()
    defer {
      first.terminate()
      first.waitUntilExit()
    }
    // The lock is taken before any data is read.
    while !FileManager.default.fileExists(atPath: lock) && first.isRunning { usleep(10_000) }
    #expect(first.isRunning)
    let second = try Self.run(Self.train(checkpoint, ["--overwrite"]))
    Self.expectRefused(second, status: 4, containing: "process \(first.processIdentifier)")
  }

  // MARK: Temporaries

  @Test func killedWritersTemporariesAreRemovedByTheNextWrite() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = try Self.checkpoint(in: folder)
    let exited = Process()
    exited.executableURL = URL(fileURLWithPath: "/bin/true")
    try exited.run()
    exited.waitUntilExit()
    for name in ["model.json", "model.keras", "model.h5"] {
      let stale = folder.path(".\(name).tmp-\(exited.processIdentifier)-0123456789abcdef")
      FileManager.default.createFile(atPath: stale, contents: Data(count: 4096))
      let result = try Self.run(["convert", checkpoint, folder.path(name), "--model-only"])
      #expect(result.status == 0, "\(result.error)")
      #expect(!FileManager.default.fileExists(atPath: stale), "\(name)")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).allSatisfy { !$0.hasPrefix(".") })
  }

  @Test func outputNamesNearTheNameLimitAreWritten() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = try Self.checkpoint(in: folder)
    for suffix in [".json", ".keras", ".h5"] {
      let name = String(repeating: "n", count: 245 - suffix.count) + suffix
      let result = try Self.run(["convert", checkpoint, folder.path(name), "--model-only"])
      #expect(result.status == 0, "\(suffix): \(result.error)")
    }
    let long = folder.path(String(repeating: "c", count: 240) + ".h5")
    let trained = try Self.run(Self.train(long, ["--keep", "2", "--save-best"]))
    #expect(trained.status == 0, "\(trained.error)")
  }

  @Test func readingAKerasArchiveLeavesNothingInTheTemporaryFolder() throws {
    let folder = try TemporaryDirectory()
    let scratch = try TemporaryDirectory()
    let checkpoint = try Self.checkpoint(in: folder)
    let keras = folder.path("model.keras")
    #expect(try Self.run(["convert", checkpoint, keras, "--model-only"]).status == 0)
    let environment = ["TMPDIR": scratch.url.path]
    for arguments in [
      ["inspect", keras], ["convert", keras, folder.path("back.h5")],
      ["infer", keras, "--input", Self.iris, "--ignore", "species", "--output", folder.path("p.csv")],
    ] {
      let result = try Self.run(arguments, environment: environment)
      #expect(result.status == 0, "\(arguments): \(result.error)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == [], "\(arguments)")
    }
  }

  /// The weights of a `.keras` are read in memory: with `TMPDIR` naming a
  /// regular file, under which nothing can be created, every reader still
  /// works (bpkit 0.1 extracted them into `TMPDIR` and failed here).
  @Test func readingAKerasArchiveCreatesNoFile() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = try Self.checkpoint(in: folder)
    let keras = folder.path("model.keras")
    #expect(try Self.run(["convert", checkpoint, keras, "--model-only"]).status == 0)
    let notAFolder = folder.path("not-a-folder")
    #expect(FileManager.default.createFile(atPath: notAFolder, contents: Data("x".utf8)))
    let before = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
    for arguments in [
      ["inspect", keras], ["diff", keras, keras], ["infer", keras, "--input", Self.iris, "--ignore", "species"],
    ] {
      let result = try Self.run(arguments, environment: ["TMPDIR": notAFolder])
      #expect(result.status == 0, "\(arguments): \(result.error)")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == before)
  }

  /// A `.keras` whose weights inflate from under a megabyte to 300 MB: refused
  /// before anything is extracted, and nothing left in the temporary folder.
  @Test func aKerasArchiveWhoseWeightsInflateFarPastItsSizeIsRefused() throws {
    let folder = try TemporaryDirectory()
    let scratch = try TemporaryDirectory()
    let checkpoint = try Self.checkpoint(in: folder)
    let keras = folder.path("model.keras")
    #expect(try Self.run(["convert", checkpoint, keras, "--model-only"]).status == 0)
    let bomb = folder.path("bomb.keras")
    let script = """
      import sys, zipfile
      source, target = sys.argv[1], sys.argv[2]
      with zipfile.ZipFile(source) as inner, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
          for name in ("metadata.json", "config.json"):
              out.writestr(name, inner.read(name))
          with out.open("model.weights.h5", "w", force_zip64=True) as weights:
              block = bytes(1 << 20)
              for _ in range(300):
                  weights.write(block)
      """
    let made = try GuardedProcess.run("/usr/bin/python3", ["-c", script, keras, bomb], timeout: 120)
    try #require(made.status == 0, "\(made.error)")
    let result = try Self.run(["inspect", bomb], environment: ["TMPDIR": scratch.url.path])
    Self.expectRefused(result, status: 3, containing: "model.weights.h5 inflates to more than")
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == [])
  }
}
