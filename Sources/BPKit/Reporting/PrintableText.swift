/// Text from a file made safe to print on a terminal.
///
/// Names and strings in a file (layer names, data paths, notes, attribute
/// values) are the file author's: printed raw, an escape sequence in a layer
/// name can move the cursor, rewrite earlier lines, retitle the window or
/// hide text. Reports escape them the way Swift string literals do.
public enum PrintableText {
  /// `text` with every control character (C0, DEL, C1), and the Unicode
  /// controls that reorder text on screen (bidirectional overrides and
  /// isolates), written as `\u{1B}`.
  ///
  /// - Parameters:
  ///   - text: Text that may hold strings from a file.
  ///   - keepingLineBreaks: Whether `\n` stays a line break, for whole
  ///     reports whose own lines are separated by it.
  /// - Returns: The text, safe to print.
  public static func escaped(_ text: String, keepingLineBreaks: Bool = false) -> String {
    var result = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      if needsEscape(scalar) && !(keepingLineBreaks && scalar == "\n") {
        result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
      } else {
        result.append(scalar)
      }
    }
    return String(result)
  }

  private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
    default: false
    }
  }
}
