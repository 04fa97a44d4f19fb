/// Identifies the data a run trained on, so a resume can refuse other data.
public struct DataFingerprint: Codable, Hashable, Sendable {
  /// The SHA-256 of the training data's bytes, in hexadecimal.
  public var sha256: String
  /// The path the data was read from.
  public var path: String
  /// The number of training samples.
  public var sampleCount: Int
  /// Which part of the file holds the inputs: an HDF5 dataset path, or `nil` for CSV.
  public var inputs: String?
  /// Which part holds the targets: an HDF5 dataset path, or a CSV column name.
  public var targets: String?
  /// Which part holds the sample weights (Keras' `sample_weight`): an HDF5
  /// dataset path or a CSV column name; `nil` when the run weighs none (format 1.5).
  public var sampleWeights: String?

  /// Creates a fingerprint.
  public init(
    sha256: String, path: String, sampleCount: Int, inputs: String? = nil, targets: String? = nil,
    sampleWeights: String? = nil
  ) {
    self.sampleWeights = sampleWeights
    self.sha256 = sha256
    self.path = path
    self.sampleCount = sampleCount
    self.inputs = inputs
    self.targets = targets
  }
}
