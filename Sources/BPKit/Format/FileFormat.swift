import Foundation

/// The formats bpkit writes a model or checkpoint in, with
/// ``BPKitFile/write(to:format:options:)``.
///
/// Reading needs no format: ``BPKitFile/open(_:trust:network:)`` tells them
/// apart by content.
public enum FileFormat: String, Sendable, CaseIterable {
  /// bpkit's HDF5 file, a model or a checkpoint (see <doc:CheckpointFormat>).
  case hdf5 = "h5"
  /// A bpkit JSON document, a model or a checkpoint (see <doc:JSONSchema>).
  case json
  /// The Keras 3 `.keras` archive, with the optimizer state and loss of a checkpoint.
  case keras
  /// Keras' legacy HDF5 file, as `model.save("m.h5")` writes it.
  case kerasHDF5 = "keras-h5"
  /// ONNX, for onnxruntime and the other ONNX runtimes: the model alone.
  case onnx
  /// PyTorch's safetensors, tensors named as `nn.Sequential` names them: the model alone.
  case safetensors

  /// The format a file's extension names: `.h5` or `.hdf5` bpkit HDF5,
  /// `.json`, `.keras`, `.onnx` and `.safetensors`; `nil` for any other.
  /// A Keras legacy `.h5` file shares its extension with bpkit's, so it is
  /// written only when asked for by name.
  public init?(pathExtensionOf path: String) {
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "h5", "hdf5": self = .hdf5
    case "json": self = .json
    case "keras": self = .keras
    case "onnx": self = .onnx
    case "safetensors": self = .safetensors
    default: return nil
    }
  }

  /// Whether the format keeps a checkpoint's training state (optimizer
  /// slots, progress, history); the others hold the model alone, or for
  /// Keras its optimizer state and loss.
  public var keepsTrainingState: Bool { self == .hdf5 || self == .json }

  /// What a file of this format is, for messages: "an ONNX file", say.
  var noun: String {
    switch self {
    case .hdf5: "a bpkit model file"
    case .json: "a bpkit JSON model document"
    case .keras: "a Keras archive"
    case .kerasHDF5: "a Keras HDF5 file"
    case .onnx: "an ONNX file"
    case .safetensors: "a safetensors file"
    }
  }
}
