import Foundation

/// Classes and numbers as prediction text.
enum PredictionText {
  /// A class as CSV text: the model's class name, or the index.
  static func csv(class index: Int, _ names: [String]?) -> String {
    names.flatMap { $0.indices.contains(index) ? $0[index] : nil } ?? "\(index)"
  }

  /// A class as JSON: the model's class name as a string, or the index.
  static func json(class index: Int, _ names: [String]?) -> String {
    guard let names, names.indices.contains(index) else { return "\(index)" }
    let data = try? JSONSerialization.data(withJSONObject: names[index], options: [.fragmentsAllowed])
    return data.map { String(decoding: $0, as: UTF8.self) } ?? "\(index)"
  }

  /// A number as CSV text: the shortest decimal that reads back as the same
  /// `Float` or `Double` (a float64 model's outputs keep all their digits).
  static func csv<S: BinaryFloatingPoint & LosslessStringConvertible>(_ value: S) -> String { "\(value)" }

  /// A number as JSON: the shortest round-trip decimal, `null` when not finite.
  static func json<S: BinaryFloatingPoint & LosslessStringConvertible>(_ value: S) -> String {
    value.isFinite ? "\(value)" : "null"
  }
}
