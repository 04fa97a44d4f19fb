import BPKit
import Foundation
import Testing
import _BPKitTestSupport

@Suite struct WriterLockTests {
  @Test func aSecondWriterIsRefusedByNameUntilTheFirstReleases() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("run.ckpt.h5")
    let first = try WriterLock(for: path)
    expectReason(WriterLockError.held(file: path, holder: getpid())) { _ = try WriterLock(for: path) }
    // Another name of the same file shares its lock.
    symlink(path, folder.path("link.h5"))
    expectReason(WriterLockError.self) { _ = try WriterLock(for: folder.path("link.h5")) }
    first.release()
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["link.h5"])
    let second = try WriterLock(for: path)
    second.release()
  }

  @Test(.enabled(if: DeviceNodes.available, "making device nodes needs root"))
  func aDeviceTakesNoLockAndGetsNoFileBesideIt() throws {
    let nodes = try DeviceNodes()
    let lock = try WriterLock(for: nodes.null)
    #expect(try FileManager.default.contentsOfDirectory(atPath: nodes.folder.url.path).sorted() == ["full", "null"])
    lock.release()
  }
}
