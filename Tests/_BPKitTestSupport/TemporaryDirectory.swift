import Foundation

/// A fresh folder under the system's temporary directory, removed when the
/// value goes away.
public final class TemporaryDirectory: @unchecked Sendable {
  /// The folder's URL.
  public let url: URL

  /// Creates a new, empty folder.
  public init(prefix: String = "bpkit-test") throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: url) }

  /// The path of `name` inside the folder.
  public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}
