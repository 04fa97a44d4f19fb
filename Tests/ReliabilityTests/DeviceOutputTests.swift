import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Outputs that are devices, reached directly or through symbolic links, as
/// `--output /dev/null` or a link to `/dev/stdout` would be: every command
/// writes into them in place, and they are still character devices after.
/// The devices are made with `mknod` in a temporary folder: the machine's
/// own `/dev` is never written.
@Suite struct DeviceOutputTests {
  @Test(.enabled(if: DeviceNodes.available, "making device nodes needs root"))
  func everyReaderWritesIntoDevicesInPlace() throws {
    let nodes = try DeviceNodes()
    let files = try ValidFiles.get()
    let folder = try TemporaryDirectory()
    var runs = 0
    for file in [files.checkpoint, files.model, files.checkpointJSON, files.modelJSON] {
      let scratch = try ValidFiles.scratch(in: folder)
      // Every file a reader writes is a link to the null device.
      for name in ["predictions.csv", "resumed.h5", "started.h5", "converted.json"] {
        symlink(nodes.null, scratch + "/" + name)
      }
      for reader in ValidFiles.readers(of: file, output: scratch) {
        let result = try GuardedProcess.run(BPKitBinary.path, reader.arguments, timeout: 60)
        // `--resume` takes only HDF5 checkpoints: the other files are refused.
        if reader.name == "train --resume" && file != files.checkpoint {
          #expect(result.status == 3 || result.status == 4, "\(reader.name) \(file): \(result.ending)")
        } else {
          #expect(result.status.map(reader.successes.contains) == true, "\(reader.name) \(file): \(result.error)")
        }
        #expect(nodes.areCharacterDevices, "\(reader.name) \(file) replaced a device")
        runs += 1
      }
      let left = try FileManager.default.contentsOfDirectory(atPath: scratch).sorted()
      #expect(left == ["converted.json", "predictions.csv", "resumed.h5", "started.h5"], "\(left)")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: nodes.folder.url.path).sorted() == ["full", "null"])
    ReliabilityReport.record("device outputs: \(runs) runs into a null device through links; devices intact")
  }
}
