import Foundation

/// How a child process run under a time limit ended, and what it printed.
public struct GuardedResult: Sendable {
  /// How the process ended.
  public enum Ending: Sendable, Equatable, CustomStringConvertible {
    /// It exited with this status.
    case exited(Int32)
    /// A signal ended it: a crash (SIGSEGV, SIGABRT, SIGBUS, ...) or a kill.
    case signaled(Int32)
    /// It ran past its time limit and was killed with SIGKILL.
    case timedOut

    public var description: String {
      switch self {
      case .exited(let status): "exit \(status)"
      case .signaled(let signal): "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
      case .timedOut: "timed out"
      }
    }
  }

  /// How the process ended.
  public var ending: Ending
  /// Everything written to standard output.
  public var output: String
  /// Everything written to standard error.
  public var error: String
  /// Wall-clock seconds from start to end.
  public var seconds: Double

  /// The exit status, or `nil` when the process did not exit by itself.
  public var status: Int32? {
    if case .exited(let status) = ending { status } else { nil }
  }

  /// The non-empty lines of standard error.
  public var errorLines: [Substring] {
    error.split(separator: "\n", omittingEmptySubsequences: true)
  }
}

/// Runs programs with a time limit, telling an exit from a crash and a hang.
///
/// Output goes to files rather than pipes, so a child that writes a lot can
/// never block on a full pipe and be mistaken for a hang.
public enum GuardedProcess {
  /// Runs `executable` to completion or until `timeout` seconds have passed.
  ///
  /// - Parameters:
  ///   - executable: The program's path.
  ///   - arguments: Its arguments.
  ///   - timeout: Seconds after which the process is killed with SIGKILL and
  ///     reported as ``GuardedResult/Ending-swift.enum/timedOut``.
  ///   - currentDirectory: Its working directory; the caller's by default.
  ///   - input: Bytes for its standard input; empty by default.
  ///   - environment: Variables to set or change in the child's environment.
  public static func run(
    _ executable: String, _ arguments: [String], timeout: Double = 20, currentDirectory: String? = nil,
    input: Data = Data(), environment: [String: String] = [:]
  ) throws -> GuardedResult {
    let folder = try TemporaryDirectory(prefix: "bpkit-guarded")
    let outputPath = folder.path("stdout"), errorPath = folder.path("stderr"), inputPath = folder.path("stdin")
    try input.write(to: URL(fileURLWithPath: inputPath))
    _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let outputHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
    let errorHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
    let inputHandle = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
    defer {
      try? outputHandle.close()
      try? errorHandle.close()
      try? inputHandle.close()
    }
    process.standardOutput = outputHandle
    process.standardError = errorHandle
    process.standardInput = inputHandle
    let start = Date()
    try process.run()
    let deadline = start.addingTimeInterval(timeout)
    var timedOut = false
    while process.isRunning {
      if Date() > deadline {
        kill(process.processIdentifier, SIGKILL)
        timedOut = true
        break
      }
      usleep(2000)
    }
    process.waitUntilExit()
    let seconds = Date().timeIntervalSince(start)
    let ending: GuardedResult.Ending =
      timedOut
      ? .timedOut
      : process.terminationReason == .uncaughtSignal
        ? .signaled(process.terminationStatus) : .exited(process.terminationStatus)
    return GuardedResult(
      ending: ending,
      output: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: outputPath))) ?? Data(), as: UTF8.self),
      error: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: errorPath))) ?? Data(), as: UTF8.self),
      seconds: seconds)
  }
}
