import Foundation
import HDF5

/// A model read from a Keras file, with what Keras stored about its training.
///
/// Read with ``BPKitFile/open(_:trust:network:)``; the format is detected from the
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
  /// The Keras loss the model was compiled with when bpkit has no such loss
  /// (``loss`` is then `nil`): training from the file must choose a loss.
  public var unsupportedLoss: String?
  /// Why the optimizer the model was compiled with was not imported, when it
  /// was compiled with one (``optimizer`` is then `nil`): training from the
  /// file must choose an optimizer.
  public var unsupportedOptimizer: String?
  /// The format of the file the model was read from; `nil` for a model made in memory.
  public var format: Format?
  /// The Keras backend that saved the file, as a legacy `.h5` records it
  /// (root attribute `backend`: `tensorflow`, `jax`, `torch`, `numpy`);
  /// `nil` for a `.keras` archive, which does not record it. An export
  /// writes it as the backend whose numbers the model's loss follows (see
  /// ``probabilityClip``).
  public var backend: String?

  /// Keras' probability clip as the recorded ``backend`` computes the
  /// file's ``loss`` (see ``ProbabilityClip``): ``ProbabilityClip/keras`` for
  /// JAX, PyTorch and NumPy, ``ProbabilityClip/off`` for TensorFlow (it
  /// takes the logits of a softmax or sigmoid output) or for a loss that
  /// reads no probabilities, and `nil` when the file does not say.
  public var probabilityClip: ProbabilityClip? {
    guard let loss, ProbabilityClip.applies(to: loss) else { return .off }
    switch backend {
    case "jax", "torch", "numpy": return .keras
    case "tensorflow": return .off
    default: return nil
    }
  }

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
  /// files the root attributes, after the opening policy's checks (an
  /// untrusted HDF5 file is first parsed by ``HDF5Probe``).
  public static func format(ofFileAtPath path: String, trust: FileTrust = .untrusted) -> Format? {
    switch try? OpeningPolicy.content(of: path) {
    case .zip: return KerasArchive.holdsKerasModel(path) ? .archive : nil
    case .hdf5:
      guard let file = try? OpeningPolicy.openHDF5(path, trust: trust, checkStructure: false) else { return nil }
      return (try? KerasLegacyHDF5.holdsKerasModel(file)) == true ? .legacyHDF5 : nil
    default: return nil
    }
  }

  /// Reads a Keras model file of either format, through BPKit's opening
  /// policy (see <doc:LoadingFiles>): the HDF5 of a legacy file or inside an
  /// archive is held to the same rules as bpkit's own files, so a weight
  /// stored in another file (external raw storage, a virtual dataset) is
  /// refused, and every tensor's shape is checked before it is read.
  ///
  /// - Throws: ``KerasError``: `notKerasModel` for other files,
  ///   `unsupportedLayers` naming every layer bpkit lacks, and others for
  ///   damaged files; ``OpeningError`` and ``FormatError`` from the policy.
  package init(contentsOfFile path: String, trust: FileTrust = .untrusted) throws {
    switch try OpeningPolicy.content(of: path) {
    case .zip:
      self = try KerasArchive.read(path, trust: trust)
    case .hdf5:
      self = try FormatError.wrappingHDF5Errors {
        let file = try OpeningPolicy.openHDF5(path, trust: trust)
        guard try KerasLegacyHDF5.holdsKerasModel(file) else {
          throw KerasError.notKerasModel(file: path, detail: "the HDF5 file has no model_config attribute")
        }
        return try KerasLegacyHDF5.read(file, path: path)
      }
    case .json, .other:
      throw KerasError.notKerasModel(
        file: path, detail: "expected an HDF5 file with a model_config attribute or a zip archive with config.json")
    }
  }
}
