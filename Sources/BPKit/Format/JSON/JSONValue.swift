/// A parsed JSON value whose strings and numbers still point into the source
/// bytes, so that a large document (a base64 tensor of hundreds of megabytes)
/// is never copied while it is parsed.
///
/// Values are only meaningful together with the buffer they were parsed from;
/// ``JSONCursor`` pairs them.
enum JSONValue {
  case null
  case bool(Bool)
  /// The number's text, already checked against JSON's number grammar.
  case number(Range<Int>)
  /// The string's bytes between the quotes, escapes not yet resolved.
  case string(Range<Int>, hasEscapes: Bool)
  case array([JSONValue])
  /// An array of numbers only, kept as the text between its brackets (each
  /// number already checked) and its element count: a tensor of millions of
  /// numbers costs no tree node per number, and is converted straight into
  /// its storage when read (``TensorJSON``). `marks` cut the text into
  /// stretches, the first at the first number, each naming where its
  /// first number's text begins and that number's index, so that threads
  /// can each convert a stretch straight into its place.
  case numbers(Range<Int>, count: Int, marks: [Mark])

  /// Where a stretch of a `.numbers` array's text begins: the byte offset
  /// of a number's text and the number's index in the array.
  struct Mark: Equatable {
    var offset: Int
    var index: Int
  }
  /// Members in document order.
  case object([(key: String, value: JSONValue)])

  /// The JSON type's name, for error messages.
  var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .number: "a number"
    case .string: "a string"
    case .array, .numbers: "an array"
    case .object: "an object"
    }
  }
}
