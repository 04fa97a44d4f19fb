import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Training and converting onto a file system too small for the new file:
/// a clear error, exit 4, the previous file intact and no temporary left.
///
/// Each test mounts its own small tmpfs (tests run as root in CI); where
/// mounting is not permitted the tests show as skipped.
@Suite(.serialized) struct FullDiskTests {
  /// A tmpfs mounted on a fresh folder, unmounted when the value goes away.
  final class SmallFileSystem {
    let folder: TemporaryDirectory
    var path: String { folder.url.path }

    /// Whether this process may mount a tmpfs (as root, outside a restricted container).
    static let mountIsPermitted: Bool = (try? SmallFileSystem(bytes: 64 << 10)) != nil

    init(bytes: Int) throws {
      folder = try TemporaryDirectory(prefix: "bpkit-tmpfs")
      let result = try GuardedProcess.run(
        "/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes),mode=0777", "tmpfs", folder.url.path], timeout: 10)
      guard result.status == 0 else {
        throw MountError(detail: "\(result.ending): \(result.error.trimmingCharacters(in: .whitespacesAndNewlines))")
      }
    }

    struct MountError: Error {
      var detail: String
    }

    deinit { _ = try? GuardedProcess.run("/bin/umount", [folder.url.path], timeout: 10) }

    /// Fills the file system to `free` bytes short of full.
    func fill(leaving free: Int) throws {
      var status = statvfs()
      guard statvfs(path, &status) == 0 else { return }
      let available = Int(status.f_bavail) * Int(status.f_frsize)
      guard available > free else { return }
      let filler = folder.path("filler")
      FileManager.default.createFile(atPath: filler, contents: Data(count: available - free))
    }

    func temporaries() throws -> [String] {
      try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.contains(".tmp") }
    }
  }

  static func expectCleanFailure(_ result: GuardedResult, _ what: String) {
    #expect(result.status == 4, "\(what): \(result.ending), expected exit 4: \(result.error)")
    #expect(result.errorLines.count == 1 && result.errorLines.first?.hasPrefix("bpkit: error: ") == true)
    #expect(result.error.contains("No space left on device"), "\(what): unclear error: \(result.error)")
  }

  @Test(.enabled(if: SmallFileSystem.mountIsPermitted, "needs permission to mount a tmpfs: run as root"))
  func resumedTrainingOntoAFullDiskKeepsThePreviousCheckpoint() throws {
    let files = try ValidFiles.get()
    let previous = try Data(contentsOf: URL(fileURLWithPath: files.checkpoint))
    let disk = try SmallFileSystem(bytes: 1 << 20)
    let checkpoint = disk.folder.path("run.ckpt.h5")
    try previous.write(to: URL(fileURLWithPath: checkpoint))
    // Room for the file there is, not for its successor beside it.
    try disk.fill(leaving: previous.count / 2)
    let result = try GuardedProcess.run(
      BPKitBinary.path, ["train", "--resume", checkpoint, "--epochs", "4", "--quiet"], timeout: 60)
    Self.expectCleanFailure(result, "train --resume onto a full disk")
    #expect(try Data(contentsOf: URL(fileURLWithPath: checkpoint)) == previous)
    _ = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    #expect(try disk.temporaries() == [])
    ReliabilityReport.record("full disk, train --resume: \(result.ending); previous checkpoint intact")
  }

  @Test(.enabled(if: SmallFileSystem.mountIsPermitted, "needs permission to mount a tmpfs: run as root"))
  func newTrainingOntoAFullDiskFailsCleanly() throws {
    let disk = try SmallFileSystem(bytes: 64 << 10)
    try disk.fill(leaving: 4096)
    let result = try GuardedProcess.run(
      BPKitBinary.path,
      [
        "train", "--layers", "4,8:tanh,3:softmax", "--data", ValidFiles.irisCSV, "--target", "species",
        "--epochs", "1", "--checkpoint", disk.folder.path("new.ckpt.h5"), "--quiet",
      ], timeout: 60)
    Self.expectCleanFailure(result, "train onto a full disk")
    #expect(!FileManager.default.fileExists(atPath: disk.folder.path("new.ckpt.h5")))
    #expect(try disk.temporaries() == [])
    ReliabilityReport.record("full disk, new training run: \(result.ending)")
  }

  @Test(
    .enabled(if: SmallFileSystem.mountIsPermitted, "needs permission to mount a tmpfs: run as root"),
    arguments: ["h5", "json", "keras"])
  func convertingOntoAFullDiskKeepsThePreviousFile(fileExtension: String) throws {
    let files = try ValidFiles.get()
    let disk = try SmallFileSystem(bytes: 1 << 20)
    let destination = disk.folder.path("converted.\(fileExtension)")
    let first = try GuardedProcess.run(BPKitBinary.path, ["convert", files.model, destination], timeout: 60)
    try #require(first.status == 0, "\(first.error)")
    let previous = try Data(contentsOf: URL(fileURLWithPath: destination))
    try disk.fill(leaving: 2048)
    let result = try GuardedProcess.run(BPKitBinary.path, ["convert", files.checkpoint, destination], timeout: 60)
    Self.expectCleanFailure(result, "convert to .\(fileExtension) onto a full disk")
    #expect(try Data(contentsOf: URL(fileURLWithPath: destination)) == previous)
    #expect(try disk.temporaries() == [])
    ReliabilityReport.record("full disk, convert to .\(fileExtension): \(result.ending); previous file intact")
  }

  /// A large tensor's numbers are formatted on every thread and written by
  /// one more while the next ones are formatted: a disk that fills midway
  /// still gives the one clear error, the previous file intact and no
  /// temporary left, on one thread or several.
  @Test(.enabled(if: SmallFileSystem.mountIsPermitted, "needs permission to mount a tmpfs: run as root"))
  func writingALargeNumbersDocumentOntoAFullDiskKeepsThePreviousFile() throws {
    let disk = try SmallFileSystem(bytes: 2 << 20)
    let destination = disk.folder.path("weights.json")
    try Data("previous".utf8).write(to: URL(fileURLWithPath: destination))
    // 400,400 weights, about 5 MB of numbers: six pieces of 65,536 and more.
    let network = NetworkDescription(
      input: .vector(features: 1000),
      layers: [Layer(name: "d", kind: .dense(units: 400, activation: .linear, useBias: true))])
    var state: UInt32 = 1
    var parameters: [ParameterKey: Tensor<Float>] = [:]
    for spec in try network.parameterSpecs() {
      let count = spec.shape.reduce(1, *)
      parameters[spec.key] = Tensor(
        shape: spec.shape,
        scalars: (0..<count).map { _ in
          state = state &* 1_664_525 &+ 1_013_904_223
          return Float(state >> 8) / Float(1 << 24) - 0.5
        })
    }
    let model = try Model(network: network, parameters: parameters)
    for threads in [1, 2, 3] {
      do {
        try Kernels.with(threads: threads) { try model.writeJSON(toPath: destination, weights: .numbers) }
        Issue.record("a 5 MB document was written onto a 2 MB disk on \(threads) threads")
      } catch {
        #expect("\(error)".contains("No space left on device"), "\(threads) threads: \(error)")
      }
      #expect(try Data(contentsOf: URL(fileURLWithPath: destination)) == Data("previous".utf8))
      #expect(try disk.temporaries() == [])
    }
  }

  @Test(
    .enabled(if: SmallFileSystem.mountIsPermitted, "needs permission to mount a tmpfs: run as root"),
    arguments: ["csv", "json", "h5"])
  func predictionsOntoAFullDiskLeaveNoPartialFile(format: String) throws {
    let files = try ValidFiles.get()
    let disk = try SmallFileSystem(bytes: 256 << 10)
    try disk.fill(leaving: 0)
    let destination = disk.folder.path("predictions.\(format)")
    let result = try GuardedProcess.run(
      BPKitBinary.path,
      ["infer", files.checkpoint, "--input", ValidFiles.irisCSV, "--ignore", "species", "--output", destination],
      timeout: 60)
    Self.expectCleanFailure(result, "infer to .\(format) onto a full disk")
    #expect(result.error.contains("cannot write"), "\(result.error)")
    #expect(!FileManager.default.fileExists(atPath: destination))
    #expect(try disk.temporaries() == [])
    ReliabilityReport.record("full disk, infer to .\(format): \(result.ending); no partial file")
  }
}
