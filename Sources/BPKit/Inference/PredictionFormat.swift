import Foundation

/// The formats predictions are written in, by ``PredictionFormat/writer(to:mode:model:loss:)``.
public enum PredictionFormat: String, Sendable, CaseIterable {
  /// CSV with a header: `y0,y1,...` for outputs, `class` for argmax,
  /// `class1,score1,...` for top-k; classes by the model's names when it has them.
  case csv
  /// One JSON array of rows: an array of outputs (nested [steps][units] for
  /// sequences), a class, or `[{"class": c, "score": s}, ...]` for top-k.
  case json
  /// JSON Lines: the rows of ``json``, one per line, each flushed as written.
  case jsonl
  /// HDF5: a dataset `predictions` [samples, ...outputs], or for argmax
  /// `classes` [samples], or for top-k `classes` and `scores` [samples, k],
  /// with the class names in a `class_names` root attribute.
  case h5

  /// The format a file name's extension implies (`.csv` or `.txt`, `.json`,
  /// `.jsonl` or `.ndjson`, `.h5`, `.hdf5` or `.he5`), or `nil`.
  public init?(path: String) {
    switch path.split(separator: ".").last?.lowercased() {
    case "csv", "txt": self = .csv
    case "json": self = .json
    case "jsonl", "ndjson": self = .jsonl
    case "h5", "hdf5", "he5": self = .h5
    default: return nil
    }
  }
}
