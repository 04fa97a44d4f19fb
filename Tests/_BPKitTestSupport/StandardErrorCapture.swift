import Foundation

/// Runs `body` with the process' standard error redirected to a file and
/// returns what was written to it, so tests can prove a library stayed quiet.
public func capturingStandardError(_ body: () throws -> Void) rethrows -> String {
  fflush(nil)
  let folder = FileManager.default.temporaryDirectory
  let path = folder.appendingPathComponent("stderr-\(UUID().uuidString)").path
  let capture = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o600)
  let saved = dup(STDERR_FILENO)
  dup2(capture, STDERR_FILENO)
  defer {
    fflush(nil)
    dup2(saved, STDERR_FILENO)
    close(saved)
    close(capture)
    try? FileManager.default.removeItem(atPath: path)
  }
  try body()
  fflush(nil)
  return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}
