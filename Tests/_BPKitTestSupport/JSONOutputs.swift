import Foundation

/// The folder where tests leave every JSON document bpkit wrote, so that
/// `make test` can validate them all against the published schemas afterwards.
public enum JSONOutputs {
  /// `.build/json-outputs` in the repository.
  public static let folder: URL = Fixtures.repositoryRoot.appendingPathComponent(".build/json-outputs")

  /// Keeps a copy of a document under `name` (a file name ending in `.json`)
  /// and of which kind, `model` or `checkpoint`, it is.
  public static func keep(_ data: Data, kind: String, name: String) {
    let folder = folder.appendingPathComponent(kind)
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try? data.write(to: folder.appendingPathComponent(name))
  }

  /// Keeps a copy of a document file.
  public static func keep(fileAtPath path: String, kind: String, name: String) {
    guard let data = FileManager.default.contents(atPath: path) else { return }
    keep(data, kind: kind, name: name)
  }
}
