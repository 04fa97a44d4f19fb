/// The JSON text of the configurations bpkit writes into Keras files.
///
/// Keras checks the types of some hyperparameters (SGD's `momentum` "must be
/// a float between [0, 1]"), and Foundation's `JSONSerialization` writes a
/// `Double` that holds a whole number as an integer (`0`, `1`). Here every
/// floating-point value is written as a JSON float (`0.0`, `1e-07`), every
/// integer as an integer, and object keys in sorted order.
enum KerasJSON {
  /// The compact JSON text of a configuration built from dictionaries, arrays,
  /// strings, booleans, integers, floating-point numbers and `NSNull`.
  static func text(_ value: Any) -> String {
    var output: [UInt8] = []
    append(value, to: &output)
    return String(decoding: output, as: UTF8.self)
  }

  private static func append(_ value: Any, to output: inout [UInt8]) {
    switch value {
    case let object as [String: Any]:
      output.append(UInt8(ascii: "{"))
      for (index, key) in object.keys.sorted().enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        JSONStrings.appendLiteral(key, to: &output)
        output.append(UInt8(ascii: ":"))
        append(object[key]!, to: &output)
      }
      output.append(UInt8(ascii: "}"))
    case let array as [Any]:
      output.append(UInt8(ascii: "["))
      for (index, element) in array.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        append(element, to: &output)
      }
      output.append(UInt8(ascii: "]"))
    case let string as String: JSONStrings.appendLiteral(string, to: &output)
    case let bool as Bool: output.append(contentsOf: Array((bool ? "true" : "false").utf8))
    case let integer as Int: output.append(contentsOf: Array(String(integer).utf8))
    case let integer as Int64: output.append(contentsOf: Array(String(integer).utf8))
    case let real as Double: output.append(contentsOf: Array(float(real).utf8))
    // A Float's shortest decimal, read as a Double, keeps `0.3` from becoming 0.30000001192092896.
    case let real as Float: output.append(contentsOf: Array(float(Double(real.description) ?? Double(real)).utf8))
    default: output.append(contentsOf: Array("null".utf8))
    }
  }

  /// A finite double as a JSON float: Swift's shortest round-trip form always
  /// has a decimal point or an exponent (`0.0`, `1e-07`). JSON has no NaN or
  /// infinities; Python's json module reads these spellings.
  private static func float(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
    return value.description
  }
}
