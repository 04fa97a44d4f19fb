import Foundation

/// A training checkpoint: the model and everything needed to continue training exactly.
public struct Checkpoint: Hashable, Sendable {
  /// The network and its current weights.
  public var model: Model
  /// The optimizer's configuration, step count and slots.
  public var optimizer: OptimizerState
  /// How the run trains.
  public var configuration: TrainingConfiguration
  /// Where the run is.
  public var progress: TrainingProgress
  /// The training data's fingerprint, when the data came from a file.
  public var data: DataFingerprint?
  /// The validation data's fingerprint, when validation data came from its own file.
  public var validationData: DataFingerprint?
  /// The bpkit version that wrote the checkpoint.
  public var bpkitVersion: String
  /// When the checkpoint was written.
  public var createdAt: Date

  /// Creates a checkpoint.
  public init(
    model: Model, optimizer: OptimizerState, configuration: TrainingConfiguration, progress: TrainingProgress,
    data: DataFingerprint? = nil, validationData: DataFingerprint? = nil, bpkitVersion: String = BPKitVersion.current,
    createdAt: Date = Date()
  ) {
    self.model = model
    self.optimizer = optimizer
    self.configuration = configuration
    self.progress = progress
    self.data = data
    self.validationData = validationData
    self.bpkitVersion = bpkitVersion
    self.createdAt = createdAt
  }
}
