/// One rank's part of a ``Prediction/run(source:predictor:writer:evaluate:loss:batchSize:communicator:probabilityClip:)``.
///
/// Batch i belongs to rank i mod N. Its owner reads and predicts it; a
/// rank other than 0 then sends rank 0 the batch's sample count and its
/// outputs. Rank 0 goes through every batch itself too (reading it, or for
/// HDF5 only counting its rows), so it knows each batch's size, checks the
/// owner's count against it, and writes and evaluates the batches in input
/// order. A rank that reaches the end of its input sends rank 0 a count of
/// 0 once; rank 0, at its end, takes one such count from every other rank.
/// A rank that saw more or fewer samples is thus found, never waited for.
struct PredictionJob {
  let source: any SampleReader
  let predictor: Predictor
  let batchSize: Int
  let communicator: (any Communicator)?
  /// This process's rank, 0 alone.
  let rank: Int
  /// The number of ranks, 1 alone.
  let size: Int
  /// The comparison with the labels, kept at rank 0.
  private(set) var evaluation: Evaluation?
  /// The samples of every batch gone through so far.
  private(set) var sampleCount = 0
  private var outputs: [Float] = []
  /// A float64 model's outputs, in place of ``outputs``.
  private var float64Outputs: [Double] = []
  /// A float64 model's inputs, widened exactly from samples read in Float32.
  private var float64Inputs: [Double] = []
  private var isFloat64: Bool { predictor.dtype == .float64 }

  init(
    source: any SampleReader, predictor: Predictor, evaluate: Bool, loss: Loss?, probabilityClip: Double?,
    batchSize: Int,
    communicator: (any Communicator)?
  ) throws {
    self.source = source
    self.predictor = predictor
    self.batchSize = batchSize
    self.communicator = communicator
    rank = communicator?.rank ?? 0
    size = communicator?.size ?? 1
    evaluation = evaluate && rank == 0 ? try Evaluation(network: predictor.network, loss: loss) : nil
    if let probabilityClip { evaluation?.probabilityClip = probabilityClip }
  }

  /// A batch as a rank goes through it: read whole, or (HDF5) only counted.
  private enum Pass {
    case read(SampleBatch)
    case counted(Int)

    var count: Int {
      switch self {
      case .read(let batch): batch.count
      case .counted(let count): count
      }
    }
  }

  mutating func run(writer: (any PredictionWriter)?) throws {
    var index = 0
    while true {
      let owner = index % size
      if owner == rank {
        guard let batch = try source.next(limit: batchSize) else { break }
        try predict(batch)
        if rank == 0 {
          try deliver(batch, to: writer)
        } else {
          try send(count: batch.count)
          if isFloat64 {
            try float64Outputs.withUnsafeBytes { try communicator!.send($0, to: 0) }
          } else {
            try outputs.withUnsafeBytes { try communicator!.send($0, to: 0) }
          }
        }
        sampleCount += batch.count
      } else if rank == 0 {
        guard let pass = try passOver(needingLabels: evaluation != nil) else { break }
        let sent = try receiveCount(from: owner)
        guard sent == pass.count else {
          throw DistributedError.inputDiffers(rank: owner, batch: index, expected: pass.count, actual: sent)
        }
        let width = try predictor.outputCount(inputCount: inputCount(of: pass), count: pass.count)
        if isFloat64 {
          if float64Outputs.count != width { float64Outputs = [Double](repeating: 0, count: width) }
          try float64Outputs.withUnsafeMutableBytes { try communicator!.receive(into: $0, from: owner) }
        } else {
          if outputs.count != width { outputs = [Float](repeating: 0, count: width) }
          try outputs.withUnsafeMutableBytes { try communicator!.receive(into: $0, from: owner) }
        }
        switch pass {
        case .read(let batch): try deliver(batch, to: writer)
        case .counted(let count): try write(count: count, to: writer)
        }
        sampleCount += pass.count
      } else {
        guard let pass = try passOver(needingLabels: false) else { break }
        sampleCount += pass.count
      }
      index += 1
    }
    try finishRanks(at: index)
    guard sampleCount > 0 else { throw DataError.empty(source: source.source) }
    try writer?.finish()
  }

  /// Runs a batch into ``outputs``.
  private mutating func predict(_ batch: SampleBatch) throws {
    let needed = try predictor.outputCount(inputCount: batch.inputs.count, count: batch.count)
    if isFloat64 {
      // The model runs in Double on the samples as read in Float64, or on
      // float32 samples widened exactly.
      if batch.float64Inputs == nil {
        float64Inputs.removeAll(keepingCapacity: true)
        float64Inputs.append(contentsOf: batch.inputs.lazy.map(Double.init))
      }
      if float64Outputs.count != needed { float64Outputs = [Double](repeating: 0, count: needed) }
      try (batch.float64Inputs ?? float64Inputs).withUnsafeBufferPointer { inputs in
        try float64Outputs.withUnsafeMutableBufferPointer {
          try predictor.predict(inputs, count: batch.count, into: $0)
        }
      }
      return
    }
    if outputs.count != needed { outputs = [Float](repeating: 0, count: needed) }
    try batch.inputs.withUnsafeBufferPointer { inputs in
      try outputs.withUnsafeMutableBufferPointer { try predictor.predict(inputs, count: batch.count, into: $0) }
    }
  }

  /// Writes and evaluates a batch whose outputs are in ``outputs``.
  private mutating func deliver(_ batch: SampleBatch, to writer: (any PredictionWriter)?) throws {
    try write(count: batch.count, to: writer)
    guard evaluation != nil else { return }
    guard let labels = batch.labels else { throw DataError.noLabels(source: source.source) }
    if isFloat64 {
      // Labels read in Float64 are compared exactly.
      if let exact = batch.float64Labels {
        try evaluation!.add(
          outputs: float64Outputs[...], labels: exact[...], units: predictor.outputWidth, source: source.source)
        return
      }
      try evaluation!.add(
        outputs: float64Outputs[...], labels: labels[...], units: predictor.outputWidth, source: source.source)
    } else {
      try evaluation!.add(
        outputs: outputs[...], labels: labels[...], units: predictor.outputWidth, source: source.source)
    }
  }

  /// Writes the outputs of `count` samples, in the model's precision.
  private func write(count: Int, to writer: (any PredictionWriter)?) throws {
    if isFloat64 {
      try writer?.write(float64Outputs: float64Outputs, count: count)
    } else {
      try writer?.write(outputs: outputs, count: count)
    }
  }

  /// Goes past a batch another rank predicts: an HDF5 input's rows are only
  /// counted unless their labels are needed; other inputs are parsed, to
  /// find where the next batch starts. `nil` at the end.
  private func passOver(needingLabels: Bool) throws -> Pass? {
    if let rows = source as? HDF5SampleReader, !needingLabels {
      let count = rows.skip(limit: batchSize)
      return count > 0 ? .counted(count) : nil
    }
    return try source.next(limit: batchSize).map { .read($0) }
  }

  private func inputCount(of pass: Pass) -> Int {
    switch pass {
    case .read(let batch): batch.inputs.count
    case .counted(let count): count * (source as! HDF5SampleReader).sampleShape.reduce(1, *)
    }
  }

  /// Ends the job's messages: every rank other than 0 tells rank 0 it has
  /// reached its end, and rank 0 checks that none had more samples.
  private func finishRanks(at index: Int) throws {
    guard size > 1 else { return }
    guard rank == 0 else { return try send(count: 0) }
    for other in 1..<size {
      let sent = try receiveCount(from: other)
      guard sent == 0 else {
        // The count came with the first batch at or after the end that `other` owns.
        let batch = index + (other - index % size + size) % size
        throw DistributedError.inputDiffers(rank: other, batch: batch, expected: 0, actual: sent)
      }
    }
  }

  private func send(count: Int) throws {
    var value = Int64(count)
    try withUnsafeBytes(of: &value) { try communicator!.send($0, to: 0) }
  }

  private func receiveCount(from other: Int) throws -> Int {
    var value: Int64 = 0
    try withUnsafeMutableBytes(of: &value) { try communicator!.receive(into: $0, from: other) }
    return Int(value)
  }
}
