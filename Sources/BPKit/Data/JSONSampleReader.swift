import Foundation

/// Samples written as JSON: a file holding one array of rows, or JSON Lines
/// (one row per line) from a file or standard input.
///
/// A row is an array of numbers, or for sequence models an array of steps,
/// each an array of numbers. A row may also be an object
/// `{"input": row, "label": number}`, which is how labelled JSON data is given.
///
/// Both are read a row at a time: memory holds one row, not the document.
///
/// For a float64 model (``DType/float64``) each number is also read from its
/// text as the nearest Double (bpkit's own JSON parser; Foundation's does
/// not round Doubles correctly) into ``SampleBatch/float64Inputs`` and
/// ``SampleBatch/float64Labels``, as a CSV or float64 HDF5 input gives them.
public final class JSONSampleReader: SampleReader {
  private enum Mode {
    case lines(LineReader)
    case document(JSONArrayReader)
  }

  private var mode: Mode
  private let layout: SampleLayout
  /// A sample read whose length differs from the batch before it: the next batch's first.
  private var pending: SampleBatch?
  /// The name used in messages: the path, or `standard input`.
  public let source: String
  private let labelKey: String?
  /// Whether numbers are also read exactly as Doubles.
  private let wide: Bool

  /// JSON Lines from a file, or from standard input when `path` is `-`.
  ///
  /// - Parameters:
  ///   - path: The file, or `-` for standard input.
  ///   - layout: What each sample must look like.
  ///   - labels: The member of object rows that holds the label, or `nil` without labels.
  ///   - dtype: The precision numbers are read in (see ``SampleBatch/float64Inputs``).
  /// - Throws: ``BPKitError`` when the file is missing or unreadable.
  public convenience init(
    linesAt path: String, layout: SampleLayout, labels: String?, dtype: DType = .float32
  ) throws(BPKitError) {
    do {
      self.init(lines: try LineReader(path: path), layout: layout, labels: labels, dtype: dtype)

    } catch {
      throw BPKitError(error)
    }
  }

  /// JSON Lines from a reader.
  package init(lines reader: LineReader, layout: SampleLayout, labels: String?, dtype: DType = .float32) {
    mode = .lines(reader)
    self.layout = layout
    self.source = reader.source
    self.labelKey = labels
    self.wide = dtype == .float64
  }

  /// A JSON document holding an array of rows, read one row at a time.
  ///
  /// - Parameters:
  ///   - path: The file.
  ///   - layout: What each sample must look like.
  ///   - labels: The member of object rows that holds the label, or `nil` without labels.
  ///   - dtype: The precision numbers are read in (see ``SampleBatch/float64Inputs``).
  /// - Throws: ``BPKitError`` when the file is missing or unreadable.
  public init(documentAt path: String, layout: SampleLayout, labels: String?, dtype: DType = .float32)
    throws(BPKitError)
  {
    do {
      mode = .document(try JSONArrayReader(path: path))
      self.layout = layout
      self.source = path
      self.labelKey = labels
      self.wide = dtype == .float64

    } catch {
      throw BPKitError(error)
    }
  }

  /// Reads up to `limit` rows.
  ///
  /// - Throws: ``BPKitError`` naming the line or row of the first bad value.
  public func next(limit: Int) throws(BPKitError) -> SampleBatch? {
    do {
      var batch = pending ?? SampleBatch()
      pending = nil
      if labelKey != nil && batch.labels == nil { batch.labels = [] }
      while batch.count < limit {
        let row: Any
        let place: String
        let text: Data
        switch mode {
        case .lines(let reader):
          guard let line = try reader.nextLine() else { return batch.count == 0 ? nil : batch }
          if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
          place = "\(source), line \(reader.lineNumber)"
          text = Data(line.utf8)
          do {
            row = try JSONSerialization.jsonObject(with: text, options: [.fragmentsAllowed])
          } catch {
            throw DataError.invalidJSON(source: source, line: reader.lineNumber, reason: Self.reason(error))
          }
        case .document(let reader):
          guard let element = try reader.nextElement() else {
            if reader.index < 0 { throw DataError.empty(source: source) }
            return batch.count == 0 ? nil : batch
          }
          place = "\(source), row \(reader.index)"
          text = element
          do {
            row = try JSONSerialization.jsonObject(with: element, options: [.fragmentsAllowed])
          } catch {
            throw DataError.invalidJSON(source: place, line: nil, reason: Self.reason(error))
          }
        }
        let start = (inputs: batch.inputs.count, labels: batch.labels?.count ?? 0)
        try append(row, at: place, to: &batch)
        if wide { try appendExact(text, at: place, to: &batch) }
        // Samples of any length: a batch holds one length, and a sample of
        // another starts the next batch.
        if layout.isAnyLength, batch.lastSampleChangesLength(inputsFrom: start.inputs) {
          pending = batch.removeLastSample(inputsFrom: start.inputs, labelsFrom: start.labels)
          return batch
        }
      }
      return batch

    } catch {
      throw BPKitError(error)
    }
  }

  private func append(_ row: Any, at place: String, to batch: inout SampleBatch) throws {
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
    // A sequence is an array of steps, or (as a CSV row is) one flat array of
    // steps × features numbers.
    let flat = ((input as? [Any])?.first).map { $0 is NSNumber } ?? false
    try Self.flatten(input, at: place, depth: layout.isSequence && !flat ? 2 : 1, into: &batch.inputs)
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

  /// The row's numbers again, each read from its text as the nearest
  /// Double: the input's in the order ``append(_:at:to:)`` took them, and
  /// the label. The row was checked by then, so its shape is known good.
  private func appendExact(_ text: Data, at place: String, to batch: inout SampleBatch) throws {
    if batch.float64Inputs == nil { batch.float64Inputs = [] }
    if labelKey != nil && batch.float64Labels == nil { batch.float64Labels = [] }
    try text.withUnsafeBytes { bytes in
      let root: JSONValue
      do {
        root = try JSONParser.parse(bytes)
      } catch {
        throw DataError.invalidJSON(source: place, line: nil, reason: "\(error)")
      }
      func number(_ range: Range<Int>) throws -> Double {
        let digits = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        guard let value = Double(digits), value.isFinite else {
          throw DataError.invalidJSON(source: place, line: nil, reason: "'\(digits)' is beyond float64's range")
        }
        return value
      }
      func collect(_ value: JSONValue) throws {
        switch value {
        case .number(let range): batch.float64Inputs!.append(try number(range))
        case .numbers(let range, let count, _):
          for item in JSONCursor.numberRanges(in: range, count: count, of: bytes) {
            batch.float64Inputs!.append(try number(item))
          }
        case .array(let elements): for element in elements { try collect(element) }
        default: break
        }
      }
      var input = root
      if case .object(let members) = root {
        input = members.first { $0.key == "input" }?.value ?? .null
        if let labelKey, case .number(let range)? = members.first(where: { $0.key == labelKey })?.value {
          batch.float64Labels!.append(try number(range))
        }
      }
      try collect(input)
    }
  }

  private static func reason(_ error: any Error) -> String {
    (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "not valid JSON"
  }
}
