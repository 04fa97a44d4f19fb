import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Files from elsewhere: what bpkit refuses before reading any data.
@Suite struct FilePolicyTests {
  let folder: TemporaryDirectory
  let url: URL

  init() throws {
    folder = try TemporaryDirectory()
    url = folder.url.appendingPathComponent("model.h5")
    try FormatSamples.model(FormatSamples.denseNetwork()).write(to: url)
  }

  func alter(_ body: (HDF5Group) throws -> Void) throws {
    let file = try HDF5File(openingAtPath: url.path, mode: .readWrite)
    try body(try file.root)
    try file.close()
    // With a matching whole-file checksum, as a crafted file would have, so
    // that the checks after it are the ones tested.
    try FileSeal.reseal(url.path)
  }

  func expectRefusal(at path: String, _ matches: (FormatError.Refusal) -> Bool) {
    #expect {
      try Model(contentsOf: url)
    } throws: { error in
      guard case .refused(url.path, path, let reason) = reason(of: error) as? FormatError else { return false }
      return matches(reason)
    }
  }

  @Test func externalLinksAreRefused() throws {
    let other = folder.path("other.h5")
    try HDF5File.create(atPath: other).root.write([Float(1)], shape: [1], to: "x")
    try alter { try $0.openGroup("weights").createExternalLink("elsewhere", toFile: other, objectPath: "/x") }
    expectRefusal(at: "/weights/elsewhere") { if case .externalLink = $0 { true } else { false } }
  }

  @Test func softLinksAreRefused() throws {
    try alter { try $0.createSoftLink("shortcut", to: "/weights/dense_0") }
    expectRefusal(at: "/shortcut") { $0 == .softLink(target: "/weights/dense_0") }
  }

  @Test func externalStorageIsRefused() throws {
    let raw = folder.path("raw.bin")
    try alter { root in
      let dataset = try root.createDataset(
        "outside", of: Float.self, shape: [4], options: HDF5DatasetOptions(externalFile: raw))
      try dataset.write([Float](repeating: 2, count: 4))
    }
    expectRefusal(at: "/outside") { $0 == .externalStorage(files: 1) }
  }

  @Test func virtualDatasetsAreRefused() throws {
    try alter { root in
      try root.createVirtualDataset(
        "gathered", of: Float.self, shape: [7], sourceFile: ".", sourcePath: "/weights/dense_0/bias")
    }
    expectRefusal(at: "/gathered") { $0 == .virtualDataset }
  }

  @Test func shapeBombsAreRefusedBeforeAnyAllocation() throws {
    // 2^40 floats declared (4 TiB) in a file of a few kilobytes: creating the
    // dataset without writing it allocates nothing in the file.
    try alter { root in
      let layer = try root.openGroup("weights/dense_0")
      try layer.removeChild("bias")
      _ = try layer.createDataset("bias", of: Float.self, shape: [1 << 40])
    }
    let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int
    expectRefusal(at: "/weights/dense_0/bias") { $0 == .declaredSizeTooLarge(declaredBytes: 1 << 42, fileBytes: size) }
  }

  @Test func compressedDatasetsAreBoundedByTheBytesTheyHoldNotTheFileSize() throws {
    // 4 MB declared, compressed, with no chunk written: within 1,100 times
    // the file's size, but every byte would be a fill value made from nothing.
    try alter { root in
      _ = try root.createDataset(
        "fill", of: Float.self, shape: [1 << 20], options: HDF5DatasetOptions(chunkShape: [1024], deflateLevel: 6))
    }
    let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int
    #expect((1 << 22) < size * 1100)
    expectRefusal(at: "/fill") { $0 == .declaredSizeTooLarge(declaredBytes: 1 << 22, fileBytes: size) }
  }

  @Test func compressedDatasetsTogetherAreBoundedByTheFilesBudget() throws {
    // Two datasets of 40 MiB of zeros, every chunk written: each within
    // deflate's ratio of the bytes it holds, together beyond 64 MiB.
    try alter { root in
      for name in ["zeros_a", "zeros_b"] {
        try root.createDataset(
          name, of: Float.self, shape: [10 << 20], options: HDF5DatasetOptions(chunkShape: [1 << 20], deflateLevel: 9)
        ).write([Float](repeating: 0, count: 10 << 20))
      }
    }
    let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int
    #expect(size * 32 < 64 << 20)
    expectRefusal(at: "/zeros_b") { reason in
      guard case .expandsTooFar(let expanded, 64 << 20, size) = reason else { return false }
      return expanded > 64 << 20 && expanded < 80 << 20
    }
  }

  @Test func filterPluginsAreDisabledByLoading() throws {
    try HDF5Plugins.setLoadingEnabled(true)
    _ = try Model(contentsOf: url)
    #expect(try HDF5Plugins.isLoadingEnabled() == false)
  }
}
