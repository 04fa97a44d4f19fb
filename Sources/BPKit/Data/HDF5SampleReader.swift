import HDF5

/// Samples from datasets in an HDF5 file, read a block of rows at a time, so
/// data larger than memory can be predicted from or trained on.
///
/// The one HDF5 reader of the ``SampleReader`` family: `bpkit infer` reads it
/// in order with ``next(limit:)``, training reads the rows its batches need
/// with ``read(rows:)`` and ``read(rowsIn:)`` (``TrainingData/streamed(_:rows:)``), and
/// ``Dataset/readHDF5(path:inputs:targets:trust:)`` reads all rows into memory.
/// Float64 and integer datasets are converted to Float32 block by block.
public final class HDF5SampleReader: SampleReader {
  /// The file's path.
  public let path: String
  /// The file and the inputs dataset, as `path:dataset`.
  public let source: String
  /// The names of the features, from a `feature_names` string attribute on
  /// the inputs dataset; `nil` when it has none.
  public let featureNames: [String]?
  private let inputs: HDF5Dataset
  private let targets: HDF5Dataset?
  private let targetPath: String?
  private let weights: HDF5Dataset?
  private var nextRow = 0

  /// Opens the inputs (and targets) datasets of a file through BPKit's
  /// opening policy (see <doc:LoadingFiles>).
  ///
  /// - Parameters:
  ///   - path: The HDF5 file.
  ///   - inputPath: The inputs dataset, such as `/train/x`: [samples,
  ///     features], or [samples, steps, features] for sequence models.
  ///   - targetPath: The targets (labels) dataset, or `nil` for none:
  ///     [samples] (such as class labels) or [samples, outputs].
  ///   - trust: Whether the file may skip the child-process probe (see ``FileTrust``).
  ///   - weightPath: A dataset of one weight per sample ([samples] or
  ///     [samples, 1]; Keras' `sample_weight`), read into
  ///     ``Dataset/sampleWeights``, or `nil`.
  /// - Throws: ``BPKitError`` from the opening policy,
  ///   `HDF5Error` when a dataset cannot be opened, ``BPKitError`` when a
  ///   dataset is not numeric or the datasets' shapes do not fit together.
  public init(
    path: String, inputs inputPath: String, targets targetPath: String?, trust: FileTrust = .untrusted,
    weights weightPath: String? = nil
  ) throws(BPKitError) {
    do {
      self.path = path
      self.targetPath = targetPath
      source = "\(path):\(inputPath)"
      let root = try OpeningPolicy.openHDF5(path, trust: trust).root
      inputs = try root.openDataset(inputPath)
      targets = try targetPath.map { try root.openDataset($0) }
      weights = try weightPath.map { try root.openDataset($0) }
      let named =
        [(inputs, inputPath)] + (targets.map { [($0, targetPath!)] } ?? [])
        + (weights.map { [($0, weightPath!)] } ?? [])
      for (dataset, name) in named where dataset.elementType == nil {
        throw DataError.unsupportedElementType(
          source: "\(path):\(name)", type: dataset.holdsStrings ? "string" : "non-numeric")
      }
      guard inputs.shape.count == 2 || inputs.shape.count == 3 else {
        throw DataError.wrongRank(
          source: source, expected: "[samples, features] or [samples, steps, features]", shape: inputs.shape)
      }
      if let targets, targets.shape.first != inputs.shape[0] {
        throw DataError.countMismatch(source: source, inputs: inputs.shape[0], targets: targets.shape.first ?? 0)
      }
      if let weights {
        guard weights.shape.count == 1 || (weights.shape.count == 2 && weights.shape[1] == 1) else {
          throw DataError.wrongRank(
            source: "\(path):\(weightPath!)", expected: "[samples] (one weight per sample)", shape: weights.shape)
        }
        guard weights.shape[0] == inputs.shape[0] else {
          throw DataError.countMismatch(
            source: "\(path):\(weightPath!)", inputs: inputs.shape[0], targets: weights.shape[0])
        }
      }
      // A user may name the features with a string attribute on the inputs dataset.
      if try inputs.hasAttribute("feature_names") {
        let names = try inputs.stringArrayAttribute("feature_names")
        guard names.count == inputs.shape.last else {
          throw DataError.featureNameCount(source: source, names: names.count, features: inputs.shape.last ?? 0)
        }
        featureNames = names
      } else {
        featureNames = nil
      }

    } catch {
      throw BPKitError(error)
    }
  }

  /// Opens the inputs (and labels) datasets of a file, checking that their
  /// samples fit `layout`, for prediction.
  ///
  /// - Parameters:
  ///   - path: The HDF5 file.
  ///   - inputs: The inputs dataset.
  ///   - labels: The labels dataset, or `nil` for none.
  ///   - layout: What each sample must look like.
  ///   - trust: Whether the file may skip the child-process probe (see ``FileTrust``).
  /// - Throws: What ``init(path:inputs:targets:trust:weights:)`` throws, and
  ///   ``BPKitError`` when the samples do not fit `layout`.
  public convenience init(
    path: String, inputs: String, labels: String?, layout: SampleLayout, trust: FileTrust = .untrusted
  ) throws(BPKitError) {
    do {
      try self.init(path: path, inputs: inputs, targets: labels, trust: trust)
      let shape = sampleShape
      switch (layout.isSequence, shape.count) {
      case (false, 1):
        guard shape[0] == layout.features else {
          throw DataError.widthMismatch(source: source, expected: layout.features, found: shape[0])
        }
      case (true, 2):
        guard shape[1] == layout.features, layout.steps == nil || layout.steps == shape[0] else {
          throw DataError.wrongRank(
            source: source, expected: "[samples, \(layout.steps.map(String.init) ?? "steps"), \(layout.features)]",
            shape: [sampleCount] + shape)
        }
      default:
        throw DataError.wrongRank(
          source: source,
          expected: layout.isSequence
            ? "a 3-D dataset [samples, steps, \(layout.features)] for this sequence model"
            : "a 2-D dataset [samples, \(layout.features)]",
          shape: [sampleCount] + shape)
      }

    } catch {
      throw BPKitError(error)
    }
  }

  /// The number of samples.
  public var sampleCount: Int { inputs.shape[0] }
  /// The shape of one input sample: [features] or [steps, features].
  public var sampleShape: [Int] { Array(inputs.shape.dropFirst()) }
  /// The shape of all targets, or `nil` without targets.
  public var targetShape: [Int]? { targets?.shape }

  /// Reads the next up to `limit` samples, checking that every value is finite.
  ///
  /// - Throws: ``BPKitError`` naming the first sample that is not finite;
  ///   `HDF5Error` when the file cannot be read.
  public func next(limit: Int) throws(BPKitError) -> SampleBatch? {
    do {
      guard nextRow < sampleCount else { return nil }
      let rows = nextRow..<min(sampleCount, nextRow + limit)
      nextRow = rows.upperBound
      let block = try read(rows: rows)
      try block.requireFinite(source: source)
      return SampleBatch(inputs: block.inputs.scalars, count: rows.count, labels: block.targets?.scalars)

    } catch {
      throw BPKitError(error)
    }
  }

  /// Moves past the next up to `limit` samples without reading them, as
  /// ``next(limit:)`` would have returned them (the ranks of a sharded
  /// `bpkit infer` each read only their batches).
  ///
  /// - Returns: The number of samples passed; 0 at the end.
  package func skip(limit: Int) -> Int {
    let count = max(0, min(sampleCount - nextRow, limit))
    nextRow += count
    return count
  }

  /// Reads the samples in `rows` into memory, in any order of calls; the
  /// position of ``next(limit:)`` does not move.
  ///
  /// - Throws: `HDF5Error` when the file cannot be read.
  public func read(rows: Range<Int>) throws(BPKitError) -> Dataset {
    do {
      let inputTensor = try Self.readRows(rows, of: inputs)
      let targetTensor = try targets.map { try Self.readRows(rows, of: $0) }
      var data = try Dataset(inputs: inputTensor, targets: targetTensor, source: source)
      data.names.features = featureNames
      data.origin = DataOrigin(
        source: path, positions: Array(rows), isCSV: false, targets: targetPath.map { [$0] } ?? [])
      data.sampleWeights = try weights.map { try Self.readRows(rows, of: $0).scalars }
      return data

    } catch {
      throw BPKitError(error)
    }
  }

  /// Reads the samples of `rows` into memory, in the set's (ascending) order.
  ///
  /// Rows near each other are read as one span of at most
  /// ``spanRows`` rows, and the rows between them dropped, so a scattered
  /// set (the rows of a seeded validation split) takes a few large reads
  /// rather than one per row, and memory stays within one span.
  ///
  /// - Throws: ``BPKitError`` when the file cannot be read.
  public func read(rowsIn rows: RowSet) throws(BPKitError) -> Dataset {
    if let range = rows.range { return try read(rows: range) }
    do {
      return try readScattered(rows)
    } catch {
      throw BPKitError(error)
    }
  }

  private func readScattered(_ rows: RowSet) throws -> Dataset {
    let inputWidth = sampleShape.reduce(1, *)
    let targetWidth = targets.map { $0.shape.dropFirst().reduce(1, *) }
    var inputScalars: [Float] = []
    var targetScalars: [Float] = []
    var weightScalars: [Float] = []
    inputScalars.reserveCapacity(rows.count * inputWidth)
    targetScalars.reserveCapacity(rows.count * (targetWidth ?? 0))
    var position = 0
    while position < rows.count {
      let first = rows[position]
      var end = position + 1
      while end < rows.count, rows[end] - first < Self.spanRows, rows[end] - rows[end - 1] <= Self.gapRows {
        end += 1
      }
      let span = try read(rows: first..<(rows[end - 1] + 1))
      for row in rows[position..<end] {
        let offset = row - first
        inputScalars += span.inputs.scalars[offset * inputWidth..<(offset + 1) * inputWidth]
        if let width = targetWidth, let spanTargets = span.targets {
          targetScalars += spanTargets.scalars[offset * width..<(offset + 1) * width]
        }
        if let spanWeights = span.sampleWeights { weightScalars.append(spanWeights[offset]) }
      }
      position = end
    }
    let inputTensor = Tensor(shape: [rows.count] + sampleShape, scalars: inputScalars)
    let targetTensor = targets.map { Tensor(shape: [rows.count] + $0.shape.dropFirst(), scalars: targetScalars) }
    var data = try Dataset(inputs: inputTensor, targets: targetTensor, source: source)
    data.names.features = featureNames
    data.origin = DataOrigin(
      source: path, positions: Array(rows), isCSV: false, targets: targetPath.map { [$0] } ?? [])
    if weights != nil { data.sampleWeights = weightScalars }
    return data
  }

  /// The most rows ``read(rowsIn:)`` reads at once for a scattered row set.
  public static let spanRows = 4096
  /// The widest gap between two rows of a set that one span still reads across.
  static let gapRows = 64

  /// Visits every row of `rows` in blocks: checks that every value is finite
  /// and returns the per-feature mean and standard deviation of the inputs
  /// (over samples and time steps), computed in Float64.
  ///
  /// - Throws: ``BPKitError`` naming the first block with a value that is not
  ///   finite; `HDF5Error` when the file cannot be read.
  public func scan(rows: RowSet, blockRows: Int) throws(BPKitError) -> (mean: [Float], std: [Float]) {
    do {
      var statistics = FeatureStatistics(features: sampleShape.last ?? 0)
      var start = 0
      while start < rows.count {
        let end = min(rows.count, start + max(1, blockRows))
        let block = try read(rowsIn: rows.rows(at: start..<end))
        try block.requireFinite(source: "\(path), rows \(rows[start])...\(rows[end - 1])")
        statistics.add(block.inputs.scalars)
        start = end
      }
      return (statistics.mean, statistics.standardDeviation)
    } catch {
      throw BPKitError(error)
    }
  }

  private static func readRows(_ rows: Range<Int>, of dataset: HDF5Dataset) throws -> Tensor<Float> {
    let shape = [rows.count] + dataset.shape.dropFirst()
    let count = shape.reduce(1, *)
    func converted<T: HDF5Scalar>(_: T.Type, _ convert: (T) -> Float) throws -> [Float] {
      var raw = [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
      try raw.withUnsafeMutableBufferPointer { try dataset.readRows(rows, into: $0) }
      return raw.map(convert)
    }
    let scalars: [Float]
    switch dataset.elementType {
    case .float32:
      var values = [Float](repeating: 0, count: count)
      try values.withUnsafeMutableBufferPointer { try dataset.readRows(rows, into: $0) }
      scalars = values
    case .float64: scalars = try converted(Double.self) { Float($0) }
    case .int32: scalars = try converted(Int32.self) { Float($0) }
    case .int64: scalars = try converted(Int64.self) { Float($0) }
    case .uint8: scalars = try converted(UInt8.self) { Float($0) }
    case .uint32: scalars = try converted(UInt32.self) { Float($0) }
    case .uint64: scalars = try converted(UInt64.self) { Float($0) }
    // The initializer refuses datasets without a numeric element type.
    case nil: preconditionFailure("\(dataset.path) has no numeric element type")
    }
    return Tensor(shape: shape, scalars: scalars)
  }
}
