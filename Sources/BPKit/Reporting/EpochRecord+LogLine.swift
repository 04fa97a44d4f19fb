import Foundation

extension EpochRecord {
  /// The line `bpkit train --log-json FILE` appends to its log for this
  /// epoch: one JSON object with sorted snake_case keys (the record's fields,
  /// `run_id` and `seed`), ending in a line feed.
  ///
  /// ```
  /// {"epoch":1,"learning_rate":0.001,"notes":[],"run_id":"…","seconds":0.01,"seed":1,"train_loss":0.9}
  /// ```
  ///
  /// An app that trains through ``TrainingRun`` writes the same log by
  /// appending this line on each ``TrainingEvent/epochCompleted(_:)``.
  ///
  /// - Parameters:
  ///   - runID: The run's id (``TrainingRun/id``), written in lowercase.
  ///   - seed: The run's seed (``TrainingConfiguration/seed``).
  /// - Returns: The line's UTF-8 bytes.
  public func jsonLogLine(runID: UUID, seed: UInt64) -> Data {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys]
    // The record's fields are numbers, strings and arrays of strings, which always encode.
    var data = try! encoder.encode(LogLine(record: self, runID: runID.uuidString.lowercased(), seed: seed))
    data.append(UInt8(ascii: "\n"))
    return data
  }
}

/// One line of the `--log-json` log: the epoch's record, with the run's id and seed.
private struct LogLine: Encodable {
  var record: EpochRecord
  var runID: String
  var seed: UInt64

  private enum CodingKeys: String, CodingKey {
    case runID = "runId"
    case seed
  }

  func encode(to encoder: any Encoder) throws {
    try record.encode(to: encoder)
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(runID, forKey: .runID)
    try container.encode(seed, forKey: .seed)
  }
}
