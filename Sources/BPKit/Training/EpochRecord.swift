/// What happened in one epoch.
public struct EpochRecord: Codable, Hashable, Sendable {
  /// The epoch's number, from 1.
  public var epoch: Int
  /// The mean training loss over the epoch.
  public var trainLoss: Double
  /// The training accuracy, for classifiers.
  public var trainAccuracy: Double?
  /// The loss on the validation data, when there is any.
  public var validationLoss: Double?
  /// The accuracy on the validation data, for classifiers.
  public var validationAccuracy: Double?
  /// The learning rate in effect.
  public var learningRate: Double
  /// Wall-clock seconds the epoch took.
  public var seconds: Double
  /// Changes made at this epoch, such as a hyperparameter changed on resume.
  public var notes: [String]

  /// Creates a record.
  public init(
    epoch: Int, trainLoss: Double, trainAccuracy: Double? = nil, validationLoss: Double? = nil,
    validationAccuracy: Double? = nil, learningRate: Double, seconds: Double, notes: [String] = []
  ) {
    self.epoch = epoch
    self.trainLoss = trainLoss
    self.trainAccuracy = trainAccuracy
    self.validationLoss = validationLoss
    self.validationAccuracy = validationAccuracy
    self.learningRate = learningRate
    self.seconds = seconds
    self.notes = notes
  }
}
