import Foundation
import HDF5
import Testing
import ZIPFoundation
import _BPKitTestSupport

@testable import BPKit

/// The weights of a `.keras` archive, extracted for libhdf5: a file whose
/// name is removed as soon as libhdf5 has it open, so that the reading that
/// follows cannot leave it behind, whatever ends the process.
@Suite struct KerasWeightsExtractionTests {
  let archivePath = Fixtures.path("keras/mlp_tanh_softmax.keras")

  @Test func theExtractedWeightsReadAsTheMemberAndLoseTheirNameOnceOpen() throws {
    let archive = try Archive(url: URL(fileURLWithPath: archivePath), accessMode: .read)
    let entry = try #require(archive["model.weights.h5"])
    var member = Data()
    _ = try archive.extract(entry) { member.append($0) }

    let extracted = try KerasWeightsExtraction.extract(entry, from: archive, file: archivePath)
    #expect(try Data(contentsOf: URL(fileURLWithPath: extracted.path)) == member)
    let file = try HDF5File(openingAtPath: extracted.path)
    extracted.removeName()
    #expect(!FileManager.default.fileExists(atPath: extracted.path))
    // libhdf5 reads on from the file it holds open.
    #expect(try file.root.contains("layers"))
  }

  @Test func anArchiveIsReadWithTheProbeParsingItsWeights() throws {
    // The default trust: the probe, a child process, parses the weights first.
    let model = try KerasModel(contentsOfFile: archivePath)
    #expect(model.format == .archive)
    #expect(try KerasModel(contentsOfFile: archivePath, trust: .trusted).model == model.model)
  }
}
