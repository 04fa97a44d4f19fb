import Foundation

/// Any file bpkit can open, loaded: the one entry point for programs that
/// take a file from the user and want to know what it is.
///
/// ```swift
/// switch try BPKitFile.open(url) {
/// case .model(let model): print(model.network.layers.count)
/// case .checkpoint(let checkpoint): print(checkpoint.progress.epoch)
/// }
/// ```
///
/// More kinds (Keras files) are added as cases; switch with `default` or use
/// ``model``, which every kind has.
public enum BPKitFile: Sendable {
  /// A bpkit model file.
  case model(Model)
  /// A bpkit checkpoint.
  case checkpoint(Checkpoint)

  /// Opens and loads the file at `url`, whatever supported kind it is.
  ///
  /// - Throws: ``FormatError`` naming the file and the object at fault.
  public static func open(_ url: URL) throws -> BPKitFile {
    try FormatError.wrapping(url.path) {
      let reader = try FileReader(path: url.path)
      switch reader.kind {
      case .model: return .model(try ModelFileCoding.readModel(reader))
      case .checkpoint: return .checkpoint(try CheckpointFileCoding.read(reader))
      }
    }
  }

  /// What the file at `url` is, from its root attributes, without loading its data.
  ///
  /// - Throws: ``FormatError`` when it is not a bpkit file this version can read.
  public static func kind(of url: URL) throws -> BPKitFileKind {
    try FormatError.wrapping(url.path) { try FileReader(path: url.path).kind }
  }

  /// The kind of the loaded file.
  public var kind: BPKitFileKind {
    switch self {
    case .model: .model
    case .checkpoint: .checkpoint
    }
  }

  /// The network and its weights, whatever the kind.
  public var model: Model {
    switch self {
    case .model(let model): model
    case .checkpoint(let checkpoint): checkpoint.model
    }
  }
}
