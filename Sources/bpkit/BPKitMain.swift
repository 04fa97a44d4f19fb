import ArgumentParser
import BPKit
import Foundation

/// Runs `bpkit`.
///
/// swift-argument-parser exits with 64 (`EX_USAGE`) on a usage error; bpkit
/// documents 2, as most Unix tools use, so usage errors are mapped here. Every
/// other outcome (help, version, a command's own exit code) is the parser's.
@main
enum BPKitMain {
  static func main() async {
    // Every untrusted HDF5 file the library opens is first parsed in a child
    // process: by the `bpkit-probe` built beside bpkit (a small C program
    // that starts in a millisecond) or, without one, by this same executable
    // (`bpkit probe-hdf5`). Looked for when the first file is opened.
    HDF5Probe.useWhenNoneIsFound(ProbeCommand.probe)
    do {
      var command = try BPKitCommand.parseAsRoot()
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      if BPKitCommand.exitCode(for: error) == .validationFailure {
        let message = BPKitCommand.fullMessage(for: error)
        let hint = UsageHints.message(for: message, arguments: Array(CommandLine.arguments.dropFirst()))
        FileHandle.standardError.write(Data(((hint ?? message) + "\n").utf8))
        exit(ExitStatus.usage)
      }
      BPKitCommand.exit(withError: error)
    }
  }
}
