import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// A file with 50,000 empty groups: the structural walk visits each object
/// once, keeping what it has seen in a set, so the work grows with the
/// number of objects, not its square (bpkit 0.1 took 36 s on such a file).
@Suite struct ManyGroupsTests {
  @Test func aModelFileWith50000EmptyGroupsIsWalkedAndLoaded() throws {
    let folder = try TemporaryDirectory()
    let url = folder.url.appendingPathComponent("model.h5")
    let model = try FormatSamples.model(FormatSamples.denseNetwork())
    try model.write(to: url)
    let file = try HDF5File(openingAtPath: url.path, mode: .readWrite)
    let extra = try file.root.createGroup("extra")
    for index in 0..<50_000 { _ = try extra.createGroup("g\(index)") }
    try file.close()
    try FileSeal.reseal(url.path)
    // Trusted: the walk in this process, not the probe's in a child, which
    // the reliability suite runs on every way in.
    #expect(try Model(contentsOf: url, trust: .trusted) == model)
  }
}
