import Foundation

/// What a finished child process left behind.
public struct ProcessResult: Sendable {
  /// The exit status (or the signal number for a process killed by a signal).
  public var status: Int32
  /// Everything written to standard output.
  public var output: String
  /// Everything written to standard error.
  public var error: String
}

/// Runs a program to completion and captures its output.
///
/// - Parameters:
///   - executable: The program's path.
///   - arguments: Its arguments.
///   - input: Bytes written to its standard input, which is then closed.
///   - environment: Variables set for the program on top of this process's.
public func runProcess(
  _ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String] = [:]
) throws -> ProcessResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  if !environment.isEmpty {
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  }
  let output = Pipe(), error = Pipe(), stdin = Pipe()
  process.standardOutput = output
  process.standardError = error
  process.standardInput = stdin
  try process.run()
  if let input { stdin.fileHandleForWriting.write(input) }
  try stdin.fileHandleForWriting.close()
  // Read both pipes concurrently so neither fills up and blocks the child.
  let errorData = LockedData()
  let reader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
  reader.start()
  let outputData = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  while !errorData.isSet { usleep(1000) }
  return ProcessResult(
    status: process.terminationStatus,
    output: String(decoding: outputData, as: UTF8.self),
    error: String(decoding: errorData.value, as: UTF8.self))
}

private final class LockedData: @unchecked Sendable {
  private let lock = NSLock()
  private var data: Data?
  func set(_ value: Data) { lock.withLock { data = value } }
  var isSet: Bool { lock.withLock { data != nil } }
  var value: Data { lock.withLock { data ?? Data() } }
}
