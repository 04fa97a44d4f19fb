import Foundation
import Testing
import _BPKitTestSupport

/// `bpkit` runs the `bpkit-probe` built beside it on every untrusted HDF5
/// file, and is its own probe (`bpkit probe-hdf5`) when there is none.
@Suite struct ProbeSelectionTests {
  /// A copy of the built `bpkit` in a folder of its own, with `probe` as the
  /// `bpkit-probe` beside it when given.
  private func installedBPKit(in folder: TemporaryDirectory, probe: String?) throws -> String {
    let binary = folder.path("bpkit")
    try FileManager.default.copyItem(atPath: BPKitBinary.path, toPath: binary)
    if let probe {
      let path = folder.path("bpkit-probe")
      try Data(probe.utf8).write(to: URL(fileURLWithPath: path))
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }
    return binary
  }

  @Test func theProbeBesideBPKitDecides() throws {
    let folder = try TemporaryDirectory()
    // A probe that reports every file as one libhdf5 fails to read, and
    // leaves a mark that it ran: bpkit must refuse a valid file it names.
    let mark = folder.path("probed")
    let binary = try installedBPKit(
      in: folder, probe: "#!/bin/sh\necho \"$1\" >> '\(mark)'\nexit 1\n")
    let model = Fixtures.path("fuzz-corpus/model/xor.ckpt.h5")
    let result = try runProcess(binary, ["inspect", model])
    #expect(result.status == 3)
    #expect(result.error.contains(model))
    let probed = try String(contentsOfFile: mark, encoding: .utf8)
    #expect(probed.split(separator: "\n").contains { $0.hasSuffix("xor.ckpt.h5") })
  }

  @Test func withoutAProbeBesideItBPKitIsItsOwn() throws {
    let folder = try TemporaryDirectory()
    let binary = try installedBPKit(in: folder, probe: nil)
    let valid = try runProcess(binary, ["inspect", Fixtures.path("fuzz-corpus/model/xor.ckpt.h5")])
    #expect(valid.status == 0, "\(valid.error)")
    // A file that crashes libhdf5 is still contained, by bpkit probe-hdf5.
    let crasher = Fixtures.path("fuzz-corpus/libhdf5-crashers/segv-byte-1063-xor-d8.h5")
    let refused = try runProcess(binary, ["inspect", crasher])
    #expect(refused.status == 3)
    #expect(refused.error.contains("crash"), "\(refused.error)")
  }

  /// The probe is looked for when the first file is opened, not at start:
  /// `BPKIT_PROBE` still comes before the `bpkit-probe` beside bpkit, which
  /// comes before bpkit probing with itself.
  @Test func bpkitProbeInTheEnvironmentComesFirst() throws {
    let folder = try TemporaryDirectory()
    let besideMark = folder.path("beside")
    let binary = try installedBPKit(in: folder, probe: "#!/bin/sh\necho \"$1\" >> '\(besideMark)'\nexit 0\n")
    let namedMark = folder.path("named")
    let named = folder.path("named-probe")
    try Data("#!/bin/sh\necho \"$1\" >> '\(namedMark)'\nexit 1\n".utf8).write(to: URL(fileURLWithPath: named))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: named)
    let model = Fixtures.path("fuzz-corpus/model/xor.ckpt.h5")

    let refused = try runProcess(binary, ["inspect", model], environment: ["BPKIT_PROBE": named])
    #expect(refused.status == 3, "\(refused.error)")
    #expect(FileManager.default.fileExists(atPath: namedMark))
    #expect(!FileManager.default.fileExists(atPath: besideMark))

    let accepted = try runProcess(binary, ["inspect", model], environment: ["BPKIT_PROBE": ""])
    #expect(accepted.status == 0, "\(accepted.error)")
    #expect(FileManager.default.fileExists(atPath: besideMark))
  }
}
