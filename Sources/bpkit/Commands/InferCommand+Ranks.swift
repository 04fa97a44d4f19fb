import ArgumentParser
import BPKit
import Foundation

extension InferCommand {
  /// `mpirun -np N bpkit infer`: the batches of --batch-size samples are
  /// dealt to the ranks in turn (batch i to rank i mod N); each rank reads
  /// and predicts only its own, and sends the outputs to rank 0, which
  /// writes every batch in input order through the one writer. A row's
  /// prediction does not depend on its batch (README, "Reproducibility"),
  /// and the writer sees the batches one process would give it, so the
  /// output file is byte for byte the one of a single process.
  func predictSharded(
    source: any SampleReader, predictor: Predictor, communicator: any Communicator,
    writer makeWriter: () throws -> any PredictionWriter
  ) throws {
    guard let reader = source as? HDF5SampleReader, input != "-" else {
      throw ValidationError(
        "under mpirun, bpkit infer reads HDF5 input (--input FILE.h5, whose rows every rank can read); "
          + "run \(input == "-" ? "standard input" : input) in one process")
    }
    if labels != nil || metricsOnly {
      throw ValidationError("under mpirun, bpkit infer only predicts; evaluate --labels in one process")
    }
    guard output != OutputFile.standardOutputName else {
      throw ValidationError("under mpirun, bpkit infer writes a file: give --output FILE")
    }
    let rank = communicator.rank
    let writer = rank == 0 ? try makeWriter() : nil
    let sampleWidth = reader.sampleShape.reduce(1, *)
    var outputs: [Float] = []
    var index = 0
    while true {
      let owner = index % communicator.size
      index += 1
      if owner == rank {
        guard let batch = try reader.next(limit: batchSize) else { break }
        let needed = try predictor.outputCount(inputCount: batch.inputs.count, count: batch.count)
        if outputs.count != needed { outputs = [Float](repeating: 0, count: needed) }
        try batch.inputs.withUnsafeBufferPointer { inputs in
          try outputs.withUnsafeMutableBufferPointer { try predictor.predict(inputs, count: batch.count, into: $0) }
        }
        if let writer {
          try writer.write(outputs: outputs, count: batch.count)
        } else {
          try outputs.withUnsafeBytes { try communicator.send($0, to: 0) }
        }
      } else {
        let count = reader.skip(limit: batchSize)
        guard count > 0 else { break }
        guard let writer else { continue }
        let needed = try predictor.outputCount(inputCount: count * sampleWidth, count: count)
        if outputs.count != needed { outputs = [Float](repeating: 0, count: needed) }
        try outputs.withUnsafeMutableBytes { try communicator.receive(into: $0, from: owner) }
        try writer.write(outputs: outputs, count: count)
      }
    }
    guard reader.sampleCount > 0 else { throw DataError.empty(source: reader.source) }
    try writer?.finish()
  }
}
