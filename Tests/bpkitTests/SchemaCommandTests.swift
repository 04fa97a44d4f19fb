import Foundation
import Testing
import _BPKitTestSupport

@Suite struct SchemaCommandTests {
  @Test(arguments: ["model", "checkpoint"])
  func printsThePublishedSchema(kind: String) throws {
    let result = try BPKitBinary.run("schema", kind)
    #expect(result.status == 0)
    let published = try String(
      contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Schemas/bpkit-\(kind).schema.json"), encoding: .utf8)
    #expect(result.output == published)
  }

  @Test func refusesAnUnknownKindWithTheUsageCode() throws {
    let result = try BPKitBinary.run("schema", "dataset")
    // ArgumentParser reports usage errors with EX_USAGE (64); see MainCommandTests.
    #expect(result.status == 2)
    #expect(result.error.contains("model"))
  }
}
