import Foundation

/// Where an output goes, found before anything is written: the name as
/// given, and what stands there now.
///
/// A regular file, or a name where nothing stands yet, is replaced by
/// renaming a new file over it, after following symbolic links to the name
/// they end at, so that a link stays a link and its target gets the new
/// content. Anything else that exists is never replaced: a character device
/// (`/dev/null`, a terminal), a FIFO or standard output is written in place,
/// and a folder, a block device or a socket is refused.
struct OutputDestination {
  enum Kind: Equatable {
    /// Standard output, named `-`.
    case standardOutput
    /// A character device or a FIFO, opened and written in place.
    case stream
    /// A regular file (`existing`) or a new one, replaced by renaming.
    case file(existing: Bool)
  }

  /// The name as it was given, for messages.
  let name: String
  let kind: Kind
  /// The path to write: for files, the name links end at; otherwise the name.
  let path: String
  /// The existing file's permission bits, kept by its replacement.
  let permissions: mode_t?
  /// The existing regular file's size in bytes; 0 for anything else.
  let existingBytes: Int

  /// Looks at what stands at `name` and refuses what bpkit never writes into.
  ///
  /// - Throws: ``OutputFileError/unsupportedDestination(file:kind:)`` for a
  ///   folder, block device or socket; ``OutputFileError/isAnInput(file:input:)``
  ///   when it is the same file as one of `inputs`;
  ///   ``OutputFileError/failed(file:operation:reason:)`` when it cannot be looked at.
  init(_ name: String, inputs: [String] = []) throws {
    self.name = name
    guard name != OutputFile.standardOutputName else {
      kind = .standardOutput
      path = name
      permissions = nil
      existingBytes = 0
      return
    }
    var status = stat()
    if stat(name, &status) == 0 {
      switch status.st_mode & S_IFMT {
      case S_IFREG:
        guard let resolved = realpath(name, nil) else {
          throw Self.failure(name, "resolving its symbolic links")
        }
        path = String(cString: resolved)
        free(resolved)
        kind = .file(existing: true)
        permissions = status.st_mode & 0o7777
        existingBytes = Int(status.st_size)
        try Self.refuseInputs(inputs, matching: status, name: name)
      case S_IFCHR, S_IFIFO:
        kind = .stream
        path = name
        permissions = nil
        existingBytes = 0
      case S_IFDIR: throw OutputFileError.unsupportedDestination(file: name, kind: "a folder")
      case S_IFBLK: throw OutputFileError.unsupportedDestination(file: name, kind: "a block device")
      case S_IFSOCK: throw OutputFileError.unsupportedDestination(file: name, kind: "a socket")
      default: throw OutputFileError.unsupportedDestination(file: name, kind: "neither a file nor a device")
      }
      return
    }
    guard errno == ENOENT else { throw Self.failure(name, "looking at it") }
    path = try Self.danglingLinkTarget(name)
    kind = .file(existing: false)
    permissions = nil
    existingBytes = 0
  }

  /// The folder the file is replaced in.
  var folder: String {
    (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
  }

  /// The file's own name inside ``folder``.
  var fileName: String { (path as NSString).lastPathComponent }

  /// The name where a chain of symbolic links ends, none of which exists
  /// yet, or `name` itself when it is no link.
  private static func danglingLinkTarget(_ name: String) throws -> String {
    var current = name
    for _ in 0..<40 {
      var status = stat()
      guard lstat(current, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK else { return current }
      var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      let count = readlink(current, &buffer, buffer.count - 1)
      guard count >= 0 else { throw failure(name, "reading its symbolic link") }
      let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      current =
        target.hasPrefix("/")
        ? target
        : ((current as NSString).deletingLastPathComponent as NSString)
          .appendingPathComponent(target)
    }
    throw OutputFileError.failed(
      file: name, operation: "following its symbolic links", reason: String(cString: strerror(ELOOP)))
  }

  /// Throws when one of `inputs` is the file `status` describes.
  private static func refuseInputs(_ inputs: [String], matching status: stat, name: String) throws {
    for input in inputs where input != OutputFile.standardOutputName {
      var other = stat()
      guard stat(input, &other) == 0 else { continue }
      if other.st_dev == status.st_dev && other.st_ino == status.st_ino {
        throw OutputFileError.isAnInput(file: name, input: input)
      }
    }
  }

  static func failure(_ file: String, _ operation: String, _ code: Int32 = errno) -> OutputFileError {
    .failed(file: file, operation: operation, reason: String(cString: strerror(code)))
  }
}
