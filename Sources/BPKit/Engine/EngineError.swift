/// A request the engine cannot carry out: data of the wrong size, a loss
/// that does not fit the network, or optimizer state that does not fit.
package enum EngineError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The network description itself is invalid.
  case invalidNetwork(ModelError)
  /// A loss is fused with an output activation the last layer lacks.
  case lossNeedsActivation(loss: Loss, required: Activation, layer: String, found: Activation?)
  /// A batch must hold at least one sample.
  case emptyBatch
  /// The inputs do not hold `count` whole samples.
  case inputSizeMismatch(count: Int, samplesOf: String, expected: Int, actual: Int)
  /// A tensor of inputs has the wrong shape.
  case inputShapeMismatch(expected: String, actual: [Int])
  /// The targets do not match the outputs.
  case targetSizeMismatch(expected: Int, actual: Int)
  /// Class labels were given with a loss other than cross-entropy.
  case labelsNeedCrossEntropy(Loss)
  /// A class label is not an output index.
  case labelOutOfRange(row: Int, label: Int, classes: Int)
  /// Truncated backpropagation needs at least one step.
  case invalidBPTTSteps(Int)
  /// Optimizer state lacks a slot the optimizer needs for a weight.
  case missingOptimizerSlot(slot: String, key: ParameterKey)
  /// Optimizer state has a slot this optimizer does not use.
  case unexpectedOptimizerSlot(slot: String, optimizer: OptimizerKind)
  /// An optimizer slot tensor has the wrong shape.
  case optimizerSlotShapeMismatch(slot: String, key: ParameterKey, expected: [Int], actual: [Int])
  /// An optimizer hyperparameter is out of its range.
  case invalidHyperparameter(name: String, value: Double, expected: String)
  /// ``TrainingEngine/applyAccumulatedGradients()`` was called with nothing accumulated.
  case nothingAccumulated
  /// Class weights were given with a regression loss.
  case classWeightsNeedClassifier(Loss)
  /// Class weights were given for a network whose output is a sequence.
  case classWeightsForSequence
  /// Class weights do not give one weight per output class.
  case classWeightCount(expected: Int, actual: Int)
  /// A class weight is negative or not finite.
  case invalidClassWeight(classIndex: Int, weight: Double)
  /// A model of one precision given to an engine or a prediction in the other.
  case dtypeMismatch(model: DType, engine: DType)
  /// Sample weights do not give one weight per sample.
  case sampleWeightCount(expected: Int, actual: Int)
  /// A sample weight is negative or not finite.
  case invalidSampleWeight(sample: Int, weight: Double)
  /// Keras' probability clip was given with a loss that reads no probabilities.
  case probabilityClipNeedsProbabilities(Loss)
  /// Keras' probability clip ε is not above 0 and below 0.5.
  case invalidProbabilityClip(Double)

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    switch self {
    case .invalidNetwork(let error):
      "invalid network: \(error)"
    case .lossNeedsActivation(let loss, _, let layer, let found) where loss.fromLogits:
      "loss '\(loss.rawValue)' reads the outputs as logits (from_logits), so it needs a linear output layer, but "
        + "the last layer '\(layer)' has \(found?.name ?? "no activation"); make it linear (no activation), or "
        + "train a \(loss.probabilityForm.requiredActivation?.name ?? "") output with \(loss.probabilityForm.rawValue)"
    case .lossNeedsActivation(let loss, let required, let layer, let found):
      "loss '\(loss.rawValue)' needs a \(required.name) output layer, but the last layer '\(layer)' has "
        + "\(found?.name ?? "no activation"); give it :\(required.name) or use another loss"
    case .emptyBatch:
      "a batch must hold at least one sample"
    case .inputSizeMismatch(let count, let shape, let expected, let actual):
      "the inputs hold \(actual) numbers, but \(count) samples of \(shape) need \(expected)"
    case .inputShapeMismatch(let expected, let actual):
      "the inputs have shape \(actual), but the network takes \(expected)"
    case .targetSizeMismatch(let expected, let actual):
      "the targets hold \(actual) values, but the network's outputs for this batch need \(expected)"
    case .labelsNeedCrossEntropy(let loss):
      "class labels need a cross_entropy loss; loss '\(loss.rawValue)' needs one target value per output"
    case .labelOutOfRange(let row, let label, let classes):
      "class label \(label) of output row \(row) is not in 0..<\(classes), the network's output classes"
    case .invalidBPTTSteps(let steps):
      "truncated backpropagation through time needs at least 1 step, not \(steps)"
    case .missingOptimizerSlot(let slot, let key):
      "the optimizer state has no '\(slot)' values for weight '\(key)'"
    case .unexpectedOptimizerSlot(let slot, let optimizer):
      "the optimizer state has a '\(slot)' slot, which \(optimizer.rawValue) does not use"
    case .optimizerSlotShapeMismatch(let slot, let key, let expected, let actual):
      "the optimizer's '\(slot)' values for weight '\(key)' have shape \(actual), but the weight has \(expected)"
    case .invalidHyperparameter(let name, let value, let expected):
      "optimizer setting \(name) = \(value) is invalid; it must be \(expected)"
    case .dtypeMismatch(let model, let engine):
      "the model is \(model) and this computes in \(engine); use the model's precision "
        + "(\(model == .float64 ? "Double" : "Float")), or convert the model with converted(to: .\(engine))"
    case .nothingAccumulated:
      "no gradients were accumulated since the last update"
    case .classWeightsNeedClassifier(let loss):
      "class weights (--class-weight) weigh the samples of each class, and loss '\(loss.rawValue)' has no classes; "
        + "drop --class-weight or train a classifier (cross_entropy, binary_cross_entropy)"
    case .classWeightsForSequence:
      "class weights (--class-weight) weigh whole samples, and this network outputs a sequence, as Keras refuses "
        + "class_weight for 3-D targets; drop --class-weight"
    case .classWeightCount(let expected, let actual):
      "the class weights give \(actual) weights, but the network's output has \(expected) classes"
    case .sampleWeightCount(let expected, let actual):
      "the sample weights hold \(actual) values, but the batch has \(expected) samples"
    case .invalidSampleWeight(let sample, let weight):
      "the weight of sample \(sample) is \(weight); sample weights (--sample-weight) must be numbers >= 0"
    case .invalidClassWeight(let index, let weight):
      "the class weight of class \(index) is \(weight); class weights (--class-weight) must be numbers >= 0"
    case .probabilityClipNeedsProbabilities(let loss):
      "loss '\(loss.rawValue)' reads no probabilities to clip: Keras clips only the categorical, sparse and binary "
        + "cross-entropies on probabilities (not from logits); drop --clip-probabilities"
    case .invalidProbabilityClip(let epsilon):
      "the probability clip ε is \(epsilon); it must be above 0 and below 0.5 (Keras' epsilon() is 1e-7)"
    }
  }
}
