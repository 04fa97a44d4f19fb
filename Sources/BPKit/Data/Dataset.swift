/// Samples held in memory: inputs and, for training or evaluation, targets.
public struct Dataset: Sendable, Hashable {
  /// The inputs: [samples, features] or, for sequences, [samples, steps, features].
  ///
  /// For data read in Float64 (see ``float64Inputs``) each value rounded to
  /// Float32; setting it drops the Float64 inputs.
  public var inputs: Tensor<Float> {
    didSet { float64Inputs = nil }
  }
  /// The targets: [samples] (one value each, such as a class label) or
  /// [samples, outputs]; `nil` for data without targets.
  ///
  /// For data read in Float64 each value rounded to Float32; setting it drops
  /// the Float64 targets.
  public var targets: Tensor<Float>? {
    didSet { float64Targets = nil }
  }
  /// The inputs exactly as read, for data read in Float64 (a float64 run's,
  /// see ``init(float64Inputs:targets:source:)``), or `nil`: a float64
  /// model then trains and predicts on these, not on ``inputs``.
  public internal(set) var float64Inputs: Tensor<Double>?
  /// The targets exactly as read, for data read in Float64, or `nil`.
  public internal(set) var float64Targets: Tensor<Double>?
  /// The sample weights exactly as read, for data read in Float64, or `nil`.
  public internal(set) var float64SampleWeights: [Double]?
  /// The names the data gives its features (a CSV header) and classes (text
  /// labels), which a model trained on it keeps.
  public var names = ModelNames()
  /// Where the samples were read, when a reader made the dataset: messages
  /// about a sample then name its line or row in the file.
  package var origin: DataOrigin?
  /// One weight per sample, by which the training loss weighs it (Keras'
  /// `sample_weight`), or `nil`: read from a CSV column or an HDF5 dataset
  /// (`bpkit train --sample-weight`).
  public var sampleWeights: [Float]?

  /// Pairs inputs with targets.
  ///
  /// - Throws: ``BPKitError/Code/doesNotFit`` when their
  ///   sample counts differ, ``BPKitError/Code/doesNotFit``
  ///   for inputs that are not 2-D or 3-D.
  public init(inputs: Tensor<Float>, targets: Tensor<Float>?, source: String = "data") throws(BPKitError) {
    do {
      guard inputs.shape.count == 2 || inputs.shape.count == 3 else {
        throw DataError.wrongRank(
          source: source, expected: "[samples, features] or [samples, steps, features]", shape: inputs.shape)
      }
      if let targets, targets.shape.first != inputs.shape[0] {
        throw DataError.countMismatch(source: source, inputs: inputs.shape[0], targets: targets.shape.first ?? 0)
      }
      self.inputs = inputs
      self.targets = targets

    } catch {
      throw BPKitError(error)
    }
  }

  /// Pairs Float64 inputs with targets: data for a float64 model, which
  /// trains and predicts on these values exactly. ``inputs`` and ``targets``
  /// hold them rounded to Float32.
  ///
  /// - Throws: ``BPKitError/Code/doesNotFit`` when their sample counts
  ///   differ, or for inputs that are not 2-D or 3-D.
  public init(float64Inputs: Tensor<Double>, targets: Tensor<Double>?, source: String = "data") throws(BPKitError) {
    try self.init(
      inputs: Tensor(rounding: float64Inputs), targets: targets.map(Tensor<Float>.init(rounding:)), source: source)
    self.float64Inputs = float64Inputs
    float64Targets = targets
  }

  /// Sets the sample weights of data read in Float64: exactly, and rounded
  /// to Float32 in ``sampleWeights``.
  mutating func setSampleWeights(float64 weights: [Double]?) {
    sampleWeights = weights.map { $0.map { Float($0) } }
    float64SampleWeights = weights
  }

  /// The precision the samples were read in: ``DType/float64`` when the
  /// dataset holds ``float64Inputs``.
  public var dtype: DType { float64Inputs == nil ? .float32 : .float64 }

  /// Datasets are equal when their samples and names are: where they were read is not compared.
  public static func == (lhs: Dataset, rhs: Dataset) -> Bool {
    lhs.inputs == rhs.inputs && lhs.targets == rhs.targets && lhs.names == rhs.names
      && lhs.sampleWeights == rhs.sampleWeights && lhs.float64Inputs == rhs.float64Inputs
      && lhs.float64Targets == rhs.float64Targets && lhs.float64SampleWeights == rhs.float64SampleWeights
  }

  /// Hashes the samples and names, which equality compares.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(inputs)
    hasher.combine(targets)
    hasher.combine(names)
    hasher.combine(sampleWeights)
    hasher.combine(float64Inputs)
  }

  /// The number of samples.
  public var sampleCount: Int { inputs.shape[0] }

  /// The shape of one input sample: [features] or [steps, features].
  public var sampleShape: [Int] { Array(inputs.shape.dropFirst()) }

  /// The number of target values per sample (0 without targets).
  public var targetWidth: Int {
    guard let targets else { return 0 }
    return targets.shape.dropFirst().reduce(1, *)
  }

  /// The samples at `indices`, in that order.
  public func subset(_ indices: some Collection<Int>) -> Dataset {
    func gather<S>(_ tensor: Tensor<S>) -> Tensor<S> {
      let width = tensor.shape.dropFirst().reduce(1, *)
      var scalars = [S]()
      scalars.reserveCapacity(indices.count * width)
      for index in indices { scalars += tensor.scalars[index * width..<(index + 1) * width] }
      return Tensor(shape: [indices.count] + tensor.shape.dropFirst(), scalars: scalars)
    }
    // Gathering rows keeps ranks and counts consistent, so this cannot fail.
    var subset = try! Dataset(inputs: gather(inputs), targets: targets.map(gather))
    subset.names = names
    subset.origin = origin?.subset(indices)
    subset.sampleWeights = sampleWeights.map { weights in indices.map { weights[$0] } }
    subset.float64Inputs = float64Inputs.map(gather)
    subset.float64Targets = float64Targets.map(gather)
    subset.float64SampleWeights = float64SampleWeights.map { weights in indices.map { weights[$0] } }
    return subset
  }

  /// The targets read as class labels, one per sample.
  ///
  /// - Throws: ``BPKitError/Code/invalidData``
  ///   (CSV) or ``BPKitError/Code/invalidData`` for a
  ///   label that is not a whole number in `0..<classCount`, naming its place
  ///   in the file the dataset was read from, and
  ///   ``BPKitError/Code/doesNotFit`` when samples have
  ///   more than one target value.
  public func classLabels(classCount: Int, source: String = "data") throws(BPKitError) -> [Int32] {
    do {
      guard let targets else { return [] }
      guard targetWidth == 1 else {
        throw DataError.widthMismatch(source: "\(source) targets", expected: 1, found: targetWidth)
      }
      var labels = [Int32]()
      labels.reserveCapacity(targets.count)
      // Data read in Float64 is judged by its exact values: 2.0000000001 is no label.
      let values = float64Targets?.scalars ?? targets.scalars.map(Double.init)
      for (row, value) in values.enumerated() {
        guard value.isFinite, value == value.rounded(), value >= 0, value < Double(classCount) else {
          throw origin?.labelOutOfRange(sample: row, value: value, classCount: classCount)
            ?? .labelOutOfRange(source: source, row: row, value: value, classCount: classCount)
        }
        labels.append(Int32(value))
      }
      return labels

    } catch {
      throw BPKitError(error)
    }
  }

  /// Checks that every input and target is finite, and every sample weight
  /// finite and at least 0.
  ///
  /// - Throws: ``BPKitError/Code/invalidData`` naming the first bad sample.
  public func requireFinite(source: String) throws(BPKitError) {
    do {
      // Data read in Float64 is checked in Float64: 1e39 is finite there,
      // though its Float32 copy is not.
      func check<S: BinaryFloatingPoint>(_ tensor: Tensor<S>) throws(DataError) {
        let width = tensor.shape.dropFirst().reduce(1, *)
        if let bad = tensor.scalars.firstIndex(where: { !$0.isFinite }) {
          throw DataError.notFiniteInDataset(source: source, row: width == 0 ? 0 : bad / width)
        }
      }
      if let exact = float64Inputs { try check(exact) } else { try check(inputs) }
      if let exact = float64Targets { try check(exact) } else if let targets { try check(targets) }
      if let weights = float64SampleWeights, let bad = weights.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
        throw DataError.invalidSampleWeight(source: source, row: bad, value: weights[bad])
      } else if float64SampleWeights == nil, let weights = sampleWeights,
        let bad = weights.firstIndex(where: { !($0 >= 0 && $0.isFinite) })
      {
        throw DataError.invalidSampleWeight(source: source, row: bad, value: Double(weights[bad]))
      }

    } catch {
      throw BPKitError(error)
    }
  }
}
