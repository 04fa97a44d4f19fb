import Testing

@testable import BPKit

@Suite struct JSONPathTests {
  @Test func writesNormalizedPaths() {
    #expect(JSONPath.root.description == "$")
    #expect(JSONPath.root.appending("layers").appending(2).appending("units").description == "$.layers[2].units")
    #expect(
      JSONPath.root.appending("weights").appending("dense 1").appending("it's").description
        == "$.weights['dense 1']['it\\'s']")
    #expect(JSONPath.root.appending("2x").description == "$['2x']")
  }
}
