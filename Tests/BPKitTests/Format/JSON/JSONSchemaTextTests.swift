import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

@Suite struct JSONSchemaTextTests {
  private func file(_ kind: BPKitJSON.DocumentKind) throws -> String {
    try String(
      contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Schemas/\(kind.rawValue).schema.json"),
      encoding: .utf8)
  }

  @Test(arguments: BPKitJSON.DocumentKind.allCases)
  func embeddedSchemaIsThePublishedFile(kind: BPKitJSON.DocumentKind) throws {
    // When this fails, run Scripts/embed-schemas.sh.
    #expect(kind.schema + "\n" == (try file(kind)))
  }

  @Test(arguments: BPKitJSON.DocumentKind.allCases)
  func idCarriesTheFormatVersion(kind: BPKitJSON.DocumentKind) throws {
    let schema = try JSONSerialization.jsonObject(with: Data(kind.schema.utf8)) as! [String: Any]
    #expect(schema["$id"] as? String == kind.schemaID)
    #expect(kind.schemaID.contains("format-\(BPKitJSON.formatVersion)/"))
  }

  /// Finds every property without a description, by its place in the schema.
  private func undocumented(_ node: Any, at path: String) -> [String] {
    var missing: [String] = []
    if let object = node as? [String: Any] {
      if let properties = object["properties"] as? [String: Any] {
        for (name, property) in properties {
          if (property as? [String: Any])?["description"] == nil { missing.append("\(path)/properties/\(name)") }
        }
      }
      for (key, value) in object { missing += undocumented(value, at: "\(path)/\(key)") }
    } else if let array = node as? [Any] {
      for (index, value) in array.enumerated() { missing += undocumented(value, at: "\(path)/\(index)") }
    }
    return missing
  }

  @Test(arguments: BPKitJSON.DocumentKind.allCases)
  func everyPropertyHasADescription(kind: BPKitJSON.DocumentKind) throws {
    let schema = try JSONSerialization.jsonObject(with: Data(kind.schema.utf8))
    #expect(undocumented(schema, at: "#") == [])
  }

  @Test func sharedDefinitionsAreIdentical() throws {
    let model = try JSONSerialization.jsonObject(with: Data(BPKitJSON.DocumentKind.model.schema.utf8)) as! [String: Any]
    let checkpoint =
      try JSONSerialization.jsonObject(with: Data(BPKitJSON.DocumentKind.checkpoint.schema.utf8)) as! [String: Any]
    let modelDefinitions = model["$defs"] as! [String: Any]
    let checkpointDefinitions = checkpoint["$defs"] as! [String: Any]
    for (name, definition) in modelDefinitions {
      let same = NSDictionary(dictionary: ["d": definition]).isEqual(to: ["d": checkpointDefinitions[name] as Any])
      #expect(same, "\(name)")
    }
  }

  @Test(arguments: ["model-numbers", "model-base64", "checkpoint"])
  func examplesAreReadable(name: String) throws {
    let path = Fixtures.repositoryRoot.appendingPathComponent("Schemas/examples/\(name).json").path
    _ = try BPKitJSON.read(contentsOfFile: path)
  }
}
