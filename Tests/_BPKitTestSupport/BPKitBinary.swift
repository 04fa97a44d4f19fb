import Foundation

/// The built `bpkit` executable, driven by end-to-end tests as a user would.
public enum BPKitBinary {
  /// Its path: `BPKIT_BINARY` when set, otherwise the `bpkit` built beside the test bundle.
  public static let path: String = {
    if let path = ProcessInfo.processInfo.environment["BPKIT_BINARY"] { return path }
    var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    // The test bundle is a folder on some platforms: climb to the build folder.
    while !FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("bpkit").path),
      folder.path != "/"
    {
      folder.deleteLastPathComponent()
    }
    return folder.appendingPathComponent("bpkit").path
  }()

  /// Runs `bpkit` with `arguments` and waits for it to finish.
  public static func run(_ arguments: String..., input: Data? = nil) throws -> ProcessResult {
    try runProcess(path, arguments, input: input)
  }

  /// Runs `bpkit` with an argument array, optionally with more environment variables.
  public static func run(arguments: [String], input: Data? = nil, environment: [String: String] = [:]) throws
    -> ProcessResult
  {
    try runProcess(path, arguments, input: input, environment: environment)
  }
}
