import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@Suite struct DatasetHDF5Tests {
  @Test func readsTheBundledDigitsSplit() throws {
    let path = Fixtures.path("datasets/digits.h5")
    let train = try Dataset.readHDF5(path: path, inputs: "/train/x", targets: "/train/y")
    #expect(train.inputs.shape == [1437, 64])
    #expect(train.targets?.shape == [1437])
    #expect(try train.classLabels(classCount: 10).count == 1437)
    let csv = try Dataset.readCSV(path: Fixtures.path("datasets/digits_train.csv"), targetColumns: ["label"])
    #expect(csv.inputs == train.inputs)
    #expect(csv.targets == train.targets)
  }

  @Test func streamsRowBlocksThatMatchTheWholeRead() throws {
    let path = Fixtures.path("datasets/digits.h5")
    let whole = try Dataset.readHDF5(path: path, inputs: "/test/x", targets: "/test/y")
    let reader = try HDF5SampleReader(path: path, inputs: "/test/x", targets: "/test/y")
    #expect(reader.sampleCount == 360)
    #expect(reader.sampleShape == [64])
    let block = try reader.read(rows: 100..<164)
    #expect(block == whole.subset(100..<164))
  }

  /// Read in order as inference reads it, the reader gives every row once,
  /// whatever rows training read from it in between.
  @Test func readsInOrderWhateverRowsWereReadBetween() throws {
    let path = Fixtures.path("datasets/digits.h5")
    let whole = try Dataset.readHDF5(path: path, inputs: "/test/x", targets: "/test/y")
    let reader = try HDF5SampleReader(path: path, inputs: "/test/x", targets: "/test/y")
    var inputs: [Float] = []
    var labels: [Float] = []
    while let batch = try reader.next(limit: 100) {
      inputs += batch.inputs
      labels += batch.labels ?? []
      _ = try reader.read(rows: 0..<10)
    }
    #expect(inputs == whole.inputs.scalars)
    #expect(labels == whole.targets?.scalars)
  }

  @Test func mismatchedCountsAndRanksAreErrors() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("bad.h5")
    do {
      let root = try HDF5File.create(atPath: path).root
      try root.write([Float](repeating: 0, count: 6), shape: [3, 2], to: "x")
      try root.write([Int64](repeating: 0, count: 2), shape: [2], to: "y")
      try root.write([Float](repeating: 0, count: 3), shape: [3], to: "flat")
      try root.writeString("text", to: "s")
    }
    expectReason(DataError.countMismatch(source: "\(path):/x", inputs: 3, targets: 2)) {
      try Dataset.readHDF5(path: path, inputs: "/x", targets: "/y")
    }
    expectReason(DataError.self) { try HDF5SampleReader(path: path, inputs: "/flat", targets: nil) }
    expectReason(DataError.unsupportedElementType(source: "\(path):/s", type: "string")) {
      try Dataset.readHDF5(path: path, inputs: "/s", targets: nil)
    }
    let missing = expectReason(HDF5Error.self) { try Dataset.readHDF5(path: path, inputs: "/train/x", targets: nil) }
    #expect(missing?.kind == .objectNotFound)
  }

  @Test func fingerprintIsTheSHA256OfTheBytes() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("abc.txt")
    try "abc".write(toFile: path, atomically: true, encoding: .utf8)
    let fingerprint = try DataFingerprint.of(fileAt: path, sampleCount: 1)
    #expect(fingerprint.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    expectReason(DataError.fileNotFound(path: folder.path("none"))) {
      try DataFingerprint.of(fileAt: folder.path("none"), sampleCount: 0)
    }
  }
}
