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
/// accounting of that one process: no sampling and no timing involved.
///
/// Linux keeps, across `exec`, the peak of the process that forked it
/// (`exec_mmap` records the old memory's high-water mark), so a child of
/// the test runner would start at the runner's hundreds of megabytes. The
/// program is therefore started by a small Python process, the test-time
/// tool the suite already uses, which reports its child's `ru_maxrss`.
public enum PeakMemory {
  static let script = """
    import os, sys
    report, argv = sys.argv[1], sys.argv[2:]
    pid = os.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    _, status, usage = os.wait4(pid, 0)
    with open(report, "w") as f:
        f.write(str(usage.ru_maxrss))
    sys.exit(os.waitstatus_to_exitcode(status) % 256 if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
    """

  /// Runs `executable` with `arguments` to its end; a run past `timeout`
  /// seconds (a hang, not a slow run) is killed and throws.
  public static func run(_ executable: String, _ arguments: [String], timeout: Double = 600) throws -> MeasuredRun {
    let folder = try TemporaryDirectory(prefix: "bpkit-peak")
    let report = folder.path("peak")
    let result = try GuardedProcess.run(
      "/usr/bin/python3", ["-c", script, report, executable] + arguments, timeout: timeout)
    guard let status = result.status, let kilobytes = Int((try? String(contentsOfFile: report, encoding: .utf8)) ?? "")
    else {
      throw POSIXError(.ECHILD)
    }
    return MeasuredRun(
      status: status < 128 ? status : nil, signal: status < 128 ? nil : status - 128, error: result.error,
      // Linux counts ru_maxrss in kilobytes.
      peakBytes: kilobytes * 1024)
  }
}
