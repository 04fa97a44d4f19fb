import Foundation

/// An output that ``OutputFile`` refuses or cannot write.
///
/// Every case names the destination as it was given, so that the message
/// alone tells a user which file is at fault and what to do.
package enum OutputFileError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
  /// The destination is one of the files the writer was told are inputs
  /// (``FileWriteOptions/inputs``): the same device and inode, reached
  /// directly, through a symbolic link or through a hard link.
  case isAnInput(file: String, input: String)
  /// The destination exists and is something bpkit never writes into:
  /// a folder, a block device or a socket. `kind` names it ("a folder").
  case unsupportedDestination(file: String, kind: String)
  /// The system refused `operation` ("writing it", "renaming the new file
  /// over it") with `reason`, the system's message (`strerror`).
  case failed(file: String, operation: String, reason: String)

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    switch self {
    case .isAnInput(let file, let input):
      file == input
        ? "refusing to write '\(file)': it is also an input of this command; name another output file"
        : "refusing to write '\(file)': it is the same file as the input '\(input)'; name another output file"
    case .unsupportedDestination(let file, let kind):
      "refusing to write '\(file)': it is \(kind); name a regular file, a character device, a FIFO, "
        + "or - for standard output"
    case .failed(let file, let operation, let reason):
      "cannot write '\(file)': \(operation) failed: \(reason)"
    }
  }

  /// The same line as `description`, for `LocalizedError`.
  package var errorDescription: String? { description }

  /// What went wrong, without the file's name.
  var reason: String {
    switch self {
    case .isAnInput, .unsupportedDestination:
      let text = description
      return String(text[text.range(of: "': ")!.upperBound...])
    case .failed(_, let operation, let reason): return "\(operation) failed: \(reason)"
    }
  }
}
