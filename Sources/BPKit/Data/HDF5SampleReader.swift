/// Samples from a dataset in an HDF5 file, read a block of rows at a time.
public final class HDF5SampleReader: SampleReader {
  private let reader: HDF5RowReader
  private var next = 0
  /// The file and the inputs dataset, as `path:dataset`.
  public let source: String

  /// Opens the inputs (and labels) datasets of a file, checking that their
  /// samples fit `layout`.
  ///
  /// - Throws: `HDF5Error` when the file or a dataset cannot be opened;
  ///   ``DataError`` when the samples do not fit.
  public init(path: String, inputs: String, labels: String?, layout: SampleLayout) throws {
    reader = try HDF5RowReader(path: path, inputs: inputs, targets: labels)
    source = "\(path):\(inputs)"
    let shape = reader.sampleShape
    switch (layout.isSequence, shape.count) {
    case (false, 1):
      guard shape[0] == layout.features else {
        throw DataError.widthMismatch(source: source, expected: layout.features, found: shape[0])
      }
    case (true, 2):
      guard shape[1] == layout.features, layout.steps == nil || layout.steps == shape[0] else {
        throw DataError.wrongRank(
          source: source, expected: "[samples, \(layout.steps.map(String.init) ?? "steps"), \(layout.features)]",
          shape: [reader.sampleCount] + shape)
      }
    default:
      throw DataError.wrongRank(
        source: source,
        expected: layout.isSequence
          ? "a 3-D dataset [samples, steps, \(layout.features)] for this sequence model"
          : "a 2-D dataset [samples, \(layout.features)]",
        shape: [reader.sampleCount] + shape)
    }
  }

  public func next(limit: Int) throws -> SampleBatch? {
    guard next < reader.sampleCount else { return nil }
    let rows = next..<min(reader.sampleCount, next + limit)
    next = rows.upperBound
    let block = try reader.read(rows: rows)
    try block.requireFinite(source: source)
    return SampleBatch(inputs: block.inputs.scalars, count: rows.count, labels: block.targets?.scalars)
  }
}
