import HDF5

/// Samples from datasets in an HDF5 file, read a block of rows at a time, so
/// data larger than memory can be predicted from or trained on.
///
/// The one HDF5 reader of the ``SampleReader`` family: `bpkit infer` reads it
/// in order with ``next(limit:)``, training reads the rows its batches need
/// with ``read(rows:)`` and ``read(rowsIn:)`` (``TrainingData/streamed(_:rows:)``), and
/// ``Dataset/readHDF5(path:inputs:targets:trust:)`` reads all rows into memory.
/// Float64 and integer datasets are converted to Float32 block by block, or,
/// for a reader of ``dtype`` float64 (a float64 run's), every dataset is read
/// in Float64: float64 datasets exactly, as they are stored.
public final class HDF5SampleReader: SampleReader {
  /// The file's path.
  public let path: String
  /// The file and the inputs dataset, as `path:dataset`.
  public let source: String
  /// The names of the features, from a `feature_names` string attribute on
  /// the inputs dataset; `nil` when it has none.
  public let featureNames: [String]?
  /// The precision samples are read in: ``DType/float64`` fills
  /// ``Dataset/float64Inputs`` and ``SampleBatch/float64Inputs`` (and the
  /// targets and weights) beside their Float32 values.
  public let dtype: DType
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
  ///   - dtype: The precision samples are read in (see ``dtype``).
  /// - Throws: ``BPKitError`` from the opening policy,
  ///   `HDF5Error` when a dataset cannot be opened, ``BPKitError`` when a
  ///   dataset is not numeric or the datasets' shapes do not fit together.
  public init(
    path: String, inputs inputPath: String, targets targetPath: String?, trust: FileTrust = .untrusted,
    weights weightPath: String? = nil, dtype: DType = .float32
  ) throws(BPKitError) {
    do {
      self.path = path
      self.dtype = dtype
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
  ///   - dtype: The precision samples are read in (see ``dtype``).
  /// - Throws: What ``init(path:inputs:targets:trust:weights:dtype:)`` throws, and
  ///   ``BPKitError`` when the samples do not fit `layout`.
  public convenience init(
    path: String, inputs: String, labels: String?, layout: SampleLayout, trust: FileTrust = .untrusted,
    dtype: DType = .float32
  ) throws(BPKitError) {
    do {
      try self.init(path: path, inputs: inputs, targets: labels, trust: trust, dtype: dtype)
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
      var batch = SampleBatch(inputs: block.inputs.scalars, count: rows.count, labels: block.targets?.scalars)
      batch.float64Inputs = block.float64Inputs?.scalars
      batch.float64Labels = block.float64Targets?.scalars
      return batch

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
      var data: Dataset
      if dtype == .float64 {
        data = try Dataset(
          float64Inputs: try Self.readWideRows(rows, of: inputs),
          targets: try targets.map { try Self.readWideRows(rows, of: $0) }, source: source)
        data.setSampleWeights(float64: try weights.map { try Self.readWideRows(rows, of: $0).scalars })
      } else {
        let inputTensor = try Self.readRows(rows, of: inputs)
        let targetTensor = try targets.map { try Self.readRows(rows, of: $0) }
        data = try Dataset(inputs: inputTensor, targets: targetTensor, source: source)
        data.sampleWeights = try weights.map { try Self.readRows(rows, of: $0).scalars }
      }
      data.names.features = featureNames
      data.origin = DataOrigin(
        source: path, positions: Array(rows), isCSV: false, targets: targetPath.map { [$0] } ?? [])
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
    let targetWidth = targets.map { $0.shape.dropFirst().reduce(1, *) } ?? 0
    let wide = dtype == .float64
    var inputScalars: [Float] = []
    var targetScalars: [Float] = []
    var weightScalars: [Float] = []
    var wideInputs: [Double] = []
    var wideTargets: [Double] = []
    var wideWeights: [Double] = []
    if wide {
      wideInputs.reserveCapacity(rows.count * inputWidth)
      wideTargets.reserveCapacity(rows.count * targetWidth)
    } else {
      inputScalars.reserveCapacity(rows.count * inputWidth)
      targetScalars.reserveCapacity(rows.count * targetWidth)
    }
    func append<S>(_ scalars: [S]?, row offset: Int, width: Int, to values: inout [S]) {
      guard let scalars else { return }
      values += scalars[offset * width..<(offset + 1) * width]
    }
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
        if wide {
          append(span.float64Inputs?.scalars, row: offset, width: inputWidth, to: &wideInputs)
          append(span.float64Targets?.scalars, row: offset, width: targetWidth, to: &wideTargets)
          append(span.float64SampleWeights, row: offset, width: 1, to: &wideWeights)
        } else {
          append(span.inputs.scalars, row: offset, width: inputWidth, to: &inputScalars)
          append(span.targets?.scalars, row: offset, width: targetWidth, to: &targetScalars)
          append(span.sampleWeights, row: offset, width: 1, to: &weightScalars)
        }
      }
      position = end
    }
    var data: Dataset
    if wide {
      data = try Dataset(
        float64Inputs: Tensor(shape: [rows.count] + sampleShape, scalars: wideInputs),
        targets: targets.map { Tensor(shape: [rows.count] + $0.shape.dropFirst(), scalars: wideTargets) },
        source: source)
      if weights != nil { data.setSampleWeights(float64: wideWeights) }
    } else {
      data = try Dataset(
        inputs: Tensor(shape: [rows.count] + sampleShape, scalars: inputScalars),
        targets: targets.map { Tensor(shape: [rows.count] + $0.shape.dropFirst(), scalars: targetScalars) },
        source: source)
      if weights != nil { data.sampleWeights = weightScalars }
    }
    data.names.features = featureNames
    data.origin = DataOrigin(
      source: path, positions: Array(rows), isCSV: false, targets: targetPath.map { [$0] } ?? [])
    return data
  }

  /// The most rows ``read(rowsIn:)`` reads at once for a scattered row set.
  public static let spanRows = 4096
  /// The widest gap between two rows of a set that one span still reads across.
  static let gapRows = 64

  /// Visits every row of `rows` in blocks: checks that every value is finite
  /// and returns the per-feature mean and standard deviation of the inputs
  /// (over samples and time steps), computed in Float64 from the values as
  /// read (in the reader's ``dtype``).
  ///
  /// - Throws: ``BPKitError`` naming the first block with a value that is not
  ///   finite; `HDF5Error` when the file cannot be read.
  public func scan(rows: RowSet, blockRows: Int) throws(BPKitError) -> (mean: [Double], std: [Double]) {
    do {
      var statistics = FeatureStatistics(features: sampleShape.last ?? 0)
      var start = 0
      while start < rows.count {
        let end = min(rows.count, start + max(1, blockRows))
        let block = try read(rowsIn: rows.rows(at: start..<end))
        try block.requireFinite(source: "\(path), rows \(rows[start])...\(rows[end - 1])")
        if let exact = block.float64Inputs {
          statistics.add(exact.scalars)
        } else {
          statistics.add(block.inputs.scalars)
        }
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

  /// Reads rows in Float64: a float64 dataset exactly, others converted
  /// (float32 and integers up to 2^53 exactly).
  private static func readWideRows(_ rows: Range<Int>, of dataset: HDF5Dataset) throws -> Tensor<Double> {
    let shape = [rows.count] + dataset.shape.dropFirst()
    let count = shape.reduce(1, *)
    func converted<T: HDF5Scalar>(_: T.Type, _ convert: (T) -> Double) throws -> [Double] {
      var raw = [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
      try raw.withUnsafeMutableBufferPointer { try dataset.readRows(rows, into: $0) }
      return raw.map(convert)
    }
    let scalars: [Double]
    switch dataset.elementType {
    case .float64:
      var values = [Double](repeating: 0, count: count)
      try values.withUnsafeMutableBufferPointer { try dataset.readRows(rows, into: $0) }
      scalars = values
    case .float32: scalars = try converted(Float.self) { Double($0) }
    case .int32: scalars = try converted(Int32.self) { Double($0) }
    case .int64: scalars = try converted(Int64.self) { Double($0) }
    case .uint8: scalars = try converted(UInt8.self) { Double($0) }
    case .uint32: scalars = try converted(UInt32.self) { Double($0) }
    case .uint64: scalars = try converted(UInt64.self) { Double($0) }
    // The initializer refuses datasets without a numeric element type.
    case nil: preconditionFailure("\(dataset.path) has no numeric element type")
    }
    return Tensor(shape: shape, scalars: scalars)
  }
}
