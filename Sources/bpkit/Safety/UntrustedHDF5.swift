import BPKit
import Foundation
import HDF5

/// HDF5 files bpkit did not seal, parsed first in a child process.
///
/// libhdf5 trusts the structure of the files it opens, and damaged metadata
/// makes it crash or loop forever (h5py#1183, h5py#2569, HDFGroup/hdf5#1707;
/// RELIABILITY.md lists the inputs the reliability suite found). A bpkit
/// file carries a whole-file checksum, verified before libhdf5 sees it
/// (FORMAT.md). Any other HDF5 file, a Keras model, a data set from h5py, a
/// file from an earlier bpkit, is first walked by `bpkit probe-hdf5` in a
/// child process with limits on its time and memory: if libhdf5 crashes or
/// hangs there, bpkit refuses the file with a clear error instead of
/// crashing or hanging itself.
enum UntrustedHDF5 {
  /// The seconds the probe may take before the file counts as one that
  /// makes libhdf5 loop.
  static let timeout: Double = 10

  /// Refuses `path` when libhdf5 cannot parse it without crashing or
  /// hanging; does nothing for files that are not HDF5 or are sealed bpkit
  /// files, which the loaders check themselves.
  static func vet(_ path: String) throws {
    guard HDF5Signature.isPresent(atPath: path) else { return }
    // A damaged bpkit file is reported by the loader, before libhdf5.
    guard (try? BPKitFile.verifyChecksum(of: URL(fileURLWithPath: path))) == false else { return }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
    process.arguments = [ProbeCommand.configuration.commandName!, path]
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      // Without a probe the file is read as before, in this process.
      return
    }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning {
      if Date() > deadline {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw UntrustedFileError.libraryHung(file: path, seconds: timeout)
      }
      usleep(1000)
    }
    process.waitUntilExit()
    if process.terminationReason == .uncaughtSignal {
      throw UntrustedFileError.libraryCrashed(file: path, signal: process.terminationStatus)
    }
  }
}

/// An HDF5 file that libhdf5 cannot parse safely.
enum UntrustedFileError: Error, CustomStringConvertible, LocalizedError {
  /// libhdf5 died of a signal while the probe read the file's structure.
  case libraryCrashed(file: String, signal: Int32)
  /// libhdf5 did not finish reading the file's structure in time.
  case libraryHung(file: String, seconds: Double)

  var description: String {
    switch self {
    case .libraryCrashed(let file, let signal):
      "'\(file)' is damaged: libhdf5 crashed (\(String(cString: strsignal(signal)))) reading its structure in a "
        + "separate process, so bpkit did not open it; restore the file from a copy"
    case .libraryHung(let file, let seconds):
      "'\(file)' is damaged: libhdf5 did not finish reading its structure within \(Int(seconds)) s in a separate "
        + "process, so bpkit did not open it; restore the file from a copy"
    }
  }

  var errorDescription: String? { description }
}
