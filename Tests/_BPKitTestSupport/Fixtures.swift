import Foundation

/// Files bundled in the repository's `Fixtures/` folder.
public enum Fixtures {
  /// The repository's root folder, found from this source file's location.
  public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The path of a fixture, for example `Fixtures.path("keras/mlp_tanh_softmax.h5")`.
  public static func path(_ relative: String) -> String {
    repositoryRoot.appendingPathComponent("Fixtures").appendingPathComponent(relative).path
  }
}
