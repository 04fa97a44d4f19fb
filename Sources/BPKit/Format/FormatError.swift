import Foundation
import HDF5

/// A bpkit file that cannot be written, read or trusted.
///
/// Every case names the file, and where it applies the object inside it
/// (`/weights/dense_1/kernel`), and its description says what to do.
package enum FormatError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
  /// Why a file from elsewhere is refused before any of its data is read.
  package enum Refusal: Sendable, Equatable, CustomStringConvertible {
    /// A link into another file.
    case externalLink(target: String)
    /// A soft link; bpkit never writes them.
    case softLink(target: String)
    /// A link of a kind libhdf5 does not know, or an object that is neither group nor dataset.
    case unsupportedObject
    /// A dataset whose raw data lives in files outside this one.
    case externalStorage(files: Int)
    /// A virtual dataset, which gathers its data from other datasets or files.
    case virtualDataset
    /// A filter that is not built into libhdf5 (it would need a plugin).
    case unsupportedFilter(id: Int, name: String)
    /// A dataset that declares far more data than the file could hold.
    case declaredSizeTooLarge(declaredBytes: Int, fileBytes: Int)
    /// Compressed datasets that together would expand beyond the file's
    /// budget: 32 times its size, and at least 64 MiB.
    case expandsTooFar(expandedBytes: Int, budgetBytes: Int, fileBytes: Int)
    /// An element type bpkit never writes (compound, enum, reference, ...).
    case unsupportedElementType
    /// A second hard link to an object already reached by another path: a
    /// group that contains itself, or an alias bpkit never writes.
    case repeatedObject

    /// The refusal as a phrase for messages.
    package var description: String {
      switch self {
      case .externalLink(let target): "it is an external link to \(target)"
      case .softLink(let target): "it is a soft link to '\(target)'"
      case .unsupportedObject: "it is neither a group nor a dataset"
      case .externalStorage(let files): "its data is stored in \(files) external file(s)"
      case .virtualDataset: "it is a virtual dataset"
      case .unsupportedFilter(let id, let name): "it needs filter \(id) ('\(name)'), which is not built into libhdf5"
      case .declaredSizeTooLarge(let declared, let file):
        "it declares \(declared) bytes of data in a file of \(file) bytes"
      case .expandsTooFar(let expanded, let budget, let file):
        "it brings the file's compressed data to \(expanded) bytes beyond what it stores, more than the "
          + "\(budget) bytes bpkit allows a file of \(file) bytes (32 times its size, at least 64 MiB); "
          + "store it uncompressed (h5repack -f NONE IN OUT) to read it"
      case .unsupportedElementType: "its element type is not one bpkit writes"
      case .repeatedObject: "it links again to an object the file already reached by another path (a cycle or alias)"
      }
    }
  }

  /// The file is HDF5 but has no `bpkit_kind` root attribute.
  case notBPKitFile(file: String)
  /// The file is a bpkit file of another kind than the one asked for.
  case wrongKind(file: String, expected: String, found: String)
  /// The file names a kind this bpkit does not know.
  case unknownKind(file: String, kind: String)
  /// The file's `format_version` is not "MAJOR.MINOR".
  case invalidFormatVersion(file: String, value: String)
  /// The file was written by a newer bpkit with an incompatible layout.
  case newerFormatVersion(file: String, found: FormatVersion, supported: FormatVersion)
  /// A group or dataset the layout requires is absent.
  case missingObject(file: String, path: String)
  /// An attribute the layout requires is absent.
  case missingAttribute(file: String, path: String, name: String)
  /// A dataset or attribute holds another element type than the layout says.
  case wrongElementType(file: String, path: String, expected: String)
  /// A dataset's shape differs from the one the network description declares.
  case shapeMismatch(file: String, path: String, expected: [Int], found: [Int])
  /// A dataset's data does not match its stored CRC-32: the file is damaged.
  case checksumMismatch(file: String, path: String, stored: UInt32, computed: UInt32)
  /// A value cannot be used (an unknown optimizer, a negative count, bad JSON).
  case invalidValue(file: String, path: String, reason: String)
  /// The stored network description cannot be decoded (bad JSON, an unknown layer type).
  case invalidNetwork(file: String, reason: String)
  /// The weights do not fit the network description.
  case invalidModel(file: String, error: ModelError)
  /// An object is present that the layout or the network description does not declare.
  case unexpectedObject(file: String, path: String)
  /// The file holds something bpkit refuses to read from a file it did not write.
  case refused(file: String, path: String, reason: Refusal)
  /// The file's bytes do not match the checksum bpkit wrote in its user
  /// block: it was truncated or damaged after it was written.
  case fileDamaged(file: String, reason: String)
  /// libhdf5 failed to read or write the file.
  case hdf5(HDF5Error)
  /// A system call failed while reading the file.
  case readFailed(file: String, operation: String, reason: String)
  /// A system call on the way to a durable file failed.
  case writeFailed(file: String, operation: String, reason: String)

  /// The file involved.
  package var file: String {
    switch self {
    case .notBPKitFile(let file), .wrongKind(let file, _, _), .unknownKind(let file, _),
      .invalidFormatVersion(let file, _), .newerFormatVersion(let file, _, _), .missingObject(let file, _),
      .missingAttribute(let file, _, _), .wrongElementType(let file, _, _), .shapeMismatch(let file, _, _, _),
      .checksumMismatch(let file, _, _, _), .invalidValue(let file, _, _), .invalidNetwork(let file, _),
      .invalidModel(let file, _), .unexpectedObject(let file, _),
      .refused(let file, _, _), .writeFailed(let file, _, _), .fileDamaged(let file, _),
      .readFailed(let file, _, _):
      file
    case .hdf5(let error): error.file
    }
  }

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    switch self {
    case .notBPKitFile(let file):
      "'\(file)' is an HDF5 file but not a bpkit model or checkpoint (it has no 'bpkit_kind' root attribute)"
    case .wrongKind(let file, let expected, let found):
      "'\(file)' is a bpkit \(found), not a \(expected); open it as a \(found)"
    case .unknownKind(let file, let kind):
      "'\(file)' is a bpkit file of kind '\(kind)', which this bpkit \(BPKitVersion.current) does not know; "
        + "use a newer bpkit"
    case .invalidFormatVersion(let file, let value):
      "'\(file)' has format_version '\(value)', which is not MAJOR.MINOR; the file is damaged"
    case .newerFormatVersion(let file, let found, let supported):
      "'\(file)' uses bpkit format \(found), newer than the \(supported) this bpkit \(BPKitVersion.current) "
        + "reads; upgrade bpkit to read it"
    case .missingObject(let file, let path):
      "'\(path)' is missing from '\(file)'; the file is incomplete or was not written by bpkit"
    case .missingAttribute(let file, let path, let name):
      "attribute '\(name)' of '\(path)' is missing from '\(file)'; the file is incomplete or was not written by bpkit"
    case .wrongElementType(let file, let path, let expected):
      "'\(path)' in '\(file)' does not hold \(expected); the file was not written by bpkit"
    case .shapeMismatch(let file, let path, let expected, let found):
      "'\(path)' in '\(file)' has shape \(found), but the network description declares \(expected); "
        + "the weights do not belong to this network"
    case .checksumMismatch(let file, let path, let stored, let computed):
      "'\(path)' in '\(file)' is corrupted: its data has CRC-32 \(hex(computed)), but \(hex(stored)) was stored; "
        + "restore the file from a copy"
    case .invalidValue(let file, let path, let reason):
      "'\(path)' in '\(file)' cannot be used: \(reason)"
    case .invalidNetwork(let file, let reason):
      "the network description in '\(file)' (/network) cannot be read: \(reason)"
    case .invalidModel(let file, let error):
      "the model in '\(file)' is invalid: \(error)"
    case .unexpectedObject(let file, let path):
      "'\(path)' in '\(file)' is not declared by the network description or the layout; "
        + "the file was changed outside bpkit"
    case .refused(let file, let path, let reason):
      "refusing to read '\(file)': '\(path)' \(reason); bpkit reads only self-contained files with plain datasets"
    case .fileDamaged(let file, let reason):
      "'\(file)' is damaged: \(reason); bpkit did not read it further; restore it from a copy"
    case .hdf5(let error):
      error.description
    case .readFailed(let file, let operation, let reason):
      "cannot read '\(file)': \(operation) failed: \(reason)"
    case .writeFailed(let file, let operation, let reason):
      "cannot write '\(file)': \(operation) failed: \(reason); the previous file, if any, is unchanged"
    }
  }

  /// The same line as `description`, for `LocalizedError`.
  package var errorDescription: String? { description }

  private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
  }
}
