import Foundation

/// Every error BPKit throws: the one type a caller catches, with the
/// specific reason inside.
///
/// ```swift
/// do {
///   let file = try BPKitFile.open(url)
/// } catch let error as any BPKitError {
///   print(error.description)             // one line: the file, the place in it, the way out
///   switch error.category {
///   case .io: retryLater()
///   default: reject(url)
///   }
///   if case FormatError.checksumMismatch(let file, let path, _, _)? = error as? FormatError {
///     print("damaged: \(file) at \(path)")
///   }
/// }
/// ```
///
/// The specific reason is the error itself, one of the enums under "Errors"
/// in the catalog (``FormatError``, ``DataError``, ``TrainingError``, ...),
/// each case naming the file and the place in it. Which calls throw which
/// reasons is documented on each call; libhdf5's own failures reach callers
/// of BPKit as ``FormatError/hdf5(_:)`` or, from the `HDF5` module's types
/// that BPKit hands out (``BPKitFile/openHDF5(_:trust:checkStructure:)``),
/// as `HDF5Error`, which conforms too. ``category`` says what kind of
/// failure it is, and so what a program can do about it; `bpkit` turns it
/// into its exit code.
public protocol BPKitError: Error, LocalizedError, CustomStringConvertible, Sendable {
  /// What kind of failure this is: a setting to fix, input that is not what
  /// it must be, a file system that refused, or training that diverged.
  var category: BPKitErrorCategory { get }
}

/// What kind of failure a ``BPKitError`` is, which decides what a program
/// can do next; `bpkit`'s exit codes follow it (README, "Exit codes").
public enum BPKitErrorCategory: String, Sendable, Hashable, CaseIterable {
  /// A setting or argument the caller gave cannot be honoured (a layer
  /// specification that does not parse, an output that is also an input):
  /// change the call. `bpkit` exits 2.
  case usage
  /// A file or data is not what it must be (damaged, of another kind,
  /// breaking the schema, holding values that are not finite). `bpkit` exits 3.
  case badInput
  /// The file system refused: a missing file, a permission, a full disk, a
  /// failed write. `bpkit` exits 4.
  case io
  /// Training diverged: the loss became NaN or infinite. `bpkit` exits 5.
  case diverged
}

extension BPKitError {
  /// The same line as `description`, so that `localizedDescription` is the
  /// message bpkit prints.
  public var errorDescription: String? { description }
}
