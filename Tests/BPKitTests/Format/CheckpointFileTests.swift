import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@Suite struct CheckpointFileTests {
  @Test(arguments: [FormatSamples.denseNetwork(), FormatSamples.recurrentNetwork()])
  func roundTripsEveryFieldBitExactly(network: NetworkDescription) throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("run.ckpt.h5")
    let checkpoint = FormatSamples.checkpoint(try FormatSamples.model(network, special: true))
    try checkpoint.write(to: url)
    let loaded = try Checkpoint(contentsOf: url)
    #expect(FormatSamples.bits(loaded.model.parameters) == FormatSamples.bits(checkpoint.model.parameters))
    #expect(
      loaded.optimizer.slots.mapValues(FormatSamples.bits) == checkpoint.optimizer.slots.mapValues(FormatSamples.bits))
    #expect(loaded.optimizer == checkpoint.optimizer)
    #expect(loaded.configuration == checkpoint.configuration)
    #expect(loaded.progress == checkpoint.progress)
    #expect(loaded.data == checkpoint.data)
    #expect(loaded.validationData == checkpoint.validationData)
    #expect(loaded.bpkitVersion == checkpoint.bpkitVersion)
    #expect(loaded.createdAt == checkpoint.createdAt)
    #expect(loaded.model.network == checkpoint.model.network)
    guard case .checkpoint(let opened) = try BPKitFile.open(url) else {
      Issue.record("a checkpoint opened as something else")
      return
    }
    #expect(opened.progress == checkpoint.progress)
  }

  @Test func roundTripsEveryOptimizerAndOptionalField() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("run.h5")
    let model = try FormatSamples.model(FormatSamples.denseNetwork())
    for kind in OptimizerKind.allCases {
      var checkpoint = FormatSamples.checkpoint(model, epochs: 1)
      checkpoint.optimizer.configuration = OptimizerConfiguration(kind: kind)
      checkpoint.optimizer.slots = kind == .sgd ? [:] : ["previous_gradient": checkpoint.optimizer.slots["m"]!]
      checkpoint.configuration.bpttSteps = nil
      checkpoint.configuration.shuffle = false
      checkpoint.data = nil
      checkpoint.validationData = nil
      checkpoint.progress.order = []
      checkpoint.progress.history = []
      try checkpoint.write(to: url)
      let loaded = try Checkpoint(contentsOf: url)
      #expect(loaded == checkpoint)
    }
  }

  @Test func layoutIsTheDocumentedOne() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("run.h5")
    let checkpoint = FormatSamples.checkpoint(try FormatSamples.model(FormatSamples.denseNetwork()))
    try checkpoint.write(to: url)
    let root = try HDF5File(openingAtPath: url.path).root
    #expect(try root.stringAttribute("bpkit_kind") == "checkpoint")
    #expect(try root.stringAttribute("created_at") == "2026-11-18T11:06:40.125Z")
    #expect(
      try root.children() == [
        "data", "history", "network", "optimizer", "progress", "training", "validation_data", "weights",
      ])
    #expect(try root.openGroup("validation_data").stringAttribute("inputs") == "test/x")
    #expect(try !root.openGroup("data").hasAttribute("inputs"))
    #expect(try root.openGroup("optimizer").stringAttribute("kind") == "adam")
    #expect(try root.openGroup("optimizer").attribute("learning_rate", as: Double.self) == 0.0025)
    #expect(try root.openGroup("optimizer/slots").children() == ["m", "v"])
    #expect(try root.openDataset("optimizer/slots/m/dense_0/kernel").shape == [5, 7])
    #expect(try !root.contains("optimizer/slots/m/scale"))
    #expect(try root.openDataset("history/train_loss").read(as: Double.self).count == 3)
    let validation = try root.openDataset("history/validation_loss").read(as: Double.self)
    #expect(validation[1].isNaN && !validation[0].isNaN)
    #expect(try root.openDataset("history/note_text").readStrings() == ["learning rate changed to 0.0025", "résumé ✓"])
    #expect(try root.openDataset("progress/random_state").read(as: UInt64.self)[2] == .max)
    #expect(try root.openGroup("training").attribute("seed", as: UInt64.self) == 0xFFFF_FFFF_FFFF_FFF0)
    #expect(try root.openGroup("data").stringAttribute("sha256").count == 64)
  }

  @Test(arguments: [
    (-1.5, "1969-12-31T23:59:58.500Z"), (0, "1970-01-01T00:00:00.000Z"), (951_782_400.999, "2000-02-29T00:00:00.999Z"),
  ])
  func createdAtReadsAsISO8601InUTC(seconds: Double, text: String) throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("run.h5")
    var checkpoint = FormatSamples.checkpoint(try FormatSamples.model(FormatSamples.denseNetwork()))
    checkpoint.createdAt = Date(timeIntervalSince1970: seconds)
    try checkpoint.write(to: url)
    #expect(try HDF5File(openingAtPath: url.path).root.stringAttribute("created_at") == text)
    #expect(try Checkpoint(contentsOf: url).createdAt == checkpoint.createdAt)
  }

  @Test func aModelFileIsNotACheckpoint() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.h5")
    try FormatSamples.model(FormatSamples.denseNetwork()).write(to: url)
    expectReason(FormatError.wrongKind(file: url.path, expected: "checkpoint", found: "model")) {
      try Checkpoint(contentsOf: url)
    }
  }

  @Test func aCheckpointsModelLoadsAsAModel() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("run.h5")
    let checkpoint = FormatSamples.checkpoint(try FormatSamples.model(FormatSamples.recurrentNetwork()))
    try checkpoint.write(to: url)
    #expect(try Model(contentsOf: url) == checkpoint.model)
  }

  @Test func slotsForUnknownWeightsAreRefusedBeforeWriting() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("run.h5")
    var checkpoint = FormatSamples.checkpoint(try FormatSamples.model(FormatSamples.denseNetwork()))
    checkpoint.optimizer.slots["m"]![ParameterKey(layer: "ghost", name: "kernel")] = .zeros([1])
    expectReason(FormatError.self) { try checkpoint.write(to: url) }
    #expect(!FileManager.default.fileExists(atPath: url.path))
  }
}

/// Altered checkpoints: each checkpoint-only part gives its own clear error.
@Suite struct CheckpointReaderTests {
  let folder: TemporaryDirectory
  let url: URL

  init() throws {
    folder = try TemporaryDirectory()
    url = folder.url.appendingPathComponent("run.ckpt.h5")
    try FormatSamples.checkpoint(try FormatSamples.model(FormatSamples.denseNetwork())).write(to: url)
  }

  /// Changes the file through libhdf5 and re-seals its whole-file checksum,
  /// as a file crafted outside bpkit would be, so that the checks after the
  /// checksum are the ones tested.
  func alter(_ body: (HDF5Group) throws -> Void) throws {
    let file = try HDF5File(openingAtPath: url.path, mode: .readWrite)
    try body(try file.root)
    try file.close()
    try FileSeal.reseal(url.path)
  }

  @Test func anUnknownOptimizerIsNamed() throws {
    try alter { try $0.openGroup("optimizer").setAttribute("kind", to: "lbfgs") }
    #expect {
      try Checkpoint(contentsOf: url)
    } throws: { error in
      guard case .invalidValue(url.path, "/optimizer@kind", let reason) = reason(of: error) as? FormatError else {
        return false
      }
      return reason.hasPrefix("unknown optimizer 'lbfgs'")
    }
  }

  @Test func aSlotOfTheWrongShapeIsNamed() throws {
    try alter { root in
      let layer = try root.openGroup("optimizer/slots/v/dense_1")
      try layer.removeChild("bias")
      let values = [Float](repeating: 0, count: 5)
      try layer.write(values, shape: [5], to: "bias").setAttribute(
        "crc32", to: values.withUnsafeBytes { CRC32.checksum($0) })
    }
    expectReason(
      FormatError.shapeMismatch(
        file: url.path, path: "/optimizer/slots/v/dense_1/bias", expected: [6], found: [5])
    ) { try Checkpoint(contentsOf: url) }
  }

  @Test func aMissingProgressAttributeIsNamed() throws {
    try alter { try $0.openGroup("progress").removeAttribute("cursor") }
    expectReason(FormatError.missingAttribute(file: url.path, path: "/progress", name: "cursor")) {
      try Checkpoint(contentsOf: url)
    }
  }

  @Test func anAttributeOfTheWrongTypeIsNamed() throws {
    try alter { try $0.openGroup("training").setAttribute("batch_size", to: 4.0) }
    expectReason(
      FormatError.wrongElementType(
        file: url.path, path: "/training@batch_size", expected: "one int64 value")
    ) { try Checkpoint(contentsOf: url) }
  }

  @Test func aDamagedOrderIsFound() throws {
    try alter { try $0.openDataset("progress/order").write([Int64](repeating: 0, count: 50)) }
    #expect {
      try Checkpoint(contentsOf: url)
    } throws: { error in
      guard case .checksumMismatch(url.path, "/progress/order", _, _) = reason(of: error) as? FormatError else {
        return false
      }
      return true
    }
  }

  /// The order holds one entry per training sample: a longer one is refused
  /// by its declared shape, before it is read.
  @Test func anOrderLongerThanTheSampleCountIsRefusedBeforeReading() throws {
    try alter { root in
      let progress = try root.openGroup("progress")
      try progress.removeChild("order")
      let order = [Int64](0..<51)
      try progress.write(order, shape: [51], to: "order").setAttribute(
        "crc32", to: order.withUnsafeBytes { CRC32.checksum($0) })
    }
    expectReason(
      FormatError.shapeMismatch(file: url.path, path: "/progress/order", expected: [50], found: [51])
    ) { try Checkpoint(contentsOf: url) }
  }

  /// JSON follows the same rule (the HDF5 reader refuses the shape earlier).
  @Test func anOrderThatDisagreesWithTheSampleCountIsRefusedInJSON() throws {
    var checkpoint = try Checkpoint(contentsOf: url)
    checkpoint.data?.sampleCount = 60
    let json = folder.url.appendingPathComponent("run.json")
    _ = try BPKitFile.checkpoint(checkpoint).write(to: json, format: .json)
    #expect {
      try BPKitFile.open(json)
    } throws: { error in
      "\(error)".contains("$.progress.order") && "\(error)".contains("the training data has 60 samples")
    }
  }

  /// A checkpoint dated NaN, infinity or beyond 3,000 years has no RFC 3339
  /// text: both writers refuse it before writing (it crashed the HDF5 writer).
  @Test(arguments: [Double.nan, .infinity, 1e19])
  func aDateNoTextCanHoldIsRefusedByBothWriters(seconds: Double) throws {
    var checkpoint = try Checkpoint(contentsOf: url)
    checkpoint.createdAt = Date(timeIntervalSince1970: seconds)
    for format in [FileFormat.hdf5, .json] {
      let destination = folder.url.appendingPathComponent("dated.\(format.rawValue)")
      #expect {
        _ = try BPKitFile.checkpoint(checkpoint).write(to: destination, format: format)
      } throws: { error in
        "\(error)".contains(format == .hdf5 ? "/@created_at_unix" : "$.created_at")
      }
      #expect(!FileManager.default.fileExists(atPath: destination.path))
    }
  }
}
