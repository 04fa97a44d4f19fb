import ArgumentParser
import BPKit
import Foundation
import HDF5

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

  static func code(for error: any Error) -> Int32 {
    switch error {
    // A check of the command line found once the model or data is open (an
    // option the model cannot honour) is a usage error, like one found by `validate()`.
    case is ValidationError: usage
    case is LayerSpecificationError: usage
    case let error as FormatError:
      switch error {
      case .hdf5(let underlying): code(for: underlying)
      case .writeFailed, .readFailed: ioFailure
      default: badInput
      }
    case let error as HDF5Error:
      switch error.kind {
      case .fileNotFound, .permissionDenied, .notAFile, .alreadyExists: ioFailure
      // libhdf5 failing to read the structure of a file it has opened almost
      // always means a damaged file (an address past its end, a bad message),
      // so reads are bad input; failing to create, write or flush is I/O.
      case .libraryFailure: isReading(error.operation) ? badInput : ioFailure
      default: badInput
      }
    case let error as DataError:
      switch error {
      case .fileNotFound, .unreadable: ioFailure
      default: badInput
      }
    case let error as OpeningError:
      switch error {
      case .notFound, .permissionDenied, .probeUnavailable: ioFailure
      default: badInput
      }
    case let error as TrainingError:
      switch error {
      case .diverged: diverged
      // An option the run cannot take with the others, the model or the checkpoint.
      case .invalidSetting: usage
      default: badInput
      }
    case let error as ONNXError:
      if case .io = error { ioFailure } else { badInput }
    case let error as KerasError:
      if case .io = error { ioFailure } else { badInput }
    case let error as ReportingError:
      if case .unwritable = error { ioFailure } else { badInput }
    // BPKIT_KERNELS naming a path this CPU cannot run is a bad setting.
    case is KernelError:
      usage
    case let error as OutputFileError:
      if case .isAnInput = error { usage } else { ioFailure }
    case is WriterLockError: ioFailure
    case is CheckpointExistsError: usage
    case let error as BPKitJSONError:
      switch error {
      case .unreadable, .unwritable: ioFailure
      default: badInput
      }
    default:
      badInput
    }
  }

  static func isReading(_ operation: String) -> Bool {
    ["read", "open", "inspect", "list", "look up", "check"].contains { operation.hasPrefix($0) }
  }

  static func describe(_ error: any Error) -> String {
    (error as? LocalizedError)?.errorDescription ?? String(describing: error)
  }
}
