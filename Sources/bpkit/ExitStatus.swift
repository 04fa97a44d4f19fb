import ArgumentParser
import BPKit
import Foundation

/// bpkit's documented exit codes, and the one place errors become them.
enum ExitStatus {
  /// A difference was found (`diff`).
  static let different: Int32 = 1
  /// A usage error: an unknown option or a bad value.
  static let usage = BPKitError.Category.usage.exitCode
  /// Bad input data or a file that is not what was expected.
  static let badInput = BPKitError.Category.badInput.exitCode
  /// A file cannot be read or written.
  static let ioFailure = BPKitError.Category.io.exitCode
  /// Training diverged: the loss became NaN or infinite.
  static let diverged = BPKitError.Category.diverged.exitCode

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
  /// found, and every other error by the category BPKit gives it
  /// (``BPKitError/exitCode``).
  static func code(for error: any Error) -> Int32 {
    // A check of the command line found once the model or data is open (an
    // option the model cannot honour) is a usage error, like one found by `validate()`.
    error is ValidationError ? usage : BPKitError(error).exitCode
  }

  static func describe(_ error: any Error) -> String {
    BPKitError(error).message
  }
}
