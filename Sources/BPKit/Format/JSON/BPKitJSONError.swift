import Foundation

/// A bpkit JSON document that cannot be read or written.
///
/// Every case names the file (when there is one) and the place in the
/// document, so that the message alone tells a user what to fix.
package enum BPKitJSONError: Error, Hashable, Sendable, CustomStringConvertible, LocalizedError {
  /// The bytes are not JSON (RFC 8259): the line and column (from 1) of the
  /// first offending character and what was expected there.
  case invalidSyntax(file: String?, line: Int, column: Int, detail: String)
  /// The document is JSON but breaks the bpkit schema: `path` is the JSONPath
  /// of the offending value (`$.layers[2].units`) and `detail` says what the
  /// schema expects there.
  case schemaViolation(file: String?, path: String, detail: String)
  /// The document is valid, but of another kind than the one asked for (a
  /// checkpoint where a model was expected, say).
  case wrongDocumentKind(file: String?, expected: String, actual: String)
  /// The file cannot be opened or read.
  case unreadable(file: String, reason: String)
  /// The file cannot be created or written.
  case unwritable(file: String, reason: String)

  /// The same error attributed to `file`.
  func located(in file: String) -> BPKitJSONError {
    switch self {
    case .invalidSyntax(nil, let line, let column, let detail):
      .invalidSyntax(file: file, line: line, column: column, detail: detail)
    case .schemaViolation(nil, let path, let detail): .schemaViolation(file: file, path: path, detail: detail)
    case .wrongDocumentKind(nil, let expected, let actual):
      .wrongDocumentKind(file: file, expected: expected, actual: actual)
    default: self
    }
  }

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    func prefix(_ file: String?) -> String { file.map { "\($0): " } ?? "" }
    switch self {
    case .invalidSyntax(let file, let line, let column, let detail):
      return "\(prefix(file))line \(line), column \(column): not valid JSON: \(detail)"
    case .schemaViolation(let file, let path, let detail):
      return "\(prefix(file))\(path): \(detail) (see `bpkit schema` for the bpkit JSON schema)"
    case .wrongDocumentKind(let file, let expected, let actual):
      return "\(prefix(file))this is a \(actual) document; a \(expected) document is needed here"
    case .unreadable(let file, let reason):
      return "cannot read '\(file)': \(reason)"
    case .unwritable(let file, let reason):
      return "cannot write '\(file)': \(reason)"
    }
  }

  /// The same line as `description`, for `LocalizedError`.
  package var errorDescription: String? { description }
}
