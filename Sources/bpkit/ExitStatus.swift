import ArgumentParser
import BPKit
import Foundation

/// bpkit's documented exit codes, and the one place errors become them.
enum ExitStatus {
  /// A difference was found (`diff`).
  static let different: Int32 = 1
  /// A usage error: an unknown option or a bad value.
  static let usage: Int32 = 2
  /// Bad input data or a file that is not what was expected.
  static let badInput: Int32 = 3
  /// A file cannot be read or written.
  static let ioFailure: Int32 = 4
  /// Training diverged: the loss became NaN or infinite.
  static let diverged: Int32 = 5

  /// Runs a command's work; any error is printed as one line on standard
  /// error and turned into the exit code for its kind.
  static func reporting(_ body: () throws -> Void) throws {
    do {
      try body()
    } catch let exit as ExitCode {
      throw exit
    } catch {
      // One line, always: libhdf5's messages can hold line breaks.
      let line = describe(error).split(whereSeparator: \.isNewline).joined(separator: " ")
      FileHandle.standardError.write(Data("bpkit: error: \(line)\n".utf8))
      throw ExitCode(code(for: error))
    }
  }

  /// The exit code for `error`: usage errors the command line's checks
  /// found, and BPKit's errors by their category, which BPKit decides.
  static func code(for error: any Error) -> Int32 {
    switch error {
    // A check of the command line found once the model or data is open (an
    // option the model cannot honour) is a usage error, like one found by `validate()`.
    case is ValidationError: usage
    case let error as any BPKitError: code(for: error.category)
    default: badInput
    }
  }

  static func code(for category: BPKitErrorCategory) -> Int32 {
    switch category {
    case .usage: usage
    case .badInput: badInput
    case .io: ioFailure
    case .diverged: diverged
    }
  }

  static func describe(_ error: any Error) -> String {
    (error as? LocalizedError)?.errorDescription ?? String(describing: error)
  }
}
