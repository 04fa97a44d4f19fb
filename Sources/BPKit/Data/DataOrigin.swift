/// Where a dataset's samples were read, so that a message about one sample
/// names its place in the file as the readers' own messages do: a CSV line
/// and column, or an HDF5 dataset and row, counted from 1.
package struct DataOrigin: Hashable, Sendable {
  /// The file, or `standard input`.
  package var source: String
  /// For CSV, the line of each sample; for HDF5, its row in the file, from 0.
  package var positions: [Int]
  /// Whether the samples are CSV lines (else HDF5 rows).
  package var isCSV: Bool
  /// Each target column as messages name it (`'label' (3)`), or the HDF5 targets dataset.
  package var targets: [String]

  /// The origin of samples read in order from the start of a file.
  package init(source: String, positions: [Int], isCSV: Bool, targets: [String]) {
    self.source = source
    self.positions = positions
    self.isCSV = isCSV
    self.targets = targets
  }

  /// The origin of the samples at `indices`, in that order.
  func subset(_ indices: some Collection<Int>) -> DataOrigin {
    var subset = self
    subset.positions = indices.map { positions[$0] }
    return subset
  }

  /// The error for a class label of sample `sample` that is not a whole number in `0..<classCount`.
  func labelOutOfRange(sample: Int, value: Double, classCount: Int) -> DataError {
    isCSV
      ? .labelOutOfRangeAt(
        source: source, line: positions[sample], column: targets.first ?? "?", value: value, classCount: classCount)
      : .labelOutOfRange(
        source: targets.first.map { "\(source):\($0)" } ?? source, row: positions[sample], value: value,
        classCount: classCount)
  }
}
