import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Files that were never valid bpkit files, or were made hostile on purpose,
/// given to every command that reads models and checkpoints, and bad data
/// given to the commands that read data: each is refused with one error line
/// and a documented exit code, without a crash or a hang.
@Suite struct HostileFileTests {
  let folder: TemporaryDirectory
  let files: ValidFiles

  init() throws {
    folder = try TemporaryDirectory(prefix: "bpkit-hostile")
    files = try ValidFiles.get()
  }

  /// Runs every reader on each file, expecting a refusal with one of `codes`.
  func refusals(_ inputs: [(label: String, path: String)], codes: Set<Int32> = [3, 4], unprivileged: Bool = false)
    throws -> [HostileRun]
  {
    try inputs.flatMap { input in
      let output = try ValidFiles.scratch(in: folder)
      return ValidFiles.readers(of: input.path, output: output).map {
        HostileRun(
          name: "\($0.name) on \(input.label)", arguments: $0.arguments, codes: codes, unprivileged: unprivileged)
      }
    }
  }

  func write(_ bytes: [UInt8], _ name: String) throws -> String {
    let path = folder.path(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func randomAndEmptyFilesAndFoldersAreRefused() throws {
    var random = Xoshiro256StarStar(seed: ReliabilityMode.seed ^ 0xB17E5)
    func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
    var inputs: [(label: String, path: String)] = [
      ("an empty file", try write([], "empty.h5")), ("a folder", folder.url.path),
      ("a missing file", folder.path("missing.h5")),
    ]
    let header = Array(try Data(contentsOf: URL(fileURLWithPath: files.checkpoint)).prefix(96))
    let count = ReliabilityMode.current.pick(quick: 8, long: 200)
    for index in 0..<count {
      let size = [1, 7, 8, 100, 512, 4096, 65536][index % 7]
      inputs.append(("\(size) random bytes", try write(bytes(size), "random-\(index).h5")))
      // Past the signature check: random bytes behind a valid HDF5 superblock.
      inputs.append(("a superblock and \(size) random bytes", try write(header + bytes(size), "super-\(index).h5")))
      inputs.append(
        ("the HDF5 signature and \(size) random bytes", try write(HDF5Signature.bytes + bytes(size), "sig-\(index).h5"))
      )
      inputs.append(
        ("\(size) random bytes as JSON", try write(Array("{\"".utf8) + bytes(size), "random-\(index).json")))
    }
    let tally = HostileTally.run(try refusals(inputs))
    ReliabilityReport.record("random bytes, empty files, folders, missing files (\(inputs.count) inputs): \(tally)")
  }

  // As root, permissions do not stop reading, so bpkit runs as nobody; as
  // another user, the suite cannot switch to a second one to test them.
  @Test(
    .enabled(
      if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") && getuid() == 0,
      "needs root and setpriv(1) to run bpkit as nobody"))
  func unreadableFilesAreRefused() throws {
    // The folder must be open to nobody, while the files are not.
    let open = try TemporaryDirectory(prefix: "bpkit-perm")
    chmod(open.url.path, 0o777)
    var inputs: [(label: String, path: String)] = []
    for (label, source) in [("checkpoint.h5", files.checkpoint), ("model.json", files.modelJSON)] {
      let path = open.path("locked-\(label)")
      try FileManager.default.copyItem(atPath: source, toPath: path)
      chmod(path, 0o000)
      inputs.append(("\(label) without read permission", path))
    }
    let tally = HostileTally.run(try refusals(inputs, codes: [4], unprivileged: true))
    ReliabilityReport.record("files without read permission, run as nobody: \(tally)")
  }

  /// ONNX and safetensors files made hostile: headers that declare more
  /// than the file holds, overlapping or gapped tensors, shapes that do not
  /// match their bytes, truncated and flipped protobuf. Each is refused with
  /// one line before any tensor is allocated.
  @Test func hostileONNXAndSafetensorsFilesAreRefused() throws {
    let corpus = Fixtures.path("fuzz-corpus/model")
    var inputs: [(label: String, path: String)] = try FileManager.default.contentsOfDirectory(atPath: corpus)
      .filter { $0.hasPrefix("safetensors-") }.sorted().map { ($0, corpus + "/" + $0) }
    let onnx = try Data(
      contentsOf: URL(fileURLWithPath: Fixtures.path("pytorch/rnn_tanh_stacked_last.torchscript.onnx")))
    for cut in [2, 100, onnx.count / 2, onnx.count - 1] {
      inputs.append(("an ONNX file cut after \(cut) bytes", try write(Array(onnx.prefix(cut)), "cut-\(cut).onnx")))
    }
    var flipped = Array(onnx)
    for index in stride(from: 7, to: flipped.count, by: 97) { flipped[index] ^= 0x5A }
    inputs.append(("an ONNX file with flipped bytes", try write(flipped, "flipped.onnx")))
    let safetensors = Array(
      try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("pytorch/mlp_linear_head.bpkit.safetensors"))))
    inputs.append(("a safetensors file cut short", try write(Array(safetensors.dropLast(4)), "cut.safetensors")))
    let tally = HostileTally.run(try refusals(inputs))
    ReliabilityReport.record("hostile ONNX and safetensors files (\(inputs.count) inputs): \(tally)")
  }

  @Test func foreignAndHostileHDF5FilesAreRefused() throws {
    let model = files.model
    let firstWeight = try Self.firstWeight(in: model)
    let other = folder.path("other.h5")
    try HDF5File.create(atPath: other).root.write([Float(1)], shape: [1], to: "x")
    let inputs: [(label: String, path: String)] = [
      ("digits.h5, an h5py data file", Fixtures.path("datasets/digits.h5")),
      ("a Keras reference-predictions file", Fixtures.path("keras/mlp_tanh_softmax.ref.h5")),
      ("a plain HDF5 file", other),
      (
        "a model with an external link",
        try ValidFiles.altered(model, in: folder, as: "extlink.h5") {
          try $0.openGroup("weights").createExternalLink("elsewhere", toFile: other, objectPath: "/x")
        }
      ),
      (
        "a model with external storage",
        try ValidFiles.altered(model, in: folder, as: "extstore.h5") {
          let dataset = try $0.createDataset(
            "outside", of: Float.self, shape: [4], options: HDF5DatasetOptions(externalFile: folder.path("raw.bin")))
          try dataset.write([Float](repeating: 2, count: 4))
        }
      ),
      (
        "a model with a virtual dataset",
        try ValidFiles.altered(model, in: folder, as: "vds.h5") {
          try $0.createVirtualDataset(
            "gathered", of: Float.self, shape: [firstWeight.count], sourceFile: ".", sourcePath: firstWeight.path)
        }
      ),
      (
        "a checkpoint whose weight is a virtual dataset",
        try ValidFiles.altered(files.checkpoint, in: folder, as: "vds-weight.h5") { root in
          let group = try root.openGroup((firstWeight.path as NSString).deletingLastPathComponent)
          let name = (firstWeight.path as NSString).lastPathComponent
          try group.removeChild(name)
          try group.createVirtualDataset(
            name, of: Float.self, shape: firstWeight.shape, sourceFile: other, sourcePath: "/x")
        }
      ),
      (
        "a model whose weight declares 2^40 elements",
        try ValidFiles.altered(model, in: folder, as: "bomb.h5") { root in
          let group = try root.openGroup((firstWeight.path as NSString).deletingLastPathComponent)
          let name = (firstWeight.path as NSString).lastPathComponent
          try group.removeChild(name)
          _ = try group.createDataset(name, of: Float.self, shape: [1 << 40])
        }
      ),
      (
        "a checkpoint with a chunked 2^40-element dataset",
        try ValidFiles.altered(files.checkpoint, in: folder, as: "bomb-chunked.h5") { root in
          _ = try root.createDataset(
            "huge", of: Float.self, shape: [1 << 20, 1 << 20], options: HDF5DatasetOptions(chunkShape: [1, 1024]))
        }
      ),
      (
        "a Keras file with a missing group",
        try ValidFiles.altered(Fixtures.path("keras/mlp_tanh_softmax.h5"), in: folder, as: "keras-missing.h5") {
          // The first layer's weights: a group the model cannot do without.
          try $0.openGroup("model_weights").removeChild("hidden")
        }
      ),
    ]
    let tally = HostileTally.run(try refusals(inputs))
    ReliabilityReport.record("foreign and hostile HDF5 files (\(inputs.count) files): \(tally)")
  }

  /// Attribute messages whose name, datatype or dataspace declares more
  /// bytes than the message holds, as in the fuzzer's
  /// `segv-fuzz-attribute-message.h5` (its `format_version` declares a
  /// dataspace of 8,968 bytes in a 72-byte message). libhdf5 1.10 decodes
  /// such a message from the declared sizes and copies the attribute's data
  /// from past the object header's buffer, so what a run then did depended
  /// on the heap. Each damaged copy of every root attribute of a checkpoint
  /// is re-sealed, as a crafter would, and must be refused by the probe's
  /// check of the file's bytes, with the same line every time.
  @Test func attributeMessagesThatOverrunTheirSizeAreRefused() throws {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: files.checkpoint)))
    let names = try HDF5File(openingAtPath: files.checkpoint).root.attributeNames()
    #expect(names.count >= 3, "\(names)")
    let readers = ValidFiles.readers(of: files.checkpoint, output: "").count
    var runs = 0
    for (index, name) in names.enumerated() {
      let start = try #require(Self.attributeMessage(named: name, in: bytes), "the attribute message of '\(name)'")
      for (part, field) in [("name", 2), ("datatype", 4), ("dataspace", 6)] {
        var damaged = bytes
        damaged[start + field] = 0x08
        damaged[start + field + 1] = 0x23
        let path = folder.path("attribute-\(index)-\(part).h5")
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        try FileSeal.reseal(path)
        let output = try ValidFiles.scratch(in: folder)
        var chosen = ValidFiles.readers(of: path, output: output)
        if ReliabilityMode.current == .quick { chosen = [chosen[(3 * index + field / 2) % readers]] }
        for reader in chosen {
          let result = try GuardedProcess.run(
            BPKitBinary.path, reader.arguments, timeout: ReliabilityMode.containmentTimeout)
          #expect(result.status == 3, "\(reader.name), \(name)'s \(part): \(result.ending) \(result.error)")
          #expect(result.errorLines.count == 1, "\(reader.name), \(name)'s \(part): \(result.error)")
          #expect(
            result.error.contains("an attribute message in its HDF5 object headers declares more bytes than it holds"),
            "\(reader.name), \(name)'s \(part): \(result.error)")
          runs += 1
        }
      }
    }
    ReliabilityReport.record(
      "attribute messages overrunning their size (\(names.count) attributes x name, datatype, dataspace): "
        + "\(runs) runs, all exit 3 with one line naming the attribute message")
  }

  @Test func kerasFilesFromAnotherProgramLoad() throws {
    // The Keras fixtures are h5py files bpkit imports: every reader takes
    // them or says clearly why not (train --resume: not a checkpoint).
    let path = Fixtures.path("keras/mlp_tanh_softmax.h5")
    let output = try ValidFiles.scratch(in: folder)
    let convert = try HostileRun(
      name: "convert a Keras file", arguments: ["convert", path, output + "/keras.json"], mayLoad: true
    ).run()
    #expect(convert.0 == .loaded, "\(convert.1.error)")
    let resume = try HostileRun(
      name: "train --resume on a Keras file", arguments: ["train", "--resume", path, "--quiet"], codes: [3]
    ).run()
    #expect(resume.0 == .refused(3), "\(resume.1.error)")
  }

  /// Where the version 1 attribute message of the attribute `name` starts
  /// in `bytes`: a version byte of 1, a reserved byte, then the sizes of
  /// the name (with its null), the datatype and the dataspace, and the name
  /// at byte 8 (HDF5 File Format Specification, IV.A.2.m).
  static func attributeMessage(named name: String, in bytes: [UInt8]) -> Int? {
    let key = Array(name.utf8) + [0]
    for at in 8...(bytes.count - key.count) where bytes[at..<(at + key.count)].elementsEqual(key) {
      let declared = Int(bytes[at - 6]) | Int(bytes[at - 5]) << 8
      if bytes[at - 8] == 1 && declared == key.count { return at - 8 }
    }
    return nil
  }

  static func firstWeight(in path: String) throws -> (path: String, shape: [Int], count: Int) {
    let root = try HDF5File(openingAtPath: path).root
    let weights = try root.openGroup("weights")
    let layer = try weights.children().sorted()[0]
    let name = try weights.openGroup(layer).children().sorted()[0]
    let shape = try weights.openGroup(layer).openDataset(name).shape
    return ("/weights/\(layer)/\(name)", shape, shape.reduce(1, *))
  }
}
