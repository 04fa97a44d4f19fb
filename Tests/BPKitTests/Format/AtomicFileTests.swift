import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Crash safety: a writer killed at any moment leaves the old or the new file.
@Suite(.serialized) struct AtomicFileTests {
  static let fixture = URL(fileURLWithPath: BPKitBinary.path).deletingLastPathComponent()
    .appendingPathComponent("CheckpointWriterFixture").path

  static func temporaries(in folder: TemporaryDirectory) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasPrefix(".") }
  }

  static func start(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: fixture)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    return process
  }

  @Test func killedWritersLeaveTheOldOrTheNewCheckpointAndNoPileOfTemporaries() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("run.ckpt.h5")
    let parameters = "2000000"  // 8 MB of weights per checkpoint
    let clock = ContinuousClock()
    let firstWrite = try clock.measure {
      let writer = try Self.start([path, parameters, "0", "1"])
      writer.waitUntilExit()
      #expect(writer.terminationStatus == 0)
    }
    let window = max(
      0.05, 3 * Double(firstWrite.components.seconds) + 3 * Double(firstWrite.components.attoseconds) / 1e18)
    var generator = FormatSamples.Generator(seed: 42)
    var previous = 0
    var killedMidWrite = 0
    for round in 1...50 {
      let first = round * 1_000
      let writer = try Self.start([path, parameters, String(first)])
      let delay = Double(generator.next() % 1_000_000) / 1_000_000 * window
      usleep(useconds_t(delay * 1_000_000))
      kill(writer.processIdentifier, SIGKILL)
      writer.waitUntilExit()
      #expect(writer.terminationReason == .uncaughtSignal)
      let loaded = try Checkpoint(contentsOf: URL(fileURLWithPath: path))
      let generation = loaded.progress.epoch
      #expect(generation == previous || (first..<(first + 1_000)).contains(generation), "round \(round)")
      let intact = loaded.model.parameters.values.allSatisfy { tensor in
        tensor.scalars.allSatisfy { $0 == Float(generation) }
      }
      #expect(intact, "round \(round): generation \(generation) holds weights of another generation")
      let left = try Self.temporaries(in: folder)
      killedMidWrite += left.count
      #expect(left.count <= 1, "round \(round): temporaries pile up: \(left)")
      previous = generation
    }
    // Some kills must have landed mid-write, or the test proved nothing.
    #expect(killedMidWrite > 0)
    let writer = try Self.start([path, parameters, "99", "1"])
    writer.waitUntilExit()
    #expect(try Self.temporaries(in: folder) == [])
    #expect(try Checkpoint(contentsOf: URL(fileURLWithPath: path)).progress.epoch == 99)
  }

  @Test func temporariesOfLiveWritersAreKept() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.h5")
    let live = folder.path(".model.h5.tmp-\(getppid())-abc")
    let dead = folder.path(".model.h5.tmp-999999999-abc")
    let unrelated = folder.path(".other.h5.tmp-999999999-abc")
    for path in [live, dead, unrelated] { _ = FileManager.default.createFile(atPath: path, contents: Data()) }
    try FormatSamples.model(FormatSamples.denseNetwork()).write(to: url)
    #expect(FileManager.default.fileExists(atPath: live))
    #expect(!FileManager.default.fileExists(atPath: dead))
    #expect(FileManager.default.fileExists(atPath: unrelated))
  }
}
