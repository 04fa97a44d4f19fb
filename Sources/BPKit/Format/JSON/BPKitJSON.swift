import Foundation

/// bpkit JSON: models and checkpoints as JSON documents described by a
/// published JSON Schema (draft 2020-12), for tools that do not read HDF5.
///
/// A document converts losslessly to and from bpkit's HDF5 files: weights are
/// written either as numbers in their shortest round-trip decimal form or, for
/// large models, as base64 of their little-endian bytes. Reading checks every
/// rule of the schema and reports the first violation with the JSONPath of
/// the offending value (`$.layers[2].units: expected an integer >= 1`).
///
/// Read documents with ``BPKitFile/open(_:trust:network:)`` and write them
/// with ``BPKitFile/write(to:format:options:)`` and ``FileFormat/json``.
public enum BPKitJSON {
  /// The format version the documents carry in `format_version`, shared with bpkit's HDF5 files.
  public static let formatVersion = 1

  /// The two kinds of document.
  public enum DocumentKind: String, Sendable, CaseIterable {
    /// A network description and its weights.
    case model = "bpkit-model"
    /// A model plus the complete state of its training run.
    case checkpoint = "bpkit-checkpoint"

    /// The schema's `$id`, also written as the document's `$schema`.
    public var schemaID: String {
      "https://bpkit.dev/schemas/format-\(BPKitJSON.formatVersion)/\(rawValue).schema.json"
    }

    /// The JSON Schema that describes this kind of document.
    public var schema: String {
      switch self {
      case .model: JSONSchemaText.model
      case .checkpoint: JSONSchemaText.checkpoint
      }
    }

    /// The word used in messages: "model" or "checkpoint".
    var noun: String { self == .model ? "model" : "checkpoint" }
  }

  /// How tensors are written.
  public enum WeightEncoding: String, Sendable, CaseIterable {
    /// Each value as a JSON number, in the shortest decimal that reads back
    /// as the same 32-bit float. Tensors that hold NaN or an infinity, which
    /// JSON numbers cannot express, are written in base64 instead.
    case numbers
    /// The tensor's little-endian bytes as one base64 string: compact and fast.
    case base64
  }

  /// A document read from JSON: a model or a checkpoint.
  package enum Document: Sendable {
    /// A `bpkit-model` document.
    case model(Model)
    /// A `bpkit-checkpoint` document.
    case checkpoint(Checkpoint)
  }

  /// Reads a model or checkpoint document.
  ///
  /// - Throws: ``BPKitJSONError`` with the line and column of a syntax
  ///   error, or the JSONPath of a schema violation.
  package static func read(_ data: Data) throws(BPKitJSONError) -> Document {
    try decodeDocument(data, expecting: nil)
  }

  /// Reads a model or checkpoint document from a file, without loading the
  /// file into memory first (it is mapped).
  package static func read(contentsOfFile path: String) throws(BPKitJSONError) -> Document {
    try decodeDocument(contentsOfFile: path, expecting: nil)
  }

  /// Reads a model or checkpoint document from a file, with the
  /// `format_version` it declares (at most ``formatVersion``).
  static func readWithVersion(contentsOfFile path: String) throws(BPKitJSONError) -> (Document, version: Int) {
    try decodeDocumentAndVersion(contentsOfFile: path, expecting: nil)
  }

  /// Whether the file looks like JSON: its first non-blank byte is `{`.
  /// Reads at most a few kilobytes.
  public static func looksLikeJSON(atPath path: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let head = (try? handle.read(upToCount: 4096)) ?? Data()
    return head.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) == UInt8(ascii: "{")
  }

  // MARK: Internals

  static func withBytes<R>(
    _ data: Data, _ body: (UnsafeRawBufferPointer) throws(BPKitJSONError) -> R
  ) throws(BPKitJSONError) -> R {
    try rethrowing(BPKitJSONError.self) { try data.withUnsafeBytes { try body($0) } }
  }

  /// Parses a document held in memory; `expected` nil accepts either kind.
  static func decodeDocument(_ data: Data, expecting expected: DocumentKind?) throws(BPKitJSONError) -> Document {
    try withBytes(data) { (bytes) throws(BPKitJSONError) in try decodeDocument(bytes, expecting: expected) }
  }

  /// Parses a document in a file, mapped rather than loaded, naming the file in errors.
  static func decodeDocument(contentsOfFile path: String, expecting expected: DocumentKind?) throws(BPKitJSONError)
    -> Document
  {
    try decodeDocumentAndVersion(contentsOfFile: path, expecting: expected).0
  }

  /// Parses a document in a file, mapped, and returns it with its `format_version`.
  static func decodeDocumentAndVersion(contentsOfFile path: String, expecting expected: DocumentKind?)
    throws(BPKitJSONError) -> (Document, version: Int)
  {
    try rethrowing(BPKitJSONError.self) {
      try JSONFile.withMappedContents(of: path) { bytes in
        do throws(BPKitJSONError) {
          return try decodeDocumentAndVersion(bytes, expecting: expected, mapped: true)
        } catch {
          throw error.located(in: path)
        }
      }
    }
  }

  /// The bytes `write` produces, collected in memory.
  static func encodedData(_ write: (JSONWriter) throws(BPKitJSONError) -> Void) throws(BPKitJSONError) -> Data {
    let output = JSONOutput(file: nil, path: "")
    try write(JSONWriter(output: output))
    try output.flush()
    return Data(output.collected)
  }

  static let commonMembers: Set<String> = ["$schema", "kind", "format_version", "bpkit_version"]

  /// Parses a document and checks its kind and version.
  static func decodeDocument(
    _ bytes: UnsafeRawBufferPointer, expecting expected: DocumentKind?, mapped: Bool = false
  ) throws(BPKitJSONError) -> Document {
    try decodeDocumentAndVersion(bytes, expecting: expected, mapped: mapped).0
  }

  /// Parses a document and checks its kind and version, which it returns too.
  static func decodeDocumentAndVersion(
    _ bytes: UnsafeRawBufferPointer, expecting expected: DocumentKind?, mapped: Bool
  ) throws(BPKitJSONError) -> (Document, version: Int) {
    let (root, kind, version) = try documentHeader(bytes, expecting: expected, mapped: mapped)
    return (try decodeBody(root, kind: kind), version)
  }

  /// Parses a document and checks its kind and version: everything before its body.
  static func documentHeader(
    _ bytes: UnsafeRawBufferPointer, expecting expected: DocumentKind?, mapped: Bool
  ) throws(BPKitJSONError) -> (root: JSONCursor, kind: DocumentKind, version: Int) {
    let root = JSONCursor(value: try JSONParser.parse(bytes, mapped: mapped), path: .root, bytes: bytes, mapped: mapped)
    guard case .object(let members) = root.value else {
      throw root.violation("expected an object (a bpkit model or checkpoint document), found \(root.value.typeName)")
    }
    let object = JSONObjectCursor(members: members, path: .root, bytes: bytes, mapped: mapped)
    let kindCursor = try object.required("kind")
    let kind = DocumentKind(rawValue: try kindCursor.string(oneOf: DocumentKind.allCases.map(\.rawValue)))!
    if let expected, expected != kind {
      throw .wrongDocumentKind(file: nil, expected: expected.noun, actual: kind.noun)
    }
    let versionCursor = try object.required("format_version")
    let version = try versionCursor.integer(in: 1...Int.max)
    guard version <= formatVersion else {
      throw versionCursor.violation(
        "this document has format version \(version), written by a newer bpkit; this bpkit reads version "
          + "\(formatVersion) and older: upgrade bpkit")
    }
    if let schema = object.optional("$schema") { _ = try schema.string() }
    if let written = object.optional("bpkit_version") { _ = try written.string() }
    return (root, kind, version)
  }

  /// Reads the body of a document of `kind`, checked with the HDF5 reader's value domains.
  static func decodeBody(_ root: JSONCursor, kind: DocumentKind) throws(BPKitJSONError) -> Document {
    // The same value domains as the HDF5 reader's (ValueDomain).
    func checked(_ body: () throws(ValueDomain.Violation) -> Void) throws(BPKitJSONError) {
      do throws(ValueDomain.Violation) { try body() } catch { throw error.jsonError }
    }
    switch kind {
    case .model:
      let model = try ModelJSON.read(root)
      try checked { () throws(ValueDomain.Violation) in try ValueDomain.check(model) }
      return .model(model)
    case .checkpoint:
      let checkpoint = try CheckpointJSON.read(root)
      try checked { () throws(ValueDomain.Violation) in
        try ValueDomain.check(checkpoint.model)
        try ValueDomain.check(checkpoint)
      }
      return .checkpoint(checkpoint)
    }
  }

  /// Writes the members every document starts with.
  static func writeHeader(_ kind: DocumentKind, bpkitVersion: String, to writer: JSONWriter) throws(BPKitJSONError) {
    try writer.key("$schema")
    try writer.string(kind.schemaID)
    try writer.key("kind")
    try writer.string(kind.rawValue)
    try writer.key("format_version")
    try writer.integer(formatVersion)
    try writer.key("bpkit_version")
    try writer.string(bpkitVersion)
  }
}
