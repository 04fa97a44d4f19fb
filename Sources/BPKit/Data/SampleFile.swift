import HDF5

/// Opens the ``SampleReader`` that suits a file, or standard input: the one
/// place that tells the sample formats apart.
///
/// An HDF5 file is recognised by its signature; otherwise the extension
/// decides (`.json` a JSON array, `.jsonl` or `.ndjson` JSON Lines, anything
/// else CSV). Standard input (`-`) holds JSON Lines when its first non-blank
/// character opens an array or object, and CSV otherwise.
public enum SampleFile {
  /// Opens the samples of `path`.
  ///
  /// - Parameters:
  ///   - path: The file, or `-` for standard input.
  ///   - layout: What each sample must look like.
  ///   - inputs: The HDF5 inputs dataset; `nil` for `/x` when the file has one, else `/test/x`.
  ///   - labels: The CSV label column, the JSON Lines label member or the
  ///     HDF5 labels dataset; for a JSON array, any value reads the
  ///     `label` member of object rows. `nil` without labels.
  ///   - ignore: CSV columns to drop.
  ///   - names: A model's names: CSV columns are matched to its features by
  ///     name, and text labels read as its classes.
  ///   - dtype: The precision numbers are read in: a float64 model's
  ///     ``DType/float64`` reads CSV, JSON and HDF5 numbers exactly as
  ///     Doubles (see ``SampleBatch/float64Inputs``).
  /// - Returns: A reader positioned at the first sample.
  /// - Throws: ``BPKitError`` for a missing, unreadable or empty input or
  ///   columns it lacks; ``BPKitError`` for an HDF5 file the
  ///   opening policy refuses; `HDF5Error` for one that cannot be read.
  public static func open(
    _ path: String, layout: SampleLayout, inputs: String? = nil, labels: String? = nil, ignore: [String] = [],
    names: ModelNames = ModelNames(), dtype: DType = .float32
  ) throws(BPKitError) -> any SampleReader {
    do {
      if path == "-" {
        let reader = try LineReader(path: "-")
        let json = try reader.peekFirstCharacter().map { $0 == "[" || $0 == "{" } ?? false
        return json
          ? JSONSampleReader(lines: reader, layout: layout, labels: labels, dtype: dtype)
          : try CSVSampleReader(
            reader: reader, layout: layout, ignore: ignore, labels: labels.map { [$0] } ?? [],
            classes: labels != nil ? names.classes : nil, features: names.features, dtype: dtype)
      }
      if HDF5Signature.isPresent(atPath: path) {
        let dataset =
          try inputs ?? (try OpeningPolicy.openHDF5(path, trust: .untrusted).root.contains("x") ? "/x" : "/test/x")
        return try HDF5SampleReader(path: path, inputs: dataset, labels: labels, layout: layout, dtype: dtype)
      }
      switch path.split(separator: ".").last?.lowercased() {
      case "json":
        return try JSONSampleReader(
          documentAt: path, layout: layout, labels: labels.map { _ in "label" }, dtype: dtype)
      case "jsonl", "ndjson":
        return try JSONSampleReader(linesAt: path, layout: layout, labels: labels, dtype: dtype)
      default:
        // Labels given as class indices stay indices; text labels are the model's class names.
        let textLabels = try labels.flatMap { try CSVSampleReader.classNames(inFileAt: path, column: $0) } != nil
        return try CSVSampleReader(
          path: path, layout: layout, ignore: ignore, labels: labels.map { [$0] } ?? [],
          classes: textLabels ? names.classes ?? [] : nil, features: names.features, dtype: dtype)
      }

    } catch {
      throw BPKitError(error)
    }
  }
}
