import Foundation
import Testing
import _BPKitTestSupport

@testable import HDF5

@Suite struct LinkTests {
  @Test func createsInspectsAndRemovesLinks() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("links.h5")
    let file = try HDF5File.create(atPath: path)
    let root = try file.root
    try root.createGroup("a").write([Float(1)], shape: [1], to: "x")
    try root.createSoftLink("soft", to: "/a/x")
    try root.createExternalLink("external", toFile: "other.h5", objectPath: "/y")
    #expect(try root.kindOfChild("soft") == .softLink)
    #expect(try root.kindOfChild("external") == .externalLink)
    #expect(try root.softLinkTarget("soft") == "/a/x")
    #expect(throws: HDF5Error.self) { try root.softLinkTarget("a") }
    try root.removeChild("soft")
    #expect(try !root.contains("soft"))
    #expect {
      try root.removeChild("soft")
    } throws: { ($0 as? HDF5Error)?.kind == .objectNotFound }
  }
}

@Suite struct PluginTests {
  @Test func pluginLoadingCanBeTurnedOffAndOn() throws {
    let before = try HDF5Plugins.isLoadingEnabled()
    try HDF5Plugins.setLoadingEnabled(false)
    #expect(try HDF5Plugins.isLoadingEnabled() == false)
    try HDF5Plugins.setLoadingEnabled(true)
    #expect(try HDF5Plugins.isLoadingEnabled() == true)
    try HDF5Plugins.setLoadingEnabled(before)
  }
}
