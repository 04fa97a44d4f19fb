import Foundation
import HDF5

/// What a file bpkit opens holds, at a glance: its kind and format, the
/// network layer by layer, and for checkpoints where the run stands.
///
/// ```swift
/// let summary = try FileSummary(contentsOf: url)
/// print(summary.text)                 // the table bpkit inspect prints
/// let json = try summary.jsonData()   // the object bpkit inspect --json prints
/// ```
public struct FileSummary: Sendable, Encodable {
  /// The file's path, as given.
  public var path: String
  /// `model` or `checkpoint` (a Keras file holds a model).
  public var kind: String
  /// The container: `hdf5` (bpkit's layout), `json` (bpkit's JSON
  /// documents), `keras` (a Keras 3 archive) or `keras-h5` (Keras' legacy HDF5).
  public var format: String
  /// The version of that format the file declares; for Keras files, the Keras
  /// version that wrote it.
  public var formatVersion: String?
  /// The file's size in bytes.
  public var fileSize: Int64
  /// The network.
  public var model: ModelSummary
  /// The optimizer's state the file holds (a checkpoint's, or the one a
  /// Keras model was compiled with), or `nil`.
  public var optimizer: OptimizerSummary?
  /// The run, for checkpoints.
  public var checkpoint: CheckpointSummary?
  /// A Keras file's compiled loss and backend, or `nil` for other files.
  public var keras: KerasSummary?
  /// What bpkit could not take from the file, or changed (a Keras optimizer
  /// or loss bpkit lacks, say, or an object at the root of a bpkit HDF5 file
  /// that its format does not define), one sentence each; empty when nothing.
  public var warnings: [String]

  /// Opens the file at `url` with ``BPKitFile/open(_:trust:network:)`` and summarises it.
  ///
  /// - Throws: whatever ``BPKitFile/open(_:trust:network:)`` throws for a file it cannot open.
  public init(contentsOf url: URL, trust: FileTrust = .untrusted) throws(BPKitError) {
    do {
      let loaded = try BPKitFile.load(url.path, trust: trust)
      // stat(2) follows a symbolic link (/proc/self/fd/3) to the file's size.
      var status = stat()
      self.init(
        loaded.file, path: url.path, fileSize: stat(url.path, &status) == 0 ? Int64(status.st_size) : 0,
        format: (loaded.format, loaded.formatVersion))
      warnings += loaded.unread
    } catch {
      throw BPKitError(error)
    }
  }

  /// Summarises a file already opened, given what only the file on disk tells.
  ///
  /// - Parameters:
  ///   - file: the opened file.
  ///   - path: where it was read from.
  ///   - fileSize: its size in bytes.
  ///   - format: its container and the format version it declares.
  public init(_ file: BPKitFile, path: String, fileSize: Int64, format: (name: String, version: String?)) {
    self.path = path
    self.fileSize = fileSize
    self.format = format.name
    formatVersion = format.version
    kind = file.kind.rawValue
    model = ModelSummary(file.model)
    optimizer = file.optimizer.map(OptimizerSummary.init)
    if case .checkpoint(let value) = file { checkpoint = CheckpointSummary(value) } else { checkpoint = nil }
    if case .keras(let keras) = file {
      warnings = keras.warnings
      self.keras = KerasSummary(keras)
    } else {
      warnings = []
    }
  }

  /// The summary as one JSON object with snake_case keys in sorted order;
  /// members a file lacks are `null`, so the keys are the same for every file
  /// of a kind.
  public func jsonData() throws(BPKitError) -> Data {
    do {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      encoder.nonConformingFloatEncodingStrategy = .convertToString(
        positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
      return try encoder.encode(self)

    } catch {
      throw BPKitError(error)
    }
  }

  enum CodingKeys: String, CodingKey {
    case path, kind, format, model, optimizer, checkpoint, warnings, keras
    case formatVersion = "format_version"
    case fileSize = "file_size"
  }

  /// Encodes the summary as `bpkit inspect --json` prints it.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(path, forKey: .path)
    try container.encode(kind, forKey: .kind)
    try container.encode(format, forKey: .format)
    try container.encode(formatVersion, forKey: .formatVersion)
    try container.encode(fileSize, forKey: .fileSize)
    try container.encode(model, forKey: .model)
    try container.encode(warnings, forKey: .warnings)
    try container.encode(optimizer, forKey: .optimizer)
    try container.encode(checkpoint, forKey: .checkpoint)
    try container.encode(keras, forKey: .keras)
  }
}
