import Foundation

/// The folder a file benchmark (`bench checkpoint`, `bench convert`) writes
/// in: the one its `--folder` names, or a new temporary folder that is removed
/// when the benchmark ends.
struct BenchWorkFolder {
  let url: URL
  private let isTemporary: Bool

  /// The folder `given` names, or a new temporary one when it is `nil`.
  init(_ given: String?) throws {
    if let given {
      url = URL(fileURLWithPath: given)
      isTemporary = false
    } else {
      url = FileManager.default.temporaryDirectory.appendingPathComponent("bpkit-bench-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
      isTemporary = true
    }
  }

  /// Removes the folder if the benchmark made it.
  func removeIfTemporary() {
    if isTemporary { try? FileManager.default.removeItem(at: url) }
  }
}
