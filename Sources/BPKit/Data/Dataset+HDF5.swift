extension Dataset {
  /// The dataset paths read when none are given.
  public static let defaultInputPath = "/train/x"
  /// The target dataset path read when none is given.
  public static let defaultTargetPath = "/train/y"

  /// Reads inputs (and targets) from datasets in an HDF5 file into memory:
  /// every row of an ``HDF5SampleReader``.
  ///
  /// Inputs are [samples, features], or [samples, steps, features] for
  /// sequence models; targets are [samples] (such as class labels) or
  /// [samples, outputs]. Float64 and integer datasets are converted to
  /// Float32. A `feature_names` string attribute on the inputs dataset names
  /// the features.
  ///
  /// The file is opened through BPKit's opening policy (see <doc:LoadingFiles>).
  ///
  /// - Parameters:
  ///   - path: The HDF5 file.
  ///   - inputPath: The inputs dataset, such as `/train/x`.
  ///   - targetPath: The targets dataset, or `nil` for none.
  ///   - trust: Whether the file may skip the child-process probe (see ``FileTrust``).
  /// - Throws: ``BPKitError`` from the opening policy,
  ///   `HDF5Error` when a dataset cannot be read, ``BPKitError`` when a
  ///   dataset is not numeric or the shapes do not fit together.
  public static func readHDF5(
    path: String, inputs inputPath: String, targets targetPath: String?, trust: FileTrust = .untrusted
  ) throws(BPKitError) -> Dataset {
    do {
      let reader = try HDF5SampleReader(path: path, inputs: inputPath, targets: targetPath, trust: trust)
      return try reader.read(rows: 0..<reader.sampleCount)

    } catch {
      throw BPKitError(error)
    }
  }
}
