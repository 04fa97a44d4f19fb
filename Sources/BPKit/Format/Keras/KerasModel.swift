import Foundation
import HDF5

/// A model read from a Keras file, with what Keras stored about its training.
///
/// Read with ``init(contentsOfFile:)``; the format is detected from the
/// file's content, since a Keras `.h5` and a bpkit `.h5` share the extension.
public struct KerasModel: Sendable {
  /// The two file formats Keras saves models in.
  public enum Format: String, Sendable {
    /// Keras' legacy HDF5 format (`model.save("m.h5")`): root attributes
    /// `model_config` and `training_config`, weights under `model_weights/`.
    case legacyHDF5 = "keras-h5"
    /// The Keras 3 format (`model.save("m.keras")`): a zip archive of
    /// `config.json`, `metadata.json` and `model.weights.h5`.
    case archive = "keras"
  }

  /// The network and its weights.
  public var model: Model
  /// The compiled optimizer's configuration and state, when the file holds
  /// them and bpkit has the optimizer; training continues from here.
  public var optimizer: OptimizerState?
  /// The loss the model was compiled with, when bpkit has it.
  public var loss: Loss?
  /// The Keras version that wrote the file.
  public var kerasVersion: String?
  /// Things that were not imported and why (an optimizer bpkit lacks, say).
  public var warnings: [String]

  /// Creates a value from its parts.
  public init(
    model: Model, optimizer: OptimizerState? = nil, loss: Loss? = nil, kerasVersion: String? = nil,
    warnings: [String] = []
  ) {
    self.model = model
    self.optimizer = optimizer
    self.loss = loss
    self.kerasVersion = kerasVersion
    self.warnings = warnings
  }

  /// Which Keras format a file is in, from its content, or `nil` when it is
  /// not a Keras model file. Reads only the file's first bytes, and for HDF5
  /// files the root attributes.
  public static func format(ofFileAtPath path: String) -> Format? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    let head = (try? handle.read(upToCount: 8)) ?? Data()
    try? handle.close()
    if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return KerasArchive.holdsKerasModel(path) ? .archive : nil }
    if head.starts(with: HDF5Signature.bytes) { return KerasLegacyHDF5.holdsKerasModel(path) ? .legacyHDF5 : nil }
    return nil
  }

  /// Reads a Keras model file of either format.
  ///
  /// - Throws: ``KerasError``: `notKerasModel` for other files,
  ///   `unsupportedLayers` naming every layer bpkit lacks, and others for
  ///   damaged files; `HDF5Error` when the HDF5 layer fails.
  public init(contentsOfFile path: String) throws {
    switch Self.format(ofFileAtPath: path) {
    case .legacyHDF5: self = try KerasLegacyHDF5.read(path)
    case .archive: self = try KerasArchive.read(path)
    case nil:
      guard FileManager.default.isReadableFile(atPath: path) else {
        throw KerasError.io(file: path, detail: "no such readable file")
      }
      throw KerasError.notKerasModel(
        file: path, detail: "expected an HDF5 file with a model_config attribute or a zip archive with config.json")
    }
  }
}
