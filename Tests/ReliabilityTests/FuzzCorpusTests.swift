import Foundation
import Testing
import _BPKitTestSupport

/// The committed fuzz corpus (Fixtures/fuzz-corpus), replayed through every
/// fuzz target by the normally built `bpkit-fuzz`: the inputs that once
/// found bugs stay found. `make fuzz` runs libFuzzer from the same corpus.
@Suite struct FuzzCorpusTests {
  static let harness = (BPKitBinary.path as NSString).deletingLastPathComponent + "/bpkit-fuzz"

  @Test(arguments: ["model", "json", "csv"])
  func corpusReplaysWithoutACrash(target: String) throws {
    let corpus = Fixtures.path("fuzz-corpus/\(target)")
    let count = try FileManager.default.contentsOfDirectory(atPath: corpus).count
    let result = try GuardedProcess.run(Self.harness, [target, corpus], timeout: 120)
    #expect(result.status == 0, "\(result.ending): \(result.error.suffix(2000))")
    #expect(result.output.contains("\(count) inputs replayed"))
    ReliabilityReport.record("fuzz corpus, \(target): \(count) inputs replayed in-process, \(result.ending)")
  }
}
