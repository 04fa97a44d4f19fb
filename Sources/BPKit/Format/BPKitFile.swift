import Foundation
import HDF5

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
/// Keras files (`.keras` archives and legacy `.h5` models) open as
/// ``keras(_:)``, bpkit JSON documents as models or checkpoints, and ONNX
/// models as models; all are told apart by content, since a Keras `.h5` and
/// a bpkit `.h5` share the extension. Switch with `default`, or use ``model``, which every kind has.
public enum BPKitFile: Sendable {
  /// A bpkit model file, or a bpkit JSON model document.
  case model(Model)
  /// A bpkit checkpoint, or a bpkit JSON checkpoint document.
  case checkpoint(Checkpoint)
  /// A Keras model file, with the optimizer state and loss it was compiled with.
  case keras(KerasModel)

  /// Opens and loads the file at `url`, whatever supported kind it is.
  ///
  /// - Throws: ``FormatError`` naming the file and the object at fault,
  ///   libhdf5's own failures included (``FormatError/hdf5(_:)``, for Keras
  ///   files too); ``KerasError`` for Keras files bpkit cannot import;
  ///   ``BPKitJSONError`` for JSON documents that break the schema;
  ///   ``ONNXError`` for ONNX files it cannot import.
  public static func open(_ url: URL) throws -> BPKitFile {
    if KerasModel.format(ofFileAtPath: url.path) != nil {
      // libhdf5's own failures inside a legacy Keras file are FormatError.hdf5,
      // as for every other HDF5 file, never a bare HDF5Error.
      return .keras(try FormatError.wrappingHDF5Errors { try KerasModel(contentsOfFile: url.path) })
    }
    if BPKitJSON.looksLikeJSON(atPath: url.path) {
      switch try BPKitJSON.read(contentsOfFile: url.path) {
      case .model(let model): return .model(model)
      case .checkpoint(let checkpoint): return .checkpoint(checkpoint)
      }
    }
    if !HDF5Signature.isPresent(atPath: url.path), ONNXFormat.looksLikeONNX(atPath: url.path) {
      return .model(try Model(onnxContentsOf: url))
    }
    return try FormatError.wrappingHDF5Errors {
      let reader = try FileReader(path: url.path)
      switch reader.kind {
      case .model: return .model(try ModelFileCoding.readModel(reader))
      case .checkpoint: return .checkpoint(try CheckpointFileCoding.read(reader))
      }
    }
  }

  /// Checks the whole-file checksum a bpkit HDF5 file carries in its user
  /// block, without handing the file to libhdf5 (see FORMAT.md, "Whole-file
  /// checksum"). Every loader here does this first; programs that open bpkit
  /// files with libhdf5 themselves should too.
  ///
  /// - Returns: `true` when the file matches its checksum; `false` when it
  ///   has none (a file from another program or written by an earlier bpkit).
  /// - Throws: ``FormatError/fileDamaged(file:reason:)`` when it does not match.
  public static func verifyChecksum(of url: URL) throws -> Bool {
    try FileChecksum.verify(url.path) == .verified
  }

  /// What the file at `url` is, from its root attributes, without loading its data.
  ///
  /// - Throws: ``FormatError`` when it is not a bpkit file this version can read.
  public static func kind(of url: URL) throws -> BPKitFileKind {
    try FormatError.wrappingHDF5Errors { try FileReader(path: url.path).kind }
  }

  /// The kind of the loaded file; a Keras file holds a model.
  public var kind: BPKitFileKind {
    switch self {
    case .model, .keras: .model
    case .checkpoint: .checkpoint
    }
  }

  /// The network and its weights, whatever the kind.
  public var model: Model {
    switch self {
    case .model(let model): model
    case .checkpoint(let checkpoint): checkpoint.model
    case .keras(let keras): keras.model
    }
  }

  /// The optimizer state the file holds: a checkpoint's, or the one a Keras
  /// model was compiled and trained with; `nil` for plain models.
  public var optimizer: OptimizerState? {
    switch self {
    case .model: nil
    case .checkpoint(let checkpoint): checkpoint.optimizer
    case .keras(let keras): keras.optimizer
    }
  }
}
