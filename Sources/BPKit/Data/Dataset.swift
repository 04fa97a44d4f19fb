/// Samples held in memory: inputs and, for training or evaluation, targets.
public struct Dataset: Sendable, Hashable {
  /// The inputs: [samples, features] or, for sequences, [samples, steps, features].
  public var inputs: Tensor<Float>
  /// The targets: [samples] (one value each, such as a class label) or
  /// [samples, outputs]; `nil` for data without targets.
  public var targets: Tensor<Float>?
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

  /// Datasets are equal when their samples and names are: where they were read is not compared.
  public static func == (lhs: Dataset, rhs: Dataset) -> Bool {
    lhs.inputs == rhs.inputs && lhs.targets == rhs.targets && lhs.names == rhs.names
      && lhs.sampleWeights == rhs.sampleWeights
  }

  /// Hashes the samples and names, which equality compares.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(inputs)
    hasher.combine(targets)
    hasher.combine(names)
    hasher.combine(sampleWeights)
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
    func gather(_ tensor: Tensor<Float>) -> Tensor<Float> {
      let width = tensor.shape.dropFirst().reduce(1, *)
      var scalars = [Float]()
      scalars.reserveCapacity(indices.count * width)
      for index in indices { scalars += tensor.scalars[index * width..<(index + 1) * width] }
      return Tensor(shape: [indices.count] + tensor.shape.dropFirst(), scalars: scalars)
    }
    // Gathering rows keeps ranks and counts consistent, so this cannot fail.
    var subset = try! Dataset(inputs: gather(inputs), targets: targets.map(gather))
    subset.names = names
    subset.origin = origin?.subset(indices)
    subset.sampleWeights = sampleWeights.map { weights in indices.map { weights[$0] } }
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
      for (row, value) in targets.scalars.enumerated() {
        guard value.isFinite, value == value.rounded(), value >= 0, value < Float(classCount) else {
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
      for tensor in [inputs] + (targets.map { [$0] } ?? []) {
        let width = tensor.shape.dropFirst().reduce(1, *)
        if let bad = tensor.scalars.firstIndex(where: { !$0.isFinite }) {
          throw DataError.notFiniteInDataset(source: source, row: width == 0 ? 0 : bad / width)
        }
      }
      if let weights = sampleWeights, let bad = weights.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
        throw DataError.invalidSampleWeight(source: source, row: bad, value: weights[bad])
      }

    } catch {
      throw BPKitError(error)
    }
  }
}
