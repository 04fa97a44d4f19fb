import Foundation
import HDF5

/// Any model or checkpoint file bpkit can open, loaded: the one way BPKit
/// reads a model or checkpoint in any format, and, with
/// ``write(to:format:options:)``, the one way it writes them.
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
/// and safetensors files as models (a plain PyTorch state_dict in
/// safetensors with the network given to ``open(_:trust:network:)``); all
/// are told apart by content, since a Keras `.h5` and a bpkit `.h5` share
/// the extension. Switch with `default`, or use ``model``, which every kind has.
public enum BPKitFile: Sendable {
  /// A bpkit model file, or a bpkit JSON model document.
  case model(Model)
  /// A bpkit checkpoint, or a bpkit JSON checkpoint document.
  case checkpoint(Checkpoint)
  /// A Keras model file, with the optimizer state and loss it was compiled with.
  case keras(KerasModel)

  /// Opens and loads the file at `url`, whatever supported kind it is,
  /// through BPKit's one opening policy (see <doc:LoadingFiles>).
  ///
  /// - Parameters:
  ///   - url: The file.
  ///   - trust: ``FileTrust/untrusted`` (the default) for any file a person
  ///     or another file names: HDF5 content is first parsed by
  ///     ``HDF5Probe`` in a child process. ``FileTrust/trusted`` only for
  ///     files this program wrote itself.
  ///   - network: The network of a plain PyTorch state_dict in safetensors,
  ///     which holds weights alone: each layer takes the next module of its
  ///     kind in the file (Schemas/PYTORCH.md). `nil` for every other file.
  /// - Throws: ``BPKitError``, naming the file and the object at fault:
  ///   ``BPKitError/Code/fileNotFound``, ``BPKitError/Code/permissionDenied``
  ///   or ``BPKitError/Code/readFailed`` for paths that cannot be read or are
  ///   not regular files; ``BPKitError/Code/refused`` for files the opening
  ///   policy or the probe refuses; ``BPKitError/Code/wrongKindOfFile``,
  ///   ``BPKitError/Code/newerFormat``, ``BPKitError/Code/damaged`` or
  ///   ``BPKitError/Code/invalidFile`` for files that are not what they must
  ///   be (libhdf5's own failures as ``BPKitError/Code/hdf5``, with the
  ///   `HDF5Error` as ``BPKitError/underlying``); ``BPKitError/Code/unsupported``
  ///   for Keras and ONNX models bpkit cannot import; ``BPKitError/Code/doesNotFit``
  ///   for a plain state_dict without `network` or that does not fit it.
  public static func open(_ url: URL, trust: FileTrust = .untrusted, network: NetworkDescription? = nil)
    throws(BPKitError)
    -> BPKitFile
  {
    do {
      if let network {
        guard SafetensorsFormat.looksLikeSafetensors(atPath: url.path) else {
          throw SafetensorsError.notSafetensors(
            file: url.path, detail: "a network is given only with a PyTorch state_dict in safetensors")
        }
        return .model(try Model(safetensorsContentsOf: url, network: network))
      }
      return try load(url.path, trust: trust).file

    } catch {
      throw BPKitError(error)
    }
  }

  /// A loaded file and the container it came in, with the version it declares.
  struct Loaded {
    var file: BPKitFile
    var format: String
    var formatVersion: String?
    /// Objects the file holds that its format does not define, which no
    /// reader takes (Schemas/FORMAT.md: readers ignore what they do not
    /// know), one sentence each, for ``FileSummary/warnings``.
    var unread: [String] = []
  }

  static func load(_ path: String, trust: FileTrust) throws -> Loaded {
    switch try OpeningPolicy.content(of: path) {
    case .zip:
      // libhdf5's own failures inside a Keras file are FormatError.hdf5, as for every other HDF5 file.
      let keras = try FormatError.wrappingHDF5Errors { try KerasArchive.read(path, trust: trust) }
      return Loaded(file: .keras(keras), format: KerasModel.Format.archive.rawValue, formatVersion: keras.kerasVersion)
    case .json:
      let (document, version) = try BPKitJSON.readWithVersion(contentsOfFile: path)
      switch document {
      case .model(let model): return Loaded(file: .model(model), format: "json", formatVersion: String(version))
      case .checkpoint(let checkpoint):
        return Loaded(file: .checkpoint(checkpoint), format: "json", formatVersion: String(version))
      }
    case .other where SafetensorsFormat.looksLikeSafetensors(atPath: path):
      let model = try Model(safetensorsContentsOf: URL(fileURLWithPath: path))
      return Loaded(file: .model(model), format: "safetensors")
    case .other where ONNXFormat.looksLikeONNX(atPath: path):
      return Loaded(file: .model(try Model(onnxContentsOf: URL(fileURLWithPath: path))), format: "onnx")
    case .hdf5, .other:
      return try FormatError.wrappingHDF5Errors { try loadHDF5(try OpeningPolicy.openHDF5(path, trust: trust), path) }
    }
  }

  /// Loads an HDF5 file the opening policy let through: a Keras model or a
  /// bpkit model or checkpoint.
  static func loadHDF5(_ file: HDF5File, _ path: String) throws -> Loaded {
    if try KerasLegacyHDF5.holdsKerasModel(file) {
      let keras = try KerasLegacyHDF5.read(file, path: path)
      return Loaded(
        file: .keras(keras), format: KerasModel.Format.legacyHDF5.rawValue, formatVersion: keras.kerasVersion)
    }
    let reader = try FileReader(file: file, path: path)
    let loaded: BPKitFile =
      switch reader.kind {
      case .model: .model(try ModelFileCoding.readModel(reader))
      case .checkpoint: .checkpoint(try CheckpointFileCoding.read(reader))
      }
    return Loaded(
      file: loaded, format: "hdf5", formatVersion: reader.version.description,
      unread: try reader.undefinedRootObjects().map {
        "'/\($0)' is not part of bpkit format \(reader.version) \(reader.kind.rawValue)s; bpkit did not read it"
      })
  }

  /// Opens any HDF5 file through BPKit's opening policy and hands it over
  /// for the caller to read with the `HDF5` module: the path must be a
  /// regular file, a bpkit file's whole-file checksum must match, and an
  /// untrusted file is first parsed by ``HDF5Probe`` in a child process.
  ///
  /// - Parameters:
  ///   - url: The file.
  ///   - trust: Whether to skip the child-process probe.
  ///   - checkStructure: Whether to walk the structure with bpkit's rules
  ///     (no links out of the file, no external raw data, no virtual
  ///     datasets, no plugin filters, sizes the file can hold). Only a
  ///     listing that follows no link and reads no data should pass `false`.
  /// - Throws: ``BPKitError`` naming the object that breaks the rules.
  public static func openHDF5(_ url: URL, trust: FileTrust = .untrusted, checkStructure: Bool = true) throws(BPKitError)
    -> HDF5File
  {
    do {
      return try OpeningPolicy.openHDF5(url.path, trust: trust, checkStructure: checkStructure)

    } catch {
      throw BPKitError(error)
    }
  }

  /// Checks the whole-file checksum a bpkit HDF5 file carries in its user
  /// block, without handing the file to libhdf5 (see FORMAT.md, "Whole-file
  /// checksum"). Every loader here does this first; programs that open bpkit
  /// files with libhdf5 themselves should use ``openHDF5(_:trust:checkStructure:)``.
  ///
  /// - Returns: `true` when the file matches its checksum; `false` when it
  ///   has none (a file from another program or written by an earlier bpkit).
  /// - Throws: ``BPKitError/Code/damaged`` when it does not match.
  public static func verifyChecksum(of url: URL) throws(BPKitError) -> Bool {
    do {
      return try FileChecksum.verify(url.path) == .verified

    } catch {
      throw BPKitError(error)
    }
  }

  /// What the file at `url` is, from its root attributes, without loading its data.
  ///
  /// - Throws: ``BPKitError`` when it is not a bpkit
  ///   HDF5 file this version can read.
  public static func kind(of url: URL, trust: FileTrust = .untrusted) throws(BPKitError) -> BPKitFileKind {
    do {
      return try FormatError.wrappingHDF5Errors { try FileReader(path: url.path, trust: trust).kind }

    } catch {
      throw BPKitError(error)
    }
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

  /// The loss the file says trained its model: a checkpoint's, or the one a
  /// Keras model was compiled with; `nil` for plain models, which do not
  /// record it. A from-logits loss says that the model's outputs are logits
  /// (``NetworkDescription/outputKind(loss:)``).
  public var loss: Loss? {
    switch self {
    case .model: nil
    case .checkpoint(let checkpoint): checkpoint.configuration.loss
    case .keras(let keras): keras.loss
    }
  }

  /// ε of Keras' probability clip the file's loss was computed with: a
  /// checkpoint's (``TrainingConfiguration/probabilityClip``), or 1e-7 for a
  /// Keras file whose backend clips (``KerasModel/probabilityClip``); `nil`
  /// when the file records none.
  public var probabilityClip: Double? {
    switch self {
    case .model: nil
    case .checkpoint(let checkpoint): checkpoint.configuration.probabilityClip
    case .keras(let keras): keras.probabilityClip?.value
    }
  }
}
