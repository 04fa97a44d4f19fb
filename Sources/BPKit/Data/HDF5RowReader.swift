import HDF5

/// Reads samples from HDF5 datasets a block of rows at a time, so data larger
/// than memory can be streamed.
///
/// Float64 and integer datasets are converted to Float32 block by block.
public final class HDF5RowReader {
  /// The file's path.
  public let path: String
  private let inputs: HDF5Dataset
  private let targets: HDF5Dataset?
  private let inputPath: String

  /// Opens the input (and target) datasets of a file.
  ///
  /// The file is opened through BPKit's opening policy (see <doc:LoadingFiles>).
  ///
  /// - Parameters:
  ///   - path: The HDF5 file.
  ///   - inputPath: The inputs dataset, such as `/train/x`.
  ///   - targetPath: The targets dataset, or `nil` for none.
  ///   - trust: Whether the file may skip the child-process probe (see ``FileTrust``).
  /// - Throws: ``OpeningError`` and ``FormatError`` from the opening policy,
  ///   `HDF5Error` when a dataset cannot be opened, ``DataError`` when the
  ///   datasets' shapes do not fit together.
  public init(path: String, inputs inputPath: String, targets targetPath: String?, trust: FileTrust = .untrusted)
    throws
  {
    self.path = path
    self.inputPath = inputPath
    let root = try OpeningPolicy.openHDF5(path, trust: trust).root
    inputs = try root.openDataset(inputPath)
    targets = try targetPath.map { try root.openDataset($0) }
    guard inputs.shape.count == 2 || inputs.shape.count == 3 else {
      throw DataError.wrongRank(
        source: "\(path):\(inputPath)", expected: "[samples, features] or [samples, steps, features]",
        shape: inputs.shape)
    }
    if let targets, targets.shape.first != inputs.shape[0] {
      throw DataError.countMismatch(
        source: "\(path):\(inputPath)", inputs: inputs.shape[0], targets: targets.shape.first ?? 0)
    }
  }

  /// The number of samples.
  public var sampleCount: Int { inputs.shape[0] }
  /// The shape of one input sample.
  public var sampleShape: [Int] { Array(inputs.shape.dropFirst()) }
  /// The shape of all targets, or `nil` without targets.
  public var targetShape: [Int]? { targets?.shape }

  /// Reads the samples in `rows` into memory.
  public func read(rows: Range<Int>) throws -> Dataset {
    let inputTensor = try Self.readRows(rows, of: inputs, source: "\(path):\(inputPath)")
    let targetTensor = try targets.map { try Self.readRows(rows, of: $0, source: "\(path):\($0.path)") }
    return try Dataset(inputs: inputTensor, targets: targetTensor, source: "\(path):\(inputPath)")
  }

  private static func readRows(_ rows: Range<Int>, of dataset: HDF5Dataset, source: String) throws -> Tensor<Float> {
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
    case nil: throw DataError.unsupportedElementType(source: source, type: "non-numeric")
    }
    return Tensor(shape: shape, scalars: scalars)
  }
}
