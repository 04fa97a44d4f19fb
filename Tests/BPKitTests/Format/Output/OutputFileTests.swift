import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

/// The one writer: what it replaces, what it writes in place, what it refuses.
@Suite struct OutputFileTests {
  static func contents(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

  static func kind(_ path: String) -> mode_t {
    var status = stat()
    return lstat(path, &status) == 0 ? status.st_mode & S_IFMT : 0
  }

  /// The process id of a process that has exited.
  static func deadProcess() throws -> pid_t {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    return process.processIdentifier
  }

  @Test func aRegularFileIsReplacedWithItsPermissionsAndNoTemporaryLeft() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("out.txt")
    try "old".write(toFile: path, atomically: false, encoding: .utf8)
    chmod(path, 0o640)
    try OutputFile.write(to: path) { try $0.write("new") }
    #expect(try Self.contents(path) == "new")
    var status = stat()
    stat(path, &status)
    #expect(status.st_mode & 0o777 == 0o640)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["out.txt"])
  }

  @Test func aSymbolicLinkStaysALinkAndItsTargetIsReplaced() throws {
    let folder = try TemporaryDirectory()
    try "old".write(toFile: folder.path("target.txt"), atomically: false, encoding: .utf8)
    symlink("target.txt", folder.path("link.txt"))
    try OutputFile.write(to: folder.path("link.txt")) { try $0.write("new") }
    #expect(Self.kind(folder.path("link.txt")) == S_IFLNK)
    #expect(try Self.contents(folder.path("target.txt")) == "new")
    // A link to a file that does not exist yet creates that file.
    symlink("later.txt", folder.path("dangling.txt"))
    try OutputFile.write(to: folder.path("dangling.txt")) { try $0.write("made") }
    #expect(Self.kind(folder.path("dangling.txt")) == S_IFLNK)
    #expect(try Self.contents(folder.path("later.txt")) == "made")
  }

  @Test(.enabled(if: DeviceNodes.available, "making device nodes needs root"))
  func aCharacterDeviceIsWrittenInPlaceNeverReplaced() throws {
    let nodes = try DeviceNodes()
    try OutputFile.write(to: nodes.null) { try $0.write("predictions") }
    // Content made by a library that creates files by name is copied in.
    try OutputFile.create(nodes.null) { path in try "weights".write(toFile: path, atomically: false, encoding: .utf8) }
    // A link to the device leads to it, and the link stays.
    symlink(nodes.null, nodes.folder.path("link"))
    try OutputFile.write(to: nodes.folder.path("link")) { try $0.write("x") }
    #expect(Self.kind(nodes.folder.path("link")) == S_IFLNK)
    #expect(nodes.areCharacterDevices)
    expectReason(OutputFileError.self) { try OutputFile.write(to: nodes.full) { try $0.write("x") } }
    #expect(nodes.areCharacterDevices)
    // Nothing was created beside the devices.
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: nodes.folder.url.path).sorted() == ["full", "link", "null"])
  }

  @Test func aFIFOIsWrittenInPlace() throws {
    let folder = try TemporaryDirectory()
    let fifo = folder.path("pipe")
    #expect(mkfifo(fifo, 0o600) == 0)
    // A reader at the other end, as a shell pipeline would have.
    let copied = folder.path("copied")
    FileManager.default.createFile(atPath: copied, contents: nil)
    let reader = Process()
    reader.executableURL = URL(fileURLWithPath: "/bin/cat")
    reader.arguments = [fifo]
    reader.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: copied))
    try reader.run()
    try OutputFile.write(to: fifo) { try $0.write("through the pipe") }
    reader.waitUntilExit()
    #expect(try Self.contents(copied) == "through the pipe")
    #expect(Self.kind(fifo) == S_IFIFO)
  }

  @Test func aFolderIsRefused() throws {
    let folder = try TemporaryDirectory()
    try FileManager.default.createDirectory(atPath: folder.path("out.h5"), withIntermediateDirectories: false)
    expectReason(OutputFileError.unsupportedDestination(file: folder.path("out.h5"), kind: "a folder")) {
      try OutputFile.write(to: folder.path("out.h5")) { try $0.write("x") }
    }
  }

  @Test func anInputIsRefusedThroughSymbolicAndHardLinks() throws {
    let folder = try TemporaryDirectory()
    let input = folder.path("data.csv")
    try "a,b\n1,2\n".write(toFile: input, atomically: false, encoding: .utf8)
    symlink(input, folder.path("soft.csv"))
    link(input, folder.path("hard.csv"))
    for output in [input, folder.path("soft.csv"), folder.path("hard.csv")] {
      expectReason(OutputFileError.isAnInput(file: output, input: input)) {
        try OutputFile.write(to: output, options: FileWriteOptions(inputs: [input])) { try $0.write("x") }
      }
      expectReason(OutputFileError.isAnInput(file: output, input: input)) {
        _ = try OutputFile(appendingTo: output, options: FileWriteOptions(inputs: [input]))
      }
    }
    #expect(try Self.contents(input) == "a,b\n1,2\n")
  }

  @Test func anOutputNotCommittedLeavesNothing() throws {
    let folder = try TemporaryDirectory()
    struct Failure: Error {}
    #expect(throws: Failure.self) {
      try OutputFile.write(to: folder.path("out.json")) { output in
        try output.write("{\"partial\": ")
        throw Failure()
      }
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == [])
  }

  @Test func staleTemporariesOfDeadWritersAreRemovedAndOthersKept() throws {
    let folder = try TemporaryDirectory()
    let prefix = OutputTemporaries.prefix(for: "model.json")
    let dead = folder.path(prefix + "\(try Self.deadProcess())-1234abcd")
    let live = folder.path(prefix + "\(getppid())-1234abcd")
    let folderLookalike = folder.path(prefix + "\(try Self.deadProcess())-dir")
    FileManager.default.createFile(atPath: dead, contents: Data(count: 100))
    FileManager.default.createFile(atPath: live, contents: Data(count: 100))
    try FileManager.default.createDirectory(atPath: folderLookalike, withIntermediateDirectories: false)
    try OutputFile.write(to: folder.path("model.json")) { try $0.write("{}") }
    #expect(!FileManager.default.fileExists(atPath: dead))
    #expect(FileManager.default.fileExists(atPath: live))
    #expect(FileManager.default.fileExists(atPath: folderLookalike))
  }

  @Test func namesNearTheLimitGetTemporaryNamesThatFit() throws {
    let folder = try TemporaryDirectory()
    for length in [200, 240, 250, 255] {
      let name =
        String(repeating: "é", count: (length - 5) / 2) + String(repeating: "x", count: (length - 5) % 2)
        + ".json"
      #expect(name.utf8.count == length)
      #expect(OutputTemporaries.name(for: name).utf8.count <= 255)
      try OutputFile.write(to: folder.path(name)) { try $0.write("{}") }
      #expect(try Self.contents(folder.path(name)) == "{}")
    }
    // Two long names with one start keep different temporaries.
    let long = String(repeating: "a", count: 240)
    #expect(OutputTemporaries.prefix(for: long + "1") != OutputTemporaries.prefix(for: long + "2"))
  }

  @Test func appendingKeepsWhatWasWritten() throws {
    let folder = try TemporaryDirectory()
    let log = folder.path("log.jsonl")
    for line in ["{\"epoch\":1}\n", "{\"epoch\":2}\n"] {
      let output = try OutputFile(appendingTo: log)
      try output.write(line)
      try output.commit()
    }
    #expect(try Self.contents(log) == "{\"epoch\":1}\n{\"epoch\":2}\n")
  }

  /// The file a replacement drops is freed: a large one on a background
  /// thread, a small one by the rename itself. Once that is done, no
  /// descriptor of this process holds it.
  @Test(arguments: [1 << 16, ReleasedFiles.largeFileBytes])
  func aReplacedFileIsFreedAndNoDescriptorKeepsIt(bytes: Int) throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("model.h5")
    for round in 0..<3 {
      try OutputFile.write(to: path) { try $0.write(String(repeating: "\(round)", count: bytes)) }
    }
    ReleasedFiles.waitUntilFreed()
    let held = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap {
      try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")
    }.filter { $0.hasPrefix(folder.url.path) }
    #expect(held == [])
    #expect(try Self.contents(path) == String(repeating: "2", count: bytes))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["model.h5"])
  }

  /// A library that creates its file by name is refused before it starts when
  /// the file system has less room than the reservation, without a file
  /// reserved and removed on the way.
  @Test func aFullFileSystemFailsBeforeWritingWhenReserving() throws {
    let folder = try TemporaryDirectory()
    expectReason(OutputFileError.self) {
      try OutputFile.create(folder.path("huge.h5"), reservingBytes: Int(Int64.max / 2)) { _ in
        Issue.record("the body must not run")
      }
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == [])
  }
}
