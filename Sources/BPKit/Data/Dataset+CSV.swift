extension Dataset {
  /// Reads a CSV file with a header row into memory.
  ///
  /// Every column that is neither a target nor ignored is an input, in file order.
  /// A path must name a regular file (the opening policy's first step, see
  /// <doc:LoadingFiles>); standard input is read as it comes.
  ///
  /// - Parameters:
  ///   - path: The CSV file, or `-` for standard input.
  ///   - targetColumns: The columns holding targets (for example `["label"]`); empty for none.
  ///   - ignoring: Columns to drop.
  ///   - requireFinite: Whether NaN and infinities are errors (they are for training).
  ///   - classes: The class names of a target column of text labels (a
  ///     model's); `nil` to take them from the file, sorted, when its first
  ///     target column holds text.
  ///   - dtype: The precision numbers are read in: ``DType/float64`` reads
  ///     each as the nearest Double, into ``float64Inputs`` and
  ///     ``float64Targets`` (a float64 run's data).
  /// - Throws: ``BPKitError`` naming the line and column of the first bad value.
  public static func readCSV(
    path: String, targetColumns: [String], ignoring: [String] = [], requireFinite: Bool = true,
    classes: [String]? = nil, dtype: DType = .float32
  ) throws(BPKitError) -> Dataset {
    do {
      if path != "-" {
        do {
          _ = try OpeningPolicy.regularFileSize(path)
        } catch .notFound {
          throw DataError.fileNotFound(path: path)
        } catch .permissionDenied {
          throw DataError.unreadable(path: path, reason: "permission denied")
        } catch .empty {
          throw DataError.empty(source: path)
        } catch {
          throw DataError.notRegularFile(path: path, reason: error.description)
        }
      }
      var classes = classes
      if classes == nil, let column = targetColumns.first {
        classes = try CSVSampleReader.classNames(inFileAt: path, column: column)
      }
      let reader = try LineReader(path: path)
      let csv = try CSVSampleReader(
        reader: reader, ignore: ignoring, labels: targetColumns, requireFinite: requireFinite, classes: classes,
        dtype: dtype)
      var inputs: [Float] = []
      var targets: [Float] = []
      var wideInputs: [Double] = []
      var wideTargets: [Double] = []
      var lines: [Int] = []
      var count = 0
      while let batch = try csv.next(limit: 4096) {
        if dtype == .float64 {
          wideInputs += batch.float64Inputs ?? []
          wideTargets += batch.float64Labels ?? []
        } else {
          inputs += batch.inputs
          targets += batch.labels ?? []
        }
        lines += batch.lines ?? []
        count += batch.count
      }
      guard count > 0, let width = csv.inputWidth else { throw DataError.empty(source: reader.source) }
      let targetShape = targetColumns.count == 1 ? [count] : [count, targetColumns.count]
      var data =
        dtype == .float64
        ? try Dataset(
          float64Inputs: Tensor(shape: [count, width], scalars: wideInputs),
          targets: targetColumns.isEmpty ? nil : Tensor(shape: targetShape, scalars: wideTargets),
          source: reader.source)
        : try Dataset(
          inputs: Tensor(shape: [count, width], scalars: inputs),
          targets: targetColumns.isEmpty ? nil : Tensor(shape: targetShape, scalars: targets),
          source: reader.source)
      data.names = ModelNames(features: csv.inputNames, classes: classes)
      data.origin = DataOrigin(source: reader.source, positions: lines, isCSV: true, targets: csv.labelColumnNames)
      return data

    } catch {
      throw BPKitError(error)
    }
  }
}
