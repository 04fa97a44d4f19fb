import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Files built in memory (`HDF5File+Image.swift`): the same bytes libhdf5
/// writes to disk, with the user block left to the caller.
@Suite struct FileImageTests {
  /// Groups, datasets of several sizes (the last grows the image past its
  /// first allocation) and attributes, as a bpkit file has them.
  func fill(_ file: HDF5File) throws {
    let root = try file.root
    try root.setAttribute("kind", to: "model")
    let layer = try root.createGroup("layer")
    for (index, count) in [1, 7, 300, 40_000].enumerated() {
      let dataset = try layer.write((0..<count).map { Float($0) / 3 }, shape: [count], to: "w\(index)")
      try dataset.setAttribute("crc32", to: UInt32(count))
    }
    try root.writeStrings(["a", "bc", ""], to: "names")
  }

  @Test(arguments: [0, 512, 4096]) func imagesHoldTheBytesLibHDF5WritesToDisk(userBlock: Int) throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("disk.h5")
    let onDisk = try HDF5File.create(atPath: path, userBlockSize: userBlock)
    try fill(onDisk)
    try onDisk.close()

    let inMemory = try HDF5File.createImage(named: "memory.h5", userBlockSize: userBlock, expectedBytes: 4096)
    try fill(inMemory)
    let image = try inMemory.closeReturningImage()

    #expect(image == Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    #expect(image.prefix(userBlock).allSatisfy { $0 == 0 })
    #expect(Array(image[userBlock..<(userBlock + 8)]) == HDF5Signature.bytes)
  }

  @Test func imagesOpenAndReadBack() throws {
    let file = try HDF5File.createImage(named: "memory.h5")
    try fill(file)
    let image = try file.closeReturningImage()
    let reopened = try image.withUnsafeBytes { try HDF5File(image: $0, name: "reopened.h5") }
    let values: [Float] = try reopened.root.openGroup("layer").openDataset("w2").read()
    #expect(values == (0..<300).map { Float($0) / 3 })
    #expect(try reopened.root.openDataset("names").readStrings() == ["a", "bc", ""])
  }

  @Test func errorsNameTheImage() throws {
    let file = try HDF5File.createImage(named: "destination.h5")
    let error = #expect(throws: HDF5Error.self) { try file.root.write([Float(1)], shape: [2], to: "x") }
    #expect(error?.file == "destination.h5")
    _ = try file.closeReturningImage()
    let closed = #expect(throws: HDF5Error.self) { try file.closeReturningImage() }
    #expect(closed?.file == "destination.h5")
  }
}
