import ArgumentParser
import BPKit
import Foundation

/// `bpkit probe-hdf5 FILE`: bpkit is its own HDF5 probe (``HDF5Probe``):
/// the opening policy runs this in a child process to learn whether libhdf5
/// can parse a file without crashing. Not for people.
struct ProbeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "probe-hdf5",
    abstract: "Parse an HDF5 file's structure in a child process (used by bpkit itself).",
    shouldDisplay: false
  )

  @Argument var file: String

  /// This executable, run as `bpkit probe-hdf5 FILE`.
  static var probe: HDF5Probe {
    HDF5Probe(executable: URL(fileURLWithPath: "/proc/self/exe"), arguments: [configuration.commandName!])
  }

  func run() throws {
    let status = HDF5Probe.runChild(arguments: [file])
    if status != 0 { throw ExitCode(status) }
  }
}
