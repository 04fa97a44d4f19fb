/// The file formats `bpkit infer` reads and writes.
enum PredictionFormat: String, CaseIterable {
  case csv, json, jsonl, h5

  /// The format a file name's extension implies, or `nil`.
  init?(path: String) {
    switch path.split(separator: ".").last?.lowercased() {
    case "csv", "txt": self = .csv
    case "json": self = .json
    case "jsonl", "ndjson": self = .jsonl
    case "h5", "hdf5", "he5": self = .h5
    default: return nil
    }
  }
}

/// What `bpkit infer` writes for each sample.
enum PredictionMode: Equatable {
  /// The model's outputs (probabilities for softmax/sigmoid models).
  case outputs
  /// The index of the largest output: the predicted class.
  case argmax
  /// The `k` largest outputs' indices with their values, best first.
  case topK(Int)

  /// The classes and scores to report for one sample's outputs.
  func ranked(_ outputs: ArraySlice<Float>) -> [(index: Int, score: Float)] {
    let k: Int
    switch self {
    case .outputs: return []
    case .argmax: k = 1
    case .topK(let count): k = min(count, outputs.count)
    }
    let base = outputs.startIndex
    // A stable order: larger score first, then smaller index.
    return outputs.indices.sorted { (outputs[$0], $1) > (outputs[$1], $0) }
      .prefix(k).map { ($0 - base, outputs[$0]) }
  }
}
