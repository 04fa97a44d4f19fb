import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Names from files are escaped before they reach a terminal: a layer named
/// with an escape sequence cannot retitle the window or rewrite the screen
/// through `inspect`, `ls` or `diff`.
@Suite struct TerminalEscapeTests {
  static let hostileName = "dense\u{1B}]0;pwned\u{07}\u{1B}[2J\u{202E}"

  func files() throws -> (TemporaryDirectory, String, String) {
    let folder = try TemporaryDirectory()
    let network = NetworkDescription(
      input: .vector(features: 3),
      layers: [Layer(name: Self.hostileName, kind: .dense(units: 2, activation: .linear, useBias: true))])
    let first = try FormatSamples.model(network, seed: 1)
    let second = try FormatSamples.model(network, seed: 2)
    let a = folder.path("a.h5"), b = folder.path("b.h5")
    try first.write(to: URL(fileURLWithPath: a))
    try second.write(to: URL(fileURLWithPath: b))
    return (folder, a, b)
  }

  @Test(arguments: ["inspect", "ls", "diff"])
  func layerNamesWithEscapeSequencesAreShownEscaped(command: String) throws {
    let (folder, a, b) = try files()
    let arguments = command == "diff" ? [command, a, b] : [command, a]
    let result = try BPKitBinary.run(arguments: arguments)
    #expect(result.status == (command == "diff" ? 1 : 0), "\(result.error)")
    #expect(!result.output.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{202E}" })
    #expect(result.output.contains("dense\\u{1B}]0;pwned\\u{7}\\u{1B}[2J\\u{202E}"))
    _ = folder
  }

  @Test func printableTextEscapesControlsAndKeepsTheRest() {
    #expect(PrintableText.escaped("a\tb\nc") == "a\\u{9}b\\u{A}c")
    #expect(PrintableText.escaped("a\nb", keepingLineBreaks: true) == "a\nb")
    #expect(PrintableText.escaped("résumé ✓ dense_1") == "résumé ✓ dense_1")
    #expect(PrintableText.escaped("\u{9B}31m") == "\\u{9B}31m")
  }
}
