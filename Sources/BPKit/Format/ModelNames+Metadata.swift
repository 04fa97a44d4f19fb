import Foundation

/// A model's names as entries of a string-to-string metadata map: ONNX's
/// `metadata_props` and safetensors' `__metadata__`. Each list is a JSON
/// array of strings under its key, and a list the model lacks has no entry.
extension ModelNames {
  /// The metadata key of the input features' names.
  public static let featuresMetadataKey = "bpkit.feature_names"
  /// The metadata key of the classes' names.
  public static let classesMetadataKey = "bpkit.class_names"

  /// The entries that hold these names, features first.
  var metadataEntries: [(key: String, value: String)] {
    func text(_ list: [String]) -> String {
      var json: [UInt8] = [UInt8(ascii: "[")]
      for (index, name) in list.enumerated() {
        if index > 0 { json.append(UInt8(ascii: ",")) }
        JSONStrings.appendLiteral(name, to: &json)
      }
      json.append(UInt8(ascii: "]"))
      return String(decoding: json, as: UTF8.self)
    }
    var entries: [(key: String, value: String)] = []
    if let features { entries.append((Self.featuresMetadataKey, text(features))) }
    if let classes { entries.append((Self.classesMetadataKey, text(classes))) }
    return entries
  }

  /// The names in `metadata`; none for a key it lacks.
  ///
  /// - Throws: ``ModelError/invalidNames(_:)`` naming the key whose value
  ///   is not a JSON array of strings.
  init(metadata: [String: String]) throws(ModelError) {
    func list(_ key: String) throws(ModelError) -> [String]? {
      guard let text = metadata[key] else { return nil }
      guard let list = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
        throw .invalidNames("the metadata entry \(key) is not a JSON array of strings")
      }
      return list
    }
    self.init(features: try list(Self.featuresMetadataKey), classes: try list(Self.classesMetadataKey))
  }
}
