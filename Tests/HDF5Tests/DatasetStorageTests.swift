import Foundation
import Testing
import _BPKitTestSupport

@testable import HDF5

@Suite struct DatasetStorageTests {
  @Test func describesLayoutFiltersAndOffsets() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("storage.h5")
    let file = try HDF5File.create(atPath: path)
    let root = try file.root
    let values = (0..<1000).map(Float.init)
    try root.write(values, shape: [1000], to: "plain")
    try root.write(
      values, shape: [1000], to: "packed", options: .init(deflateLevel: 4, shuffle: true, fletcher32: true))
    _ = try root.createDataset("empty", of: Double.self, shape: [1 << 30])
    try file.close()

    let reopened = try HDF5File(openingAtPath: path).root
    let plain = try reopened.openDataset("plain").storage()
    #expect(plain.layout == .contiguous)
    #expect(plain.filters.isEmpty)
    #expect(plain.externalFileCount == 0)
    #expect(plain.allocatedBytes == 4000)
    let offset = try #require(plain.fileOffset)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))[offset..<(offset + 8)]
    #expect(Array(bytes) == [0, 0, 0, 0, 0, 0, 0x80, 0x3f])  // 0.0f, 1.0f little-endian

    let packed = try reopened.openDataset("packed").storage()
    #expect(packed.layout == .chunked)
    #expect(packed.filters.map(\.id) == [2, 1, 3])
    #expect(packed.fileOffset == nil)

    let empty = try reopened.openDataset("empty").storage()
    #expect(empty.allocatedBytes == 0)
    #expect(empty.fileOffset == nil)
  }

  /// `contiguousOffset` is `storage().fileOffset` where the data lies in one
  /// unfiltered block of the file, and `nil` for every other storage.
  @Test func contiguousOffsetIsTheStorageOffsetOrNil() throws {
    let folder = try TemporaryDirectory()
    let file = try HDF5File.create(atPath: folder.path("offsets.h5"))
    let root = try file.root
    let values = (0..<1000).map(Float.init)
    let plain = try root.write(values, shape: [1000], to: "plain")
    let packed = try root.write(values, shape: [1000], to: "packed", options: .init(deflateLevel: 4))
    let chunked = try root.write(values, shape: [1000], to: "chunked", options: .init(chunkShape: [100]))
    let empty = try root.createDataset("empty", of: Double.self, shape: [1 << 20])
    let outside = try root.createDataset(
      "outside", of: Int32.self, shape: [6], options: .init(externalFile: folder.path("raw.bin")))
    try outside.write([Int32](1...6))
    #expect(try plain.contiguousOffset == #require(plain.storage().fileOffset))
    for dataset in [packed, chunked, empty, outside] {
      #expect(dataset.contiguousOffset == nil, "\(dataset.path)")
      #expect(try dataset.storage().fileOffset == nil, "\(dataset.path)")
    }
  }

  /// A dataset describes itself when created as it does when opened again.
  @Test func createdDatasetsDescribeThemselvesAsOpenedOnes() throws {
    let folder = try TemporaryDirectory()
    let file = try HDF5File.create(atPath: folder.path("described.h5"))
    let root = try file.root
    let created = [
      try root.write([Int32](1...6), shape: [2, 3], to: "numbers"),
      try root.write([Double(1)], shape: [], to: "scalar"),
      try root.createDataset(
        "grows", of: Float.self, shape: [0, 4], maxShape: [nil, 4], options: .init(chunkShape: [16, 4])),
      try root.writeStrings(["a", "bc"], to: "strings"),
      try root.writeString("{}", to: "text"),
    ]
    for dataset in created {
      let opened = try root.openDataset(String(dataset.path.dropFirst()))
      #expect(dataset.shape == opened.shape, "\(dataset.path)")
      #expect(dataset.elementType == opened.elementType, "\(dataset.path)")
      #expect(dataset.holdsStrings == opened.holdsStrings, "\(dataset.path)")
    }
    let duplicate = #expect(throws: HDF5Error.self) { try root.write([Float(1)], shape: [1], to: "numbers") }
    #expect(duplicate?.kind == .alreadyExists)
    #expect(duplicate?.objectPath == "/numbers")
    let empty = #expect(throws: HDF5Error.self) { try root.writeString("x", to: "") }
    #expect(empty?.kind == .invalidArgument)
  }

  @Test func describesExternalAndVirtualStorage() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("links.h5")
    let file = try HDF5File.create(atPath: path)
    let root = try file.root
    try root.write([Int32](repeating: 3, count: 6), shape: [6], to: "source")
    let outside = try root.createDataset(
      "outside", of: Int32.self, shape: [6], options: .init(externalFile: folder.path("raw.bin")))
    try outside.write([Int32](1...6))
    try root.createVirtualDataset("virtual", of: Int32.self, shape: [6], sourceFile: ".", sourcePath: "/source")
    try file.close()

    let reopened = try HDF5File(openingAtPath: path).root
    #expect(try reopened.openDataset("outside").storage().externalFileCount == 1)
    #expect(try reopened.openDataset("outside").read(as: Int32.self) == [1, 2, 3, 4, 5, 6])
    #expect(try reopened.openDataset("virtual").storage().layout == .virtual)
    #expect(FileManager.default.fileExists(atPath: folder.path("raw.bin")))
    #expect(throws: HDF5Error.self) {
      try root.createDataset(
        "bad", of: Float.self, shape: [4], options: .init(deflateLevel: 1, externalFile: folder.path("x.bin")))
    }
  }
}
