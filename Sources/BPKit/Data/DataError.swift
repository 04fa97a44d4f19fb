/// Input data that cannot be used, with the place in it and what to do.
package enum DataError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file does not exist.
  case fileNotFound(path: String)
  /// The file cannot be read.
  case unreadable(path: String, reason: String)
  /// The input holds no data rows.
  case empty(source: String)
  /// A CSV row has a different number of fields from the first row.
  case raggedRow(source: String, line: Int, expected: Int, found: Int)
  /// A field is not a number.
  case notANumber(source: String, line: Int, column: String, value: String)
  /// A field is NaN or infinite where finite numbers are required.
  case notFinite(source: String, line: Int, column: String, value: String)
  /// A value in a dataset is NaN or infinite; `row` counts from 0, and the
  /// message counts from 1.
  case notFiniteInDataset(source: String, row: Int)
  /// A sample weight is negative or not finite.
  case invalidSampleWeight(source: String, row: Int, value: Double)
  /// A named column does not exist.
  case unknownColumn(source: String, column: String, available: [String])
  /// A class label that is not one of the classes the model or the training data has.
  case unknownClass(source: String, line: Int, column: String, value: String, known: [String])
  /// The `feature_names` attribute of an HDF5 inputs dataset has another count than its features.
  case featureNameCount(source: String, names: Int, features: Int)
  /// Columns the model's features need are not in the CSV header.
  case missingColumns(source: String, missing: [String])
  /// A column name was given but the CSV has no header row.
  case noHeader(source: String, column: String)
  /// A class label is not a whole number in 0..<classCount; `row` counts
  /// from 0, and the message counts from 1.
  case labelOutOfRange(source: String, row: Int, value: Double, classCount: Int)
  /// A class label on a CSV line is not a whole number in 0..<classCount.
  case labelOutOfRangeAt(source: String, line: Int, column: String, value: Double, classCount: Int)
  /// Inputs have a different width from the one the model expects.
  case widthMismatch(source: String, expected: Int, found: Int)
  /// Inputs and targets have different numbers of samples.
  case countMismatch(source: String, inputs: Int, targets: Int)
  /// A dataset has a rank the model cannot take (2-D data for a sequence model, say).
  case wrongRank(source: String, expected: String, shape: [Int])
  /// A dataset stores numbers of a type bpkit does not read as data.
  case unsupportedElementType(source: String, type: String)
  /// A JSON input is malformed.
  case invalidJSON(source: String, line: Int?, reason: String)
  /// A line is longer than 16 MiB, the longest line the line readers take.
  case lineTooLong(source: String, line: Int, limit: Int)
  /// The data is not in a regular file (a device, a FIFO, a folder), which
  /// training cannot read twice, to fingerprint it.
  case notRegularFile(path: String, reason: String)
  /// Evaluation was asked for, but the samples carry no labels.
  case noLabels(source: String)

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    switch self {
    case .fileNotFound(let path):
      "no such file: '\(path)'"
    case .unreadable(let path, let reason):
      "cannot read '\(path)': \(reason)"
    case .empty(let source):
      "'\(source)' holds no data rows"
    case .raggedRow(let source, let line, let expected, let found):
      "\(source), line \(line): \(found) fields, but the first row has \(expected); every row needs the same columns"
    case .notANumber(let source, let line, let column, let value):
      "\(source), line \(line), column \(column): '\(value)' is not a number"
    case .notFinite(let source, let line, let column, let value):
      "\(source), line \(line), column \(column): '\(value)' is not a finite number; remove or replace it"
    case .notFiniteInDataset(let source, let row):
      "\(source), row \(row + 1): holds NaN or an infinite value; remove or replace it"
    case .invalidSampleWeight(let source, let row, let value):
      "\(source), row \(row + 1): sample weight \(Self.digits(value)); sample weights (--sample-weight) must be numbers >= 0"
    case .unknownColumn(let source, let column, let available):
      "\(source) has no column '\(column)'; its columns are \(Self.list(available))"
    case .unknownClass(let source, let line, let column, let value, let known):
      "\(source), line \(line), column \(column): class '\(value)' is not one of the classes \(Self.list(known))"
    case .featureNameCount(let source, let names, let features):
      "\(source) has \(features) features but its feature_names attribute holds \(names) names; give one per feature"
    case .missingColumns(let source, let missing):
      "\(source) lacks the column\(missing.count == 1 ? "" : "s") \(Self.list(missing)) that the model's features "
        + "need; its columns are matched by name"
    case .noHeader(let source, let column):
      "\(source) has no header row, so column '\(column)' cannot be found; add a header line"
    case .labelOutOfRange(let source, let row, let value, let classCount):
      "\(source), row \(row + 1): class label \(Self.number(value)) is not a whole number in 0..<\(classCount)"
    case .labelOutOfRangeAt(let source, let line, let column, let value, let classCount):
      "\(source), line \(line), column \(column): class label \(Self.number(value)) is not a whole number in "
        + "0..<\(classCount)"
    case .widthMismatch(let source, let expected, let found):
      "\(source) has \(found) input values per sample, but the model expects \(expected)"
    case .countMismatch(let source, let inputs, let targets):
      "\(source): \(inputs) input samples but \(targets) targets"
    case .wrongRank(let source, let expected, let shape):
      "\(source) has shape \(shape), but the model needs \(expected)"
    case .unsupportedElementType(let source, let type):
      "\(source) holds \(type) values; bpkit reads float32, float64 and integer data"
    case .invalidJSON(let source, let line, let reason):
      "\(source)\(line.map { ", line \($0)" } ?? ""): invalid JSON: \(reason)"
    case .lineTooLong(let source, let line, let limit):
      "\(source), line \(line): longer than \(limit) bytes without a line break; this is not line-based data"
    case .notRegularFile(let path, let reason):
      "cannot use '\(path)' as data: \(reason)"
    case .noLabels(let source):
      "\(source) was read without labels, so there is nothing to evaluate against; name the labels (a CSV "
        + "column, an HDF5 dataset, the label member of JSON rows)"
    }
  }

  /// A label as written: `7`, not `7.0`.
  /// A value as read: a Float32 value (every value of float32 data) in its
  /// shortest Float32 digits, others in their Float64 digits.
  private static func number(_ value: Double) -> String {
    if value.isFinite && value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
    return digits(value)
  }

  /// A value in its shortest Float32 digits when it is a Float32 value, else in its Float64 digits.
  private static func digits(_ value: Double) -> String {
    Double(Float(value)) == value || value.isNaN ? "\(Float(value))" : "\(value)"
  }

  private static func list(_ names: [String]) -> String {
    let shown = names.prefix(12).joined(separator: ", ")
    return names.count > 12 ? shown + ", ... (\(names.count) in all)" : shown
  }
}
