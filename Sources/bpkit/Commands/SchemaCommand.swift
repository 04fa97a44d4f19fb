import ArgumentParser
import BPKit

/// `bpkit schema`: prints the published JSON Schema of bpkit's JSON documents.
struct SchemaCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schema",
    abstract: "Print the JSON Schema of bpkit's JSON model or checkpoint documents.",
    discussion: """
      The schemas (JSON Schema draft 2020-12) describe the documents that \
      `bpkit convert` writes and reads. Validate a document with any standard \
      validator, for example: bpkit schema model > model.schema.json && \
      check-jsonschema --schemafile model.schema.json model.json
      """
  )

  /// The document kinds, by the names used on the command line.
  enum Kind: String, ExpressibleByArgument, CaseIterable {
    case model, checkpoint

    var documentKind: BPKitJSON.DocumentKind { self == .model ? .model : .checkpoint }
  }

  @Argument(help: "Which schema: \(Kind.allCases.map(\.rawValue).joined(separator: " or ")).")
  var kind: Kind

  func run() throws {
    print(kind.documentKind.schema)
  }
}
