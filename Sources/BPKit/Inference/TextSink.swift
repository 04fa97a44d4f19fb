/// Text output, written batch by batch through an ``OutputFile``: into standard
/// output or a device as it comes, into a file replaced only once complete.
final class TextSink {
  private let output: OutputFile
  private var pending = ""

  init(_ output: OutputFile) {
    self.output = output
  }

  func append(_ text: String) { pending += text }

  /// Writes what has been appended.
  func flush() throws {
    guard !pending.isEmpty else { return }
    try output.write(pending)
    pending.removeAll(keepingCapacity: true)
  }

  /// Writes the rest and makes the output complete.
  func close() throws {
    try flush()
    try output.commit()
  }
}
