import BPKit
import Foundation

/// Opens any file bpkit takes a model from: bpkit JSON documents and Keras
/// files of either format, told apart by content rather than by extension.
enum ModelFile {
  /// What a model file holds.
  enum Content {
    case model(Model)
    case checkpoint(Checkpoint)
    case keras(KerasModel)

    /// The network and weights.
    var model: Model {
      switch self {
      case .model(let model): model
      case .checkpoint(let checkpoint): checkpoint.model
      case .keras(let keras): keras.model
      }
    }

    /// The content as a Keras model with whatever training state it has.
    var asKeras: KerasModel {
      switch self {
      case .model(let model): KerasModel(model: model)
      case .checkpoint(let checkpoint):
        KerasModel(model: checkpoint.model, optimizer: checkpoint.optimizer, loss: checkpoint.configuration.loss)
      case .keras(let keras): keras
      }
    }
  }

  /// Reads a model or checkpoint file of any supported kind.
  static func open(_ path: String) throws -> Content {
    guard FileManager.default.isReadableFile(atPath: path) else {
      throw BPKitJSONError.unreadable(file: path, reason: "no such readable file")
    }
    if KerasModel.format(ofFileAtPath: path) != nil { return .keras(try KerasModel(contentsOfFile: path)) }
    if BPKitJSON.looksLikeJSON(atPath: path) {
      switch try BPKitJSON.read(contentsOfFile: path) {
      case .model(let model): return .model(model)
      case .checkpoint(let checkpoint): return .checkpoint(checkpoint)
      }
    }
    throw UnknownModelFile(path: path)
  }
}

/// A file that is none of the kinds bpkit reads models from.
struct UnknownModelFile: Error, LocalizedError {
  var path: String

  var errorDescription: String? {
    "'\(path)' is not a model bpkit reads: expected a bpkit JSON document or a Keras .keras or .h5 model file"
  }
}
