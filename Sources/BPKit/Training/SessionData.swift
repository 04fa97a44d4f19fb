/// Samples a training session trains or validates on: held in memory, or
/// streamed from an HDF5 file a block of rows at a time.
protocol SessionData {
  /// The number of samples.
  var count: Int { get }
  /// Whether samples are read from disk as needed; an epoch's order then
  /// keeps neighbouring rows together (see ``TrainingSession``).
  var isStreamed: Bool { get }
  /// Copies the samples at `indices` into `batch`, reusing its storage.
  func gather(_ indices: ArraySlice<Int>, into batch: inout PreparedData.Batch) throws
  /// The loss and accuracy of the engine's current weights on all samples.
  func evaluate(with engine: any SessionEngine) throws -> BatchMetrics
}

/// Where a session's samples come from.
public enum TrainingData {
  /// Samples held in memory.
  case inMemory(Dataset)
  /// Rows of HDF5 datasets read a block at a time, for data larger than
  /// memory: a range of rows, or the rows a seeded validation split leaves.
  case streamed(HDF5SampleReader, rows: RowSet)

  /// The number of samples.
  public var sampleCount: Int {
    switch self {
    case .inMemory(let data): data.sampleCount
    case .streamed(_, let rows): rows.count
    }
  }
}

/// Rows of HDF5 datasets, read in blocks as batches need them; the last
/// block read is kept, so an epoch whose order visits rows block by block
/// reads the file once.
final class StreamedData: SessionData {
  let reader: HDF5SampleReader
  let rows: RowSet
  let blockRows: Int
  private let network: NetworkDescription
  private let loss: Loss
  private let role: String
  /// The engine's precision (see ``PreparedData/init(_:network:loss:role:dtype:)``).
  private let dtype: DType
  private var cachedBlock = -1
  private var cached: PreparedData?

  init(
    reader: HDF5SampleReader, rows: RowSet, blockRows: Int, network: NetworkDescription, loss: Loss, role: String,
    dtype: DType = .float32
  )
    throws
  {
    self.dtype = dtype
    self.reader = reader
    self.rows = rows
    self.blockRows = max(1, blockRows)
    self.network = network
    self.loss = loss
    self.role = role
    guard !rows.isEmpty else { throw TrainingError.noTrainingSamples }
    _ = try block(0)
  }

  var count: Int { rows.count }
  var isStreamed: Bool { true }
  var blockCount: Int { (count + blockRows - 1) / blockRows }

  /// The positions in `rows` of block `index`.
  func range(ofBlock index: Int) -> Range<Int> {
    (index * blockRows)..<min(count, (index + 1) * blockRows)
  }

  private func block(_ index: Int) throws -> PreparedData {
    if index == cachedBlock, let cached { return cached }
    let local = range(ofBlock: index)
    let data = try reader.read(rowsIn: rows.rows(at: local))
    try data.requireFinite(source: "\(reader.path), rows \(rows[local.lowerBound])...")
    let prepared = try PreparedData(data, network: network, loss: loss, role: role, dtype: dtype)
    cached = prepared
    cachedBlock = index
    return prepared
  }

  func gather(_ indices: ArraySlice<Int>, into batch: inout PreparedData.Batch) throws {
    batch.clear()
    for index in indices {
      try block(index / blockRows).append(index % blockRows, to: &batch)
    }
  }

  func evaluate(with engine: any SessionEngine) throws -> BatchMetrics {
    var lossSum = 0.0
    var samples = 0
    var correct = 0
    var judged = 0
    for index in 0..<blockCount {
      let metrics = try block(index).evaluate(with: engine)
      lossSum += metrics.loss * Double(metrics.samples)
      samples += metrics.samples
      correct += metrics.correct
      judged += metrics.judged
    }
    return BatchMetrics(loss: lossSum / Double(max(samples, 1)), samples: samples, correct: correct, judged: judged)
  }
}
