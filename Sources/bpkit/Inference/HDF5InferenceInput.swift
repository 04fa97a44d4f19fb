import BPKit

/// Samples from a dataset in an HDF5 file, read a block of rows at a time.
final class HDF5InferenceInput: InferenceInput {
  private let reader: HDF5RowReader
  private var next = 0
  let source: String

  init(path: String, inputs: String, labels: String?, layout: SampleLayout) throws {
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

  func next(limit: Int) throws -> InputBatch? {
    guard next < reader.sampleCount else { return nil }
    let rows = next..<min(reader.sampleCount, next + limit)
    next = rows.upperBound
    let block = try reader.read(rows: rows)
    try block.requireFinite(source: source)
    return InputBatch(inputs: block.inputs.scalars, count: rows.count, labels: block.targets?.scalars)
  }
}
