import Foundation

/// A file refused before any of its content was interpreted: not a regular
/// file, too large for what it claims to be, or one that makes libhdf5
/// crash or hang in the child-process probe.
package enum OpeningError: Error, Hashable, Sendable, CustomStringConvertible, LocalizedError {
  /// No file exists at the path.
  case notFound(file: String)
  /// The file exists but this process may not read it.
  case permissionDenied(file: String)
  /// The path names something other than a regular file: a directory, a
  /// device such as `/dev/zero`, a FIFO or a socket.
  case notRegularFile(file: String, kind: String)
  /// The path reaches the file only through this process's descriptor
  /// (`/proc/self/fd/N`) after the file was deleted: libhdf5 opens HDF5
  /// files by name, and the file has none left.
  case deleted(file: String)
  /// The file holds no bytes (files under `/proc` and `/sys` report a size of 0, too).
  case empty(file: String)
  /// A part of the file is larger than bpkit's documented cap for it.
  case tooLarge(file: String, part: String, bytes: Int, limit: Int)
  /// libhdf5 died of a signal while the probe parsed the file in a child process.
  case libraryCrashed(file: String, signal: Int32)
  /// libhdf5 did not finish parsing the file within the probe's time limit.
  case libraryHung(file: String, seconds: Int)
  /// libhdf5 reported an error reading the file's structure in the probe,
  /// within the probe's memory limit: a damaged length can make it allocate
  /// gigabytes in this process.
  case libraryFailed(file: String)
  /// An attribute message in one of the file's object headers declares
  /// parts (name, datatype, dataspace, data) larger than the message: the
  /// probe found it on the file's bytes, before libhdf5, which would read
  /// past the header, decoded it.
  case damagedAttributeMessage(file: String)
  /// The probe that contains libhdf5 cannot be run, so an untrusted HDF5
  /// file cannot be opened safely.
  case probeUnavailable(file: String, reason: String)

  /// The file the error is about.
  package var file: String {
    switch self {
    case .notFound(let file), .permissionDenied(let file), .notRegularFile(let file, _), .deleted(let file),
      .empty(let file),
      .tooLarge(let file, _, _, _), .libraryCrashed(let file, _), .libraryHung(let file, _), .libraryFailed(let file),
      .damagedAttributeMessage(let file), .probeUnavailable(let file, _):
      file
    }
  }

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    switch self {
    case .notFound(let file):
      "no such file: '\(file)'"
    case .permissionDenied(let file):
      "cannot read '\(file)': permission denied"
    case .notRegularFile(let file, let kind):
      "'\(file)' is \(kind), not a regular file; give the path of a file"
    case .deleted(let file):
      "'\(file)' is a file that has been deleted, and libhdf5 opens HDF5 files by name; give bpkit a path that "
        + "still names the file"
    case .empty(let file):
      "'\(file)' is empty"
    case .tooLarge(let file, let part, let bytes, let limit):
      "'\(file)': \(part) is \(bytes) bytes, more than bpkit's limit of \(limit); it is damaged or not what it claims "
        + "to be"
    case .libraryCrashed(let file, let signal):
      "'\(file)' is damaged or crafted: libhdf5 crashed (\(String(cString: strsignal(signal)))) reading its structure "
        + "in a separate process, so bpkit did not open it; restore the file from a copy"
    case .libraryHung(let file, let seconds):
      "'\(file)' is damaged or crafted: libhdf5 did not finish reading its structure within \(seconds) s in a "
        + "separate process, so bpkit did not open it; restore the file from a copy"
    case .libraryFailed(let file):
      "'\(file)' is damaged or crafted: libhdf5 could not read its structure within \(HDF5Probe.memoryBytes >> 30) GiB "
        + "of memory in a separate process, so bpkit did not open it; restore the file from a copy"
    case .damagedAttributeMessage(let file):
      "'\(file)' is damaged or crafted: an attribute message in its HDF5 object headers declares more bytes than it "
        + "holds (libhdf5 would read past it), so bpkit did not open it; restore the file from a copy"
    case .probeUnavailable(let file, let reason):
      "cannot open '\(file)' safely: the HDF5 probe cannot run (\(reason)); install bpkit-probe beside the program "
        + "or name it in BPKIT_PROBE"
    }
  }

  /// The same line as `description`, for `LocalizedError`.
  package var errorDescription: String? { description }
}
