import HDF5

extension Dataset {
  /// The dataset paths read when none are given.
  public static let defaultInputPath = "/train/x"
  /// The target dataset path read when none is given.
  public static let defaultTargetPath = "/train/y"

  /// Reads inputs (and targets) from datasets in an HDF5 file into memory.
  ///
  /// Inputs are [samples, features], or [samples, steps, features] for
  /// sequence models; targets are [samples] (such as class labels) or
  /// [samples, outputs]. Float64 and integer datasets are converted to Float32.
  ///
  /// The file is opened through BPKit's opening policy (see <doc:LoadingFiles>).
  ///
  /// - Parameters:
  ///   - path: The HDF5 file.
  ///   - inputPath: The inputs dataset, such as `/train/x`.
  ///   - targetPath: The targets dataset, or `nil` for none.
  ///   - trust: Whether the file may skip the child-process probe (see ``FileTrust``).
  /// - Throws: ``OpeningError`` and ``FormatError`` from the opening policy,
  ///   `HDF5Error` when a dataset cannot be read, ``DataError`` when the
  ///   shapes do not fit together.
  public static func readHDF5(
    path: String, inputs inputPath: String, targets targetPath: String?, trust: FileTrust = .untrusted
  ) throws -> Dataset {
    let root = try OpeningPolicy.openHDF5(path, trust: trust).root
    let inputsDataset = try root.openDataset(inputPath)
    let inputs = try readTensor(inputsDataset, source: "\(path):\(inputPath)")
    let targets = try targetPath.map { try readTensor(root.openDataset($0), source: "\(path):\($0)") }
    var data = try Dataset(inputs: inputs, targets: targets, source: "\(path):\(inputPath)")
    data.origin = DataOrigin(
      source: path, positions: Array(0..<data.sampleCount), isCSV: false, targets: targetPath.map { [$0] } ?? [])
    // A user may name the features with a string attribute on the inputs dataset.
    if try inputsDataset.hasAttribute("feature_names") {
      let names = try inputsDataset.stringArrayAttribute("feature_names")
      guard names.count == inputs.shape.last else {
        throw DataError.featureNameCount(
          source: "\(path):\(inputPath)", names: names.count, features: inputs.shape.last ?? 0)
      }
      data.names.features = names
    }
    return data
  }

  /// Reads a whole numeric dataset as Float32.
  static func readTensor(_ dataset: HDF5Dataset, source: String) throws -> Tensor<Float> {
    let count = try dataset.elementCount
    let scalars: [Float]
    switch dataset.elementType {
    case .float32: scalars = try dataset.read(as: Float.self)
    case .float64: scalars = try dataset.read(as: Double.self).map { Float($0) }
    case .int32: scalars = try dataset.read(as: Int32.self).map { Float($0) }
    case .int64: scalars = try dataset.read(as: Int64.self).map { Float($0) }
    case .uint8: scalars = try dataset.read(as: UInt8.self).map { Float($0) }
    case .uint32: scalars = try dataset.read(as: UInt32.self).map { Float($0) }
    case .uint64: scalars = try dataset.read(as: UInt64.self).map { Float($0) }
    case nil:
      throw DataError.unsupportedElementType(source: source, type: dataset.holdsStrings ? "string" : "non-numeric")
    }
    precondition(scalars.count == count)
    return Tensor(shape: dataset.shape, scalars: scalars)
  }
}
