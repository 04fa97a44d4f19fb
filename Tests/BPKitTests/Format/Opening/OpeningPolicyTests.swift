import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// BPKit's one opening policy, through the library's own readers: what is
/// not a regular file, what libhdf5 crashes on even with a correct checksum,
/// and what reaches outside the file is refused by every reader.
@Suite struct OpeningPolicyTests {
  let folder: TemporaryDirectory

  init() throws {
    folder = try TemporaryDirectory()
  }

  /// Every library reader of a file, each opening `path` as untrusted.
  static func readers(_ path: String) -> [(name: String, read: () throws -> Void)] {
    let url = URL(fileURLWithPath: path)
    return [
      ("BPKitFile.open", { _ = try BPKitFile.open(url) }),
      ("Model(contentsOf:)", { _ = try Model(contentsOf: url) }),
      ("Checkpoint(contentsOf:)", { _ = try Checkpoint(contentsOf: url) }),
      ("KerasModel(contentsOfFile:)", { _ = try KerasModel(contentsOfFile: path) }),
      ("FileSummary(contentsOf:)", { _ = try FileSummary(contentsOf: url) }),
      ("Dataset.readHDF5", { _ = try Dataset.readHDF5(path: path, inputs: "/train/x", targets: "/train/y") }),
      ("HDF5SampleReader", { _ = try HDF5SampleReader(path: path, inputs: "/train/x", targets: "/train/y") }),
      ("BPKitFile.openHDF5", { _ = try BPKitFile.openHDF5(url) }),
    ]
  }

  @Test func theProbeIsFoundBesideTheTestRunner() {
    #expect(HDF5Probe.current != nil)
  }

  @Test func pathsThatAreNotRegularFilesAreRefusedBeforeAnyRead() throws {
    let fifo = folder.path("fifo")
    #expect(mkfifo(fifo, 0o600) == 0)
    let empty = folder.path("empty.h5")
    FileManager.default.createFile(atPath: empty, contents: Data())
    let cases: [(path: String, expected: OpeningError)] = [
      (fifo, .notRegularFile(file: fifo, kind: "a FIFO")),
      ("/dev/zero", .notRegularFile(file: "/dev/zero", kind: "a character device")),
      (folder.url.path, .notRegularFile(file: folder.url.path, kind: "a directory")),
      (empty, .empty(file: empty)),
      // procfs reports a size of 0: refused without reading the environment.
      ("/proc/self/environ", .empty(file: "/proc/self/environ")),
      (folder.path("missing.h5"), .notFound(file: folder.path("missing.h5"))),
    ]
    for (path, expected) in cases {
      for reader in Self.readers(path) {
        expectReason(expected, "\(reader.name) on \(path)") { try reader.read() }
      }
    }
  }

  /// The three byte-flip crashers with a correct whole-file checksum: the
  /// checksum proves a file intact, not benign, so sealed files are probed too.
  @Test(arguments: [
    ("sealed-segv-byte-1063-xor-d8.h5", false), ("sealed-segv-byte-2110-xor-af.h5", false),
    ("sealed-segv-fuzz-global-heap-read.h5", false),
  ])
  func sealedLibraryCrashersAreContained(name: String, loops: Bool) throws {
    let path = Fixtures.path("fuzz-corpus/libhdf5-crashers/\(name)")
    #expect(try BPKitFile.verifyChecksum(of: URL(fileURLWithPath: path)))
    #expect {
      try BPKitFile.open(URL(fileURLWithPath: path))
    } throws: { error in
      switch reason(of: error) as? OpeningError {
      case .libraryCrashed(path, _): !loops
      case .libraryHung(path, _): loops
      default: false
      }
    }
  }

  /// The fuzzer's attribute-message input, as found and re-sealed: its
  /// `format_version` message declares a dataspace of 8,968 bytes in 72, so
  /// libhdf5 1.10 would copy that attribute's data from past the object
  /// header's buffer (a heap-buffer-overflow under AddressSanitizer, and an
  /// outcome that depended on the heap without it). The probe checks
  /// attribute messages on the file's bytes before libhdf5 decodes them, so
  /// every reader refuses the file for that reason, from a path and from memory.
  @Test func anAttributeMessageOverrunningItsSizeIsRefusedBeforeLibhdf5DecodesIt() throws {
    let found = Fixtures.path("fuzz-corpus/libhdf5-crashers/segv-fuzz-attribute-message.h5")
    let sealed = folder.path("sealed-attribute-message.h5")
    try FileManager.default.copyItem(atPath: found, toPath: sealed)
    try FileSeal.reseal(sealed)
    #expect(try BPKitFile.verifyChecksum(of: URL(fileURLWithPath: sealed)))
    for path in [found, sealed] {
      for reader in Self.readers(path) {
        expectReason(OpeningError.damagedAttributeMessage(file: path), "\(reader.name) on \(path)") {
          try reader.read()
        }
      }
    }
    let probe = try #require(HDF5Probe.current)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: found))
    expectReason(OpeningError.damagedAttributeMessage(file: "in memory")) {
      try bytes.withUnsafeBytes { try probe.check(image: $0, name: "in memory") }
    }
  }

  @Test func aHardLinkCycleIsRefusedByTheWalk() throws {
    let path = Fixtures.path("hostile/model-link-cycle.h5")
    #expect(try BPKitFile.verifyChecksum(of: URL(fileURLWithPath: path)))
    expectReason(
      FormatError.refused(file: path, path: "/weights/dense_1/loop", reason: .repeatedObject)
    ) { try Model(contentsOf: URL(fileURLWithPath: path)) }
  }

  /// Sealed checkpoints whose `note_text` declares more strings than the
  /// file holds: a billion never written (bpkit 0.1 tried 8 GB and aborted),
  /// and 2^22 compressed references to one string, within the allowance of
  /// compressed numbers but not of strings. Both are refused by the walk,
  /// before a string is read.
  @Test(arguments: [
    ("checkpoint-note-text-bomb.h5", 16_000_000_000), ("checkpoint-note-text-shared.h5", 1 << 26),
  ])
  func stringCountsBeyondTheFileAreRefusedBeforeReading(name: String, declaredBytes: Int) throws {
    let path = Fixtures.path("hostile/\(name)")
    #expect(try BPKitFile.verifyChecksum(of: URL(fileURLWithPath: path)))
    let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
    expectReason(
      FormatError.refused(
        file: path, path: "/history/note_text",
        reason: .declaredSizeTooLarge(declaredBytes: declaredBytes, fileBytes: size))
    ) { try Checkpoint(contentsOf: URL(fileURLWithPath: path)) }
  }

  /// A sealed checkpoint whose compressed order declares 2 GiB in a 2 MB
  /// file, each chunk within deflate's ratio and `/data@sample_count` in
  /// agreement: the file's expansion budget refuses it before any read.
  @Test func compressedDataBeyondTheFilesBudgetIsRefusedBeforeReading() throws {
    let path = Fixtures.path("hostile/checkpoint-order-bomb.h5")
    #expect(try BPKitFile.verifyChecksum(of: URL(fileURLWithPath: path)))
    let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
    #expect {
      try Checkpoint(contentsOf: URL(fileURLWithPath: path))
    } throws: { error in
      guard
        case .refused(path, "/progress/order", .expandsTooFar(let expanded, let budget, size)) = reason(of: error)
          as? FormatError
      else { return false }
      return budget == max(64 << 20, 32 * size) && expanded > budget && expanded <= 8 << 28
    }
  }

  /// Keras files go through the same policy as bpkit's own: weights and
  /// optimizer slots whose data lives in another file are refused.
  @Test(arguments: [
    ("keras-external-kernel.h5", "/model_weights/hidden/sequential/hidden/kernel", "external"),
    ("keras-external-slot.h5", "/optimizer_weights/sgd/sequential_hidden_kernel_momentum", "external"),
    ("keras-virtual-kernel.h5", "/model_weights/hidden/sequential/hidden/kernel", "virtual"),
  ])
  func kerasWeightsStoredElsewhereAreRefused(name: String, object: String, storage: String) throws {
    let path = Fixtures.path("hostile/\(name)")
    let reason: FormatError.Refusal = storage == "virtual" ? .virtualDataset : .externalStorage(files: 1)
    for reader in Self.readers(path).filter({ $0.name == "BPKitFile.open" || $0.name.hasPrefix("Keras") }) {
      expectReason(FormatError.refused(file: path, path: object, reason: reason), "\(reader.name)") {
        try reader.read()
      }
    }
  }

  @Test func aKerasArchiveWhoseWeightsLiveElsewhereIsRefused() throws {
    let path = Fixtures.path("hostile/keras-external-kernel.keras")
    #expect {
      try KerasModel(contentsOfFile: path)
    } throws: { error in
      guard case .refusedMember(path, "model.weights.h5", let detail) = reason(of: error) as? KerasError else {
        return false
      }
      return detail.contains("external file") && !detail.contains("/tmp/")
    }
  }

  @Test func kerasArchivesWithTwoMembersOfOneNameAreRefused() throws {
    let path = Fixtures.path("hostile/keras-duplicate-config.keras")
    #expect {
      try KerasModel(contentsOfFile: path)
    } throws: { error in
      guard case .invalidConfiguration(path, let detail) = reason(of: error) as? KerasError else { return false }
      return detail.contains("more than one member named 'config.json'")
    }
  }

  @Test func anInflatingKerasConfigurationIsStoppedAtItsCap() throws {
    let path = Fixtures.path("hostile/keras-config-bomb.keras")
    #expect {
      try KerasModel(contentsOfFile: path)
    } throws: { error in
      guard case .tooLarge(path, "config.json", _, 16 << 20) = reason(of: error) as? OpeningError else { return false }
      return true
    }
  }

  @Test func aKerasShapeBombIsRefusedBeforeAnyAllocation() throws {
    let path = Fixtures.path("hostile/keras-shape-bomb.h5")
    #expect {
      try KerasModel(contentsOfFile: path)
    } throws: { error in
      guard
        case .refused(path, "/model_weights/hidden/sequential/hidden/kernel", .declaredSizeTooLarge) =
          reason(of: error) as? FormatError
      else { return false }
      return true
    }
  }

  @Test func nonFiniteKerasWeightsAreRefused() throws {
    let path = Fixtures.path("hostile/keras-nan-kernel.h5")
    #expect {
      try KerasModel(contentsOfFile: path)
    } throws: { error in
      guard
        case .invalidValue(path, "/model_weights/hidden/sequential/hidden/kernel", let reason) =
          reason(of: error) as? FormatError
      else { return false }
      return reason.contains("nan")
    }
  }

  @Test func aProbeThatCannotRunRefusesTheFile() throws {
    let probe = HDF5Probe(executable: URL(fileURLWithPath: folder.path("no-such-probe")))
    let path = Fixtures.path("datasets/digits.h5")
    #expect {
      try probe.check(path)
    } throws: { error in
      guard case .probeUnavailable(path, _) = reason(of: error) as? OpeningError else { return false }
      return true
    }
  }

  /// A descriptor's path (`/proc/self/fd/N`, what a shell's `3<FILE`
  /// gives) means something only in this process: the probe gets the
  /// file's own name. One whose file was deleted has no name left for
  /// libhdf5 and is refused as such.
  @Test func aFileReachedThroughItsDescriptorIsRead() throws {
    let path = folder.path("model.h5")
    try FileManager.default.copyItem(atPath: Fixtures.path("fuzz-corpus/model/xor.model.h5"), toPath: path)
    let descriptor = open(path, O_RDONLY)
    try #require(descriptor >= 0)
    defer { close(descriptor) }
    let throughDescriptor = URL(fileURLWithPath: "/proc/self/fd/\(descriptor)")
    #expect(try Model(contentsOf: throughDescriptor) == Model(contentsOf: URL(fileURLWithPath: path)))
    let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
    #expect(try FileSummary(contentsOf: throughDescriptor).fileSize == Int64(size))
    #expect(unlink(path) == 0)
    expectReason(OpeningError.deleted(file: throughDescriptor.path)) { try Model(contentsOf: throughDescriptor) }
  }

  /// The probe's limit counts its processor time: one that waits (as on a
  /// loaded machine, where it waits its turn) past the limit is not taken
  /// for a loop, while one that computes past it is.
  @Test func theProbesTimeLimitCountsProcessorTimeNotWaiting() throws {
    let path = Fixtures.path("datasets/digits.h5")
    var waiting = HDF5Probe(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "sleep 3", "probe"])
    waiting.timeout = 1
    try waiting.check(path)
    var spinning = HDF5Probe(
      executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "while :; do :; done", "probe"])
    spinning.timeout = 1
    expectReason(OpeningError.libraryHung(file: path, seconds: 1)) { try spinning.check(path) }
  }

  @Test func trustedFilesSkipOnlyTheProbe() throws {
    let path = Fixtures.path("hostile/model-link-cycle.h5")
    expectReason(
      FormatError.refused(file: path, path: "/weights/dense_1/loop", reason: .repeatedObject)
    ) { try Model(contentsOf: URL(fileURLWithPath: path), trust: .trusted) }
  }
}
