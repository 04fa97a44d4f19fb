import BPKit
import Foundation

/// Samples written as JSON: a file holding one array of rows, or JSON Lines
/// (one row per line) from a file or standard input.
///
/// A row is an array of numbers, or for sequence models an array of steps,
/// each an array of numbers. A row may also be an object
/// `{"input": row, "label": number}`, which is how labelled JSON data is given.
final class JSONInferenceInput: InferenceInput {
  private enum Mode {
    case lines(LineReader)
    case document(rows: [Any], next: Int)
  }

  private var mode: Mode
  private var layout: SampleLayout
  let source: String
  private let labelKey: String?

  /// JSON Lines from a reader.
  init(lines reader: LineReader, layout: SampleLayout, labels: String?) {
    mode = .lines(reader)
    self.layout = layout
    self.source = reader.source
    self.labelKey = labels
  }

  /// A whole JSON document holding an array of rows.
  init(documentAt path: String, layout: SampleLayout, labels: String?) throws {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw FileManager.default.fileExists(atPath: path)
        ? DataError.unreadable(path: path, reason: error.localizedDescription) : DataError.fileNotFound(path: path)
    }
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: data)
    } catch {
      throw DataError.invalidJSON(source: path, line: nil, reason: Self.reason(error))
    }
    guard let rows = object as? [Any] else {
      throw DataError.invalidJSON(source: path, line: nil, reason: "expected an array of rows at the top level")
    }
    guard !rows.isEmpty else { throw DataError.empty(source: path) }
    mode = .document(rows: rows, next: 0)
    self.layout = layout
    self.source = path
    self.labelKey = labels
  }

  func next(limit: Int) throws -> InputBatch? {
    var batch = InputBatch()
    if labelKey != nil { batch.labels = [] }
    while batch.count < limit {
      let row: Any
      let place: String
      switch mode {
      case .lines(let reader):
        guard let line = try reader.nextLine() else { return batch.count == 0 ? nil : batch }
        if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
        place = "\(source), line \(reader.lineNumber)"
        do {
          row = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
        } catch {
          throw DataError.invalidJSON(source: source, line: reader.lineNumber, reason: Self.reason(error))
        }
      case .document(let rows, let next):
        guard next < rows.count else { return batch.count == 0 ? nil : batch }
        mode = .document(rows: rows, next: next + 1)
        row = rows[next]
        place = "\(source), row \(next)"
      }
      try append(row, at: place, to: &batch)
    }
    return batch
  }

  private func append(_ row: Any, at place: String, to batch: inout InputBatch) throws {
    var input = row
    if let object = row as? [String: Any] {
      guard let value = object["input"] else {
        throw DataError.invalidJSON(source: place, line: nil, reason: "an object row needs an \"input\" member")
      }
      input = value
      if let labelKey {
        guard let label = (object[labelKey] as? NSNumber)?.floatValue else {
          throw DataError.invalidJSON(source: place, line: nil, reason: "the row has no numeric \"\(labelKey)\"")
        }
        batch.labels?.append(label)
      }
    } else if labelKey != nil {
      throw DataError.invalidJSON(
        source: place, line: nil, reason: "with labels, each row must be {\"input\": [...], \"\(labelKey!)\": n}")
    }
    let start = batch.inputs.count
    try Self.flatten(input, at: place, depth: layout.isSequence ? 2 : 1, into: &batch.inputs)
    try layout.check(width: batch.inputs.count - start, at: place)
    batch.count += 1
  }

  /// Appends the numbers of a nested array of the given depth.
  private static func flatten(_ value: Any, at place: String, depth: Int, into values: inout [Float]) throws {
    guard let array = value as? [Any] else {
      throw DataError.invalidJSON(
        source: place, line: nil,
        reason: depth == 2 ? "expected an array of time steps" : "expected an array of numbers")
    }
    for element in array {
      if depth > 1 {
        try flatten(element, at: place, depth: depth - 1, into: &values)
      } else {
        // JSONSerialization gives true and false as NSNumber too; their type is a Boolean one.
        let isBoolean = "\(type(of: element))".contains("Boolean")
        guard let number = element as? NSNumber, !isBoolean else {
          let text = isBoolean ? ((element as? Bool) == true ? "true" : "false") : "\(element)"
          throw DataError.invalidJSON(source: place, line: nil, reason: "'\(text)' is not a number")
        }
        values.append(number.floatValue)
      }
    }
  }

  private static func reason(_ error: any Error) -> String {
    (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "not valid JSON"
  }
}
