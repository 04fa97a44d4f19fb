import Foundation
import HDF5
import Testing
import ZIPFoundation
import _BPKitTestSupport

@testable import BPKit

/// The weights of a `.keras` archive, extracted for libhdf5 into memory,
/// never to disk, and read as a file image there and in the probe.
@Suite struct KerasWeightsExtractionTests {
  let archivePath = Fixtures.path("keras/mlp_tanh_softmax.keras")

  @Test func theWeightsAreExtractedIntoMemoryAndOpenedAsAnImage() throws {
    let archive = try Archive(url: URL(fileURLWithPath: archivePath), accessMode: .read)
    let entry = try #require(archive["model.weights.h5"])
    var member = Data()
    _ = try archive.extract(entry) { member.append($0) }

    let image = try KerasWeightsExtraction.extract(entry, from: archive, file: archivePath)
    #expect(image == member)
    let file = try image.withUnsafeBytes { try HDF5File(image: $0, name: "model.weights.h5") }
    #expect(try file.root.contains("layers"))
  }

  @Test func theProbeParsesTheImageFromItsStandardInput() throws {
    let archive = try Archive(url: URL(fileURLWithPath: archivePath), accessMode: .read)
    let image = try KerasWeightsExtraction.extract(
      try #require(archive["model.weights.h5"]), from: archive, file: archivePath)
    let probe = try #require(HDF5Probe.current)
    try image.withUnsafeBytes { try probe.check(image: $0, name: "model.weights.h5") }
    // A truncated image fails in the probe, named as given; 4 MiB of it
    // (more than a socket buffer holds) arrives whole.
    let cut = image.prefix(image.count / 2) + Data(repeating: 0, count: 4 << 20)
    expectReason(OpeningError.libraryFailed(file: "cut")) {
      try cut.withUnsafeBytes { try probe.check(image: $0, name: "cut") }
    }
  }

  @Test func anArchiveIsReadWithTheProbeParsingItsWeights() throws {
    // The default trust: the probe, a child process, parses the weights first.
    let model = try KerasModel(contentsOfFile: archivePath)
    #expect(model.format == .archive)
    #expect(try KerasModel(contentsOfFile: archivePath, trust: .trusted).model == model.model)
  }
}
