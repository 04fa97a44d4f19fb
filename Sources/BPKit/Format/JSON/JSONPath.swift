/// A location in a JSON document, written as JSONPath (RFC 9535) in its
/// normalized form: `$.layers[2].units`, `$['odd key']`.
struct JSONPath: CustomStringConvertible, Sendable {
  private enum Component: Sendable {
    case key(String)
    case index(Int)
  }

  private var components: [Component] = []

  /// The document's root, `$`.
  static let root = JSONPath()

  /// The path of a member of the object at this path.
  func appending(_ key: String) -> JSONPath {
    var path = self
    path.components.append(.key(key))
    return path
  }

  /// The path of an element of the array at this path.
  func appending(_ index: Int) -> JSONPath {
    var path = self
    path.components.append(.index(index))
    return path
  }

  var description: String {
    var text = "$"
    for component in components {
      switch component {
      case .index(let index): text += "[\(index)]"
      case .key(let key) where Self.isPlainName(key): text += ".\(key)"
      case .key(let key):
        let escaped = key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        text += "['\(escaped)']"
      }
    }
    return text
  }

  /// Whether a key can follow a dot: a letter or `_`, then letters, digits and `_`.
  private static func isPlainName(_ key: String) -> Bool {
    guard let first = key.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
    return key.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
  }
}
