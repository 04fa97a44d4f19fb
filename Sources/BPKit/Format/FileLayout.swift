import Foundation

/// The names of bpkit's HDF5 layout, version 1 (documented field by field in
/// `Schemas/FORMAT.md` and the CheckpointFormat article).
enum FileLayout {
  // Root attributes.
  static let kindAttribute = "bpkit_kind"
  static let versionAttribute = "format_version"
  static let bpkitVersionAttribute = "bpkit_version"
  static let createdAtAttribute = "created_at"
  static let createdAtUnixAttribute = "created_at_unix"
  /// Format 1.5: `"float64"` when the weights and optimizer slots are
  /// float64 datasets; absent (float32) otherwise.
  static let dtypeAttribute = "dtype"

  /// The CRC-32 attribute every dataset carries.
  static let checksumAttribute = "crc32"

  // The model part.
  static let network = "network"
  static let weights = "weights"
  /// Format 1.1: the input features' names and the classes' names (optional).
  static let featureNames = "feature_names"
  static let classNames = "class_names"

  // The checkpoint part.
  static let optimizer = "optimizer"
  static let slots = "slots"
  /// Format 1.3: the learning-rate schedule, when the optimizer has one.
  static let schedule = "schedule"
  /// Format 1.4: early stopping's and reduce-on-plateau's settings (under
  /// `/training`) and state (under `/progress`), when the run has them.
  static let earlyStopping = "early_stopping"
  static let reduceLearningRateOnPlateau = "reduce_lr_on_plateau"
  static let training = "training"
  /// Format 1.3: the seed of a shuffled validation split (a `/training` attribute).
  static let validationSplitSeed = "validation_split_seed"
  /// Format 1.3: the rows that split held out (a `/training` dataset).
  static let validationRows = "validation_rows"
  /// Format 1.5: the weight of each class in the training loss (a `/training` dataset).
  static let classWeights = "class_weights"
  /// Format 1.7: Keras' probability clip ε of a clipping run (a float64
  /// `/training` attribute), whose `/training@loss` then ends in
  /// ``clippedLossSuffix`` so that a 1.6 bpkit refuses the loss by name
  /// rather than train it unclipped.
  static let probabilityClip = "probability_clip"
  static let clippedLossSuffix = "_clipped"
  static let progress = "progress"
  static let order = "order"
  static let randomState = "random_state"
  static let history = "history"
  static let data = "data"
  static let validationData = "validation_data"

  /// The network description as the JSON that the published schema describes:
  /// `NetworkDescription`'s Codable form with sorted keys, so the same network
  /// always gives the same text.
  static func encodeNetwork(_ network: NetworkDescription) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(network), as: UTF8.self)
  }
}

/// What a bpkit file holds.
public enum BPKitFileKind: String, Sendable, CaseIterable, CustomStringConvertible {
  /// A network description and its weights.
  case model
  /// A model and the state of the training run that produced it.
  case checkpoint

  /// The kind's name: `model` or `checkpoint`, as the `kind` root attribute holds it.
  public var description: String { rawValue }
}
