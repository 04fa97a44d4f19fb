import Foundation

/// An error raised by the HDF5 module.
///
/// Each error names what was being done, the file and the object path inside
/// it, and carries libhdf5's own messages (its error stack, innermost last), so
/// that a user can tell which file is at fault and why.
public struct HDF5Error: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
  /// What went wrong, in a form programs can switch on.
  public enum Kind: Sendable, Equatable {
    /// The file does not exist.
    case fileNotFound
    /// The file exists but cannot be read or written with the current permissions.
    case permissionDenied
    /// The path names something that is not a regular file (a directory, say).
    case notAFile
    /// The file does not start with the HDF5 signature.
    case notHDF5
    /// The file starts like an HDF5 file but ends early or is damaged.
    case corrupt
    /// A file or object that was to be created already exists.
    case alreadyExists
    /// No object of that name exists.
    case objectNotFound
    /// The object exists but is not of the kind asked for (a group, not a dataset, say).
    case wrongObjectKind
    /// The stored element type differs from the one asked for.
    case typeMismatch
    /// The number of elements or the shape differs from the one asked for.
    case shapeMismatch
    /// An argument cannot be used, such as a negative dimension or an empty name.
    case invalidArgument
    /// libhdf5 reported a failure; its messages say more.
    case libraryFailure
  }

  /// What went wrong.
  public var kind: Kind
  /// The operation that failed, for example "open dataset".
  public var operation: String
  /// The path of the file involved.
  public var file: String
  /// The object path inside the file (for example `/model_weights/dense`), or `nil`.
  public var objectPath: String?
  /// A sentence of detail from bpkit, when it has one.
  public var detail: String?
  /// libhdf5's error stack, outermost call first.
  public var libraryMessages: [String]

  /// Creates an error.
  public init(
    _ kind: Kind, operation: String, file: String, objectPath: String? = nil,
    detail: String? = nil, libraryMessages: [String] = []
  ) {
    self.kind = kind
    self.operation = operation
    self.file = file
    self.objectPath = objectPath
    self.detail = detail
    self.libraryMessages = libraryMessages
  }

  /// One sentence: the operation, where, why, and libhdf5's innermost message.
  public var description: String {
    var text = "cannot \(operation)"
    if let objectPath { text += " '\(objectPath)' in" }
    text += " '\(file)': \(detail ?? kind.summary)"
    if let innermost = libraryMessages.last, !innermost.isEmpty {
      text += " (HDF5: \(innermost))"
    }
    return text
  }

  /// The same line as `description`, for `LocalizedError`.
  public var errorDescription: String? { description }
}

extension HDF5Error.Kind {
  /// A short phrase describing the kind, used when no detail is given.
  public var summary: String {
    switch self {
    case .fileNotFound: "no such file"
    case .permissionDenied: "permission denied"
    case .notAFile: "not a regular file"
    case .notHDF5: "not an HDF5 file (the HDF5 signature is missing)"
    case .corrupt: "the file is truncated or damaged"
    case .alreadyExists: "it already exists"
    case .objectNotFound: "no such object"
    case .wrongObjectKind: "the object is of another kind"
    case .typeMismatch: "the element type differs"
    case .shapeMismatch: "the shape differs"
    case .invalidArgument: "invalid argument"
    case .libraryFailure: "libhdf5 reported an error"
    }
  }
}
