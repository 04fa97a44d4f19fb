import Foundation

/// The one error BPKit throws: what kind of failure it is, the one line that
/// explains it, the file or setting it names, and the specific reason inside.
///
/// ```swift
/// do {
///   let file = try BPKitFile.open(url)
/// } catch let error as BPKitError {
///   print(error.message)                 // one line: the file, the place in it, the way out
///   switch error.code {
///   case .fileNotFound, .permissionDenied: askForAnotherFile()
///   case .damaged: restoreFromBackup(error.file)
///   default: reject(url, because: error.message)
///   }
/// }
/// ```
///
/// Every throwing call of BPKit throws this type (most say so in their
/// signature, `throws(BPKitError)`), whatever failed underneath: one of
/// BPKit's own checks, libhdf5 (an `HDF5Error`, kept in ``underlying``), or
/// the system. Calls that take a closure of yours pass your own errors
/// through unchanged.
///
/// ``code`` is stable: a program can switch over it. ``category`` says what
/// a program can do next, and ``exitCode`` is the exit status `bpkit`
/// gives the same failure (README, "Exit codes").
public struct BPKitError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
  /// What failed, in a form that stays the same from release to release.
  public let code: Code
  /// What kind of failure this is, which decides what a program can do next.
  public let category: Category
  /// The error as one line: what went wrong, where, and the way out. It is
  /// the line `bpkit` prints after `bpkit: error: `.
  public let message: String
  /// The file the error names (a model, a checkpoint, a data file, an
  /// output), as it was given, or `nil` when it names none.
  public let file: String?
  /// The setting the error names (`BPKIT_KERNELS`, the layer
  /// specification, a training option), or `nil` when it names none.
  public let setting: String?
  /// The specific reason, for logging and debugging: one of BPKit's
  /// internal reasons, an `HDF5Error` from libhdf5, or a system error. Its
  /// type is not part of the API; switch over ``code`` instead.
  public let underlying: any Error & Sendable

  /// Classifies `error`: a `BPKitError` is returned as it is; anything else
  /// becomes one whose ``underlying`` error it is.
  ///
  /// - Parameter error: Any error, such as one a closure of yours threw
  ///   inside a BPKit call.
  public init(_ error: any Error) {
    if let error = error as? BPKitError {
      self = error
    } else if let reason = error as? any BPKitErrorReason {
      self.init(
        code: reason.errorCode, category: reason.errorCategory, message: reason.description,
        file: reason.errorFile, setting: reason.errorSetting, underlying: reason)
    } else {
      let message = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
      self.init(code: .other, category: .badInput, message: message, file: nil, setting: nil, underlying: error)
    }
  }

  init(
    code: Code, category: Category, message: String, file: String?, setting: String?,
    underlying: any Error & Sendable
  ) {
    self.code = code
    self.category = category
    self.message = message
    self.file = file
    self.setting = setting
    self.underlying = underlying
  }

  /// The exit status `bpkit` gives this failure: 2 for usage, 3 for bad
  /// input, 4 for I/O and 5 for a diverged run (README, "Exit codes").
  public var exitCode: Int32 { category.exitCode }

  /// The same line as ``message``.
  public var description: String { message }

  /// The same line as ``message``, so that `localizedDescription` is the
  /// line bpkit prints.
  public var errorDescription: String? { message }

  /// Whether two errors have the same code, category, message, file and
  /// setting; the underlying errors are not compared.
  public static func == (lhs: BPKitError, rhs: BPKitError) -> Bool {
    lhs.code == rhs.code && lhs.category == rhs.category && lhs.message == rhs.message && lhs.file == rhs.file
      && lhs.setting == rhs.setting
  }

  /// Hashes what `==` compares.
  ///
  /// - Parameter hasher: The hasher to feed.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(code)
    hasher.combine(category)
    hasher.combine(message)
    hasher.combine(file)
    hasher.combine(setting)
  }
}

/// One of BPKit's specific reasons for failing, which a ``BPKitError``
/// carries inside: the one place each is classified.
protocol BPKitErrorReason: Error, Sendable, CustomStringConvertible {
  /// The stable code.
  var errorCode: BPKitError.Code { get }
  /// The kind of failure.
  var errorCategory: BPKitError.Category { get }
  /// The file the reason names, if any.
  var errorFile: String? { get }
  /// The setting the reason names, if any.
  var errorSetting: String? { get }
}

extension BPKitErrorReason {
  var errorSetting: String? { nil }
}

extension BPKitError {
  /// The specific reason inside, for BPKit's own code that knows which
  /// reason a call fails with (`NetworkDescription.layerOutputShapes()`
  /// fails only with a `ModelError`).
  func reason<Reason: BPKitErrorReason>(_ type: Reason.Type) -> Reason {
    guard let reason = underlying as? Reason else {
      preconditionFailure("\(Reason.self) expected inside BPKitError, found \(Swift.type(of: underlying)): \(message)")
    }
    return reason
  }
}
