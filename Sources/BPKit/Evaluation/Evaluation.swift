import Foundation

/// Loss and accuracy of predictions against labels, accumulated batch by batch
/// so that inputs of any size are evaluated in bounded memory.
///
/// The loss follows the model's output: cross-entropy for softmax outputs
/// (labels are class indices, or one-hot rows), binary cross-entropy for
/// sigmoid outputs, mean squared error otherwise. Probabilities are clipped to
/// [1e-7, 1 − 1e-7] before taking logarithms, as Keras does (to [ε, 1 − ε]
/// with a run's own ``probabilityClip``).
///
/// A network trained with a from-logits loss has a linear output layer whose
/// values are logits z: given that loss (``init(network:loss:)``), the loss is
/// computed from the logits as Keras does, lse(z) − z_label for categorical
/// cross-entropy and max(z, 0) − z·t + log(1 + e^−|z|) for binary
/// cross-entropy, in Double and without clipping; the class is the largest
/// logit, or 1 for a single logit above 0.
///
/// A single sigmoid output `p` predicts class 1 when `p >= 0.5`. Regression
/// models (outputs neither softmax nor sigmoid) have no accuracy; they report
/// the mean squared and mean absolute errors and the coefficient of
/// determination R².
public struct Evaluation: Sendable {
  /// How predictions are compared with labels.
  public let loss: Loss
  /// The number of classes for classifiers, or `nil` for regression.
  public let classCount: Int?
  /// Counts of true against predicted classes, for classifiers.
  public private(set) var confusion: ConfusionMatrix?
  private var lossSum = 0.0
  private var absoluteErrorSum = 0.0
  /// Per output: the sum and the sum of squares of the targets, for R².
  private var targetSums: [Double] = []
  private var targetSquareSums: [Double] = []
  private var squaredErrorSums: [Double] = []
  /// The number of output rows compared (samples, or samples × steps).
  public private(set) var rows = 0
  /// ε of the clip of probabilities to [ε, 1 − ε] before their logarithm
  /// in the cross-entropies on probabilities: Keras' 1e-7 unless a run
  /// trained with its own (``TrainingConfiguration/probabilityClip``).
  public var probabilityClip = ProbabilityClip.kerasEpsilon

  /// An evaluation for a network's output layer.
  public init(network: NetworkDescription) throws(BPKitError) {
    try self.init(network: network, loss: nil)
  }

  /// An evaluation for a network trained with `loss`: a from-logits loss
  /// reads the linear output's values as logits; any other loss, or `nil`
  /// (a file that does not record its loss), evaluates by the output layer
  /// as ``init(network:)`` does.
  ///
  /// - Throws: ``BPKitError`` (``BPKitError/Code/invalidSetting``) when a
  ///   from-logits loss is given for an output layer with an activation.
  public init(network: NetworkDescription, loss: Loss?) throws(BPKitError) {
    do {
      switch try network.outputKind(loss: loss) {
      case .classes(let count):
        self.loss = .categoricalCrossEntropy
        classCount = count
      case .binary:
        self.loss = .binaryCrossEntropy
        classCount = 2
      case .multiLabel:
        self.loss = .binaryCrossEntropy
        classCount = nil
      case .logits(let count):
        self.loss = loss ?? .categoricalCrossEntropyFromLogits
        classCount = count
      case .binaryLogit:
        self.loss = loss ?? .binaryCrossEntropyFromLogits
        classCount = 2
      case .multiLabelLogits:
        self.loss = loss ?? .binaryCrossEntropyFromLogits
        classCount = nil
      case .regression(let width):
        self.loss = .meanSquaredError
        classCount = nil
        targetSums = Array(repeating: 0, count: width)
        targetSquareSums = targetSums
        squaredErrorSums = targetSums
      }
      confusion = classCount.map(ConfusionMatrix.init)

    } catch {
      throw BPKitError(error)
    }
  }

  /// The mean loss over the rows seen.
  public var meanLoss: Double { rows == 0 ? 0 : lossSum / Double(rows) }

  /// The accuracy, for classifiers.
  public var accuracy: Double? { confusion?.accuracy }

  /// The mean absolute error over every output value, for regression models.
  public var meanAbsoluteError: Double? {
    loss == .meanSquaredError && rows > 0 ? absoluteErrorSum / Double(rows * targetSums.count) : nil
  }

  /// The coefficient of determination R² = 1 − SS_res / SS_tot for regression
  /// models, averaged over the outputs as scikit-learn's `r2_score` does; `nil`
  /// when the targets of an output do not vary.
  public var rSquared: Double? {
    guard loss == .meanSquaredError, rows > 0, !targetSums.isEmpty else { return nil }
    var total = 0.0
    for output in targetSums.indices {
      let n = Double(rows)
      // SS_tot = Σt² − (Σt)²/n
      let spread = targetSquareSums[output] - targetSums[output] * targetSums[output] / n
      guard spread > 0 else { return nil }
      total += 1 - squaredErrorSums[output] / spread
    }
    return total / Double(targetSums.count)
  }

  /// Adds a batch.
  ///
  /// - Parameters:
  ///   - outputs: The predictions, `units` values per output row.
  ///   - labels: One class label per row (classifiers), or `units` target values per row.
  ///   - units: The number of outputs per row.
  ///   - source: The labels' file or dataset, named in errors.
  /// - Throws: ``BPKitError`` when the labels do not fit.
  public mutating func add<S: BinaryFloatingPoint, T: BinaryFloatingPoint>(
    outputs: ArraySlice<S>, labels: ArraySlice<T>, units: Int, source: String
  ) throws(BPKitError) {
    do {
      let count = outputs.count / units
      let perRow = labels.count / max(count, 1)
      guard perRow * count == labels.count, perRow == 1 || perRow == units else {
        throw DataError.widthMismatch(
          source: "\(source) labels", expected: classCount == nil ? units : 1, found: perRow)
      }
      for row in 0..<count {
        let output = outputs[(outputs.startIndex + row * units)..<(outputs.startIndex + (row + 1) * units)]
        let target = labels[(labels.startIndex + row * perRow)..<(labels.startIndex + (row + 1) * perRow)]
        try add(output, target, row: rows, source: source)
        rows += 1
      }

    } catch {
      throw BPKitError(error)
    }
  }

  private mutating func add<S: BinaryFloatingPoint, T: BinaryFloatingPoint>(
    _ output: ArraySlice<S>, _ target: ArraySlice<T>, row: Int, source: String
  ) throws(DataError) {
    switch loss {
    case .categoricalCrossEntropy, .sparseCategoricalCrossEntropy, .categoricalCrossEntropyFromLogits,
      .sparseCategoricalCrossEntropyFromLogits:
      let predicted = output.indices.max { output[$0] < output[$1] }! - output.startIndex
      let truth = try Self.truth(target, classCount: output.count, row: row, source: source)
      if loss.fromLogits {
        // −log softmax(z)_k = lse(z) − z_k, weighted by a one-hot or soft row t.
        let logSumExp = Self.logSumExp(output, largest: Double(output[output.startIndex + predicted]))
        lossSum +=
          target.count == 1
          ? logSumExp - Double(output[output.startIndex + truth])
          : zip(output, target).reduce(0) { $0 + Double($1.1) * (logSumExp - Double($1.0)) }
      } else {
        // −Σ t·log y, with y clipped to [ε, 1 − ε] as Keras does.
        let epsilon = probabilityClip
        lossSum -=
          target.count == 1
          ? ElementaryFunctions.log(Self.clipped(output[output.startIndex + truth], epsilon))
          : zip(output, target).reduce(0) {
            $0 + Double($1.1) * ElementaryFunctions.log(Self.clipped($1.0, epsilon))
          }
      }
      confusion?.record(truth: truth, predicted: predicted)
    case .binaryCrossEntropy, .binaryCrossEntropyFromLogits:
      guard target.count == output.count else {
        throw .widthMismatch(source: "\(source) labels", expected: output.count, found: target.count)
      }
      for (y, t) in zip(output, target) {
        lossSum +=
          Self.binaryCrossEntropy(Double(y), Double(t), fromLogits: loss.fromLogits, epsilon: probabilityClip)
          / Double(output.count)
      }
      if classCount == 2, let y = output.first, let t = target.first {
        guard t == 0 || t == 1 else {
          throw .labelOutOfRange(source: source, row: row, value: Double(t), classCount: 2)
        }
        // A probability's class is 1 from 0.5 up; a logit's above 0 (σ(z) > ½).
        confusion?.record(truth: Int(t), predicted: (loss.fromLogits ? y > 0 : y >= 0.5) ? 1 : 0)
      }
    case .meanSquaredError, .meanAbsoluteError, .huber:
      guard target.count == output.count else {
        throw .widthMismatch(source: "\(source) labels", expected: output.count, found: target.count)
      }
      var squares = 0.0
      for (index, (p, t)) in zip(output, target).enumerated() where index < targetSums.count {
        let error = Double(p) - Double(t)
        squares += error * error
        absoluteErrorSum += abs(error)
        squaredErrorSums[index] += error * error
        targetSums[index] += Double(t)
        targetSquareSums[index] += Double(t) * Double(t)
      }
      lossSum += squares / Double(output.count)
    }
  }

  /// A row's true class: its class label, which must be one of the
  /// `classCount` classes, or the largest entry of a one-hot (or soft) row.
  private static func truth<T: BinaryFloatingPoint>(
    _ target: ArraySlice<T>, classCount: Int, row: Int, source: String
  ) throws(DataError) -> Int {
    guard target.count == 1, let label = target.first else {
      return target.indices.max { target[$0] < target[$1] }! - target.startIndex
    }
    // Compared as a floating-point value before the conversion, which traps past Int's range.
    guard label.isFinite, label == label.rounded(), label >= 0, label < T(classCount) else {
      throw .labelOutOfRange(source: source, row: row, value: Double(label), classCount: classCount)
    }
    return Int(label)
  }

  /// A probability clipped to [ε, 1 − ε] before its logarithm, as Keras does.
  private static func clipped<S: BinaryFloatingPoint>(_ p: S, _ epsilon: Double) -> Double {
    min(max(Double(p), epsilon), 1 - epsilon)
  }

  /// lse(z) = m + log Σ e^(z_i − m), with m = max z, so that no exponential overflows.
  private static func logSumExp<S: BinaryFloatingPoint>(_ z: ArraySlice<S>, largest: Double) -> Double {
    largest + ElementaryFunctions.log(z.reduce(0) { $0 + ElementaryFunctions.exp(Double($1) - largest) })
  }

  /// One output's binary cross-entropy: −(t·log p + (1 − t)·log(1 − p)) with p
  /// clipped, or from a logit z as TensorFlow's
  /// `sigmoid_cross_entropy_with_logits` computes it, max(z, 0) − z·t + log(1 + e^−|z|).
  private static func binaryCrossEntropy(_ y: Double, _ t: Double, fromLogits: Bool, epsilon: Double) -> Double {
    if fromLogits { return max(y, 0) - y * t + ElementaryFunctions.log1p(ElementaryFunctions.exp(-abs(y))) }
    let p = clipped(y, epsilon)
    return -(t * ElementaryFunctions.log(p) + (1 - t) * ElementaryFunctions.log(1 - p))
  }
}
