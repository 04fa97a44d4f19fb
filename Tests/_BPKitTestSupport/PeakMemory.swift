import Foundation

/// A child process run to its end, with the most memory it held.
public struct MeasuredRun: Sendable {
  /// The exit status, or `nil` when a signal ended the process.
  public var status: Int32?
  /// The signal that ended the process, or `nil` when it exited.
  public var signal: Int32?
  /// Everything written to standard error.
  public var error: String
  /// The peak resident set of the process, and of any child it waited
  /// for (bpkit's probe), in bytes: `ru_maxrss` from `wait4(2)`.
  public var peakBytes: Int

  /// The non-empty lines of standard error.
  public var errorLines: [Substring] {
    error.split(separator: "\n", omittingEmptySubsequences: true)
  }
}

/// Runs a program and reports its peak memory, from the kernel's own
/// accounting of that one child: no sampling and no timing involved, and
/// the other processes a test runner starts at the same time do not count.
public enum PeakMemory {
  /// Runs `executable` with `arguments` to its end.
  public static func run(_ executable: String, _ arguments: [String]) throws -> MeasuredRun {
    let folder = try TemporaryDirectory(prefix: "bpkit-peak")
    let errorPath = folder.path("stderr")
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, folder.path("stdout"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let argv = ([executable] + arguments).map { strdup($0) }
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let started = (argv + [nil]).withUnsafeBufferPointer {
      posix_spawn(&pid, executable, &actions, nil, $0.baseAddress!, environ)
    }
    guard started == 0 else { throw POSIXError(POSIXErrorCode(rawValue: started) ?? .EINVAL) }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 {
      guard errno == EINTR else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EINVAL) }
    }
    // WIFSIGNALED, WTERMSIG and WEXITSTATUS, which Swift does not import.
    let signal = status & 0x7f
    return MeasuredRun(
      status: signal == 0 ? (status >> 8) & 0xff : nil, signal: signal == 0 ? nil : signal,
      error: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "",
      // Linux counts ru_maxrss in kilobytes.
      peakBytes: Int(usage.ru_maxrss) * 1024)
  }
}
