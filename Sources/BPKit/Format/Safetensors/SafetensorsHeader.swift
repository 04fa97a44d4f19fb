import Foundation

/// The header of a safetensors file, read and checked before any tensor's
/// memory is allocated, as the safetensors format promises: the header
/// length is capped (100 MB), every tensor's dtype and shape agree with its
/// byte range, and the ranges lie inside the file, in order, without
/// overlaps or gaps, filling the data exactly (huggingface/safetensors,
/// "Format" and its `validate` function). JSONSerialization keeps the last
/// of duplicate keys, as serde_json does for safetensors itself.
struct SafetensorsHeader {
  /// One tensor's entry.
  struct Entry: Hashable {
    var name: String
    var dtype: SafetensorsDType
    var shape: [Int]
    /// The byte range in the file (the header's offsets plus the data's start).
    var range: Range<Int>

    var count: Int { shape.reduce(1, *) }
  }

  /// safetensors' own limit on the header (MAX_HEADER_SIZE).
  static let maximumHeaderBytes = 100_000_000

  var entries: [Entry]
  var metadata: [String: String]
  /// Where the data starts: 8 + the header's length.
  var dataStart: Int

  /// Reads and checks the header of `file` (named `path` in errors).
  init(_ file: borrowing BinaryFile, path: String) throws {
    let size = try file.size()
    guard size >= 8 else { throw SafetensorsError.notSafetensors(file: path, detail: "it has \(size) bytes") }
    let prefix = try file.read(count: 8, at: 0)
    let length = prefix.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
    guard length <= UInt64(Self.maximumHeaderBytes), Int(length) <= size - 8 else {
      throw SafetensorsError.headerTooLarge(file: path, bytes: length, limit: Self.maximumHeaderBytes)
    }
    let text = try file.read(count: Int(length), at: 8)
    try self.init(header: text, dataBytes: size - 8 - Int(length), path: path)
  }

  /// Checks a header's bytes against a file holding `dataBytes` bytes after it.
  init(header text: [UInt8], dataBytes: Int, path: String) throws {
    dataStart = 8 + text.count
    guard text.first == UInt8(ascii: "{") else {
      throw SafetensorsError.notSafetensors(file: path, detail: "its header does not start with '{'")
    }
    let root: Any
    do {
      root = try JSONSerialization.jsonObject(with: Data(text))
    } catch {
      throw SafetensorsError.invalidHeader(
        file: path, detail: "it is not JSON (\((error as NSError).localizedDescription))")
    }
    guard let members = root as? [String: Any] else {
      throw SafetensorsError.invalidHeader(file: path, detail: "not an object")
    }
    var entries: [Entry] = []
    var metadata: [String: String] = [:]
    for (name, value) in members.sorted(by: { $0.key < $1.key }) {
      if name == "__metadata__" {
        guard let pairs = value as? [String: Any] else {
          throw SafetensorsError.invalidHeader(file: path, detail: "__metadata__ is not an object of strings")
        }
        for (key, item) in pairs {
          guard let text = item as? String else {
            throw SafetensorsError.invalidHeader(file: path, detail: "__metadata__ '\(key)' is not a string")
          }
          metadata[key] = text
        }
        continue
      }
      guard let fields = value as? [String: Any], fields.count == 3, let dtypeName = fields["dtype"] as? String else {
        throw SafetensorsError.invalidTensor(
          file: path, name: name, detail: "it needs exactly dtype, shape and data_offsets")
      }
      guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
        throw SafetensorsError.invalidTensor(
          file: path, name: name, detail: "dtype \(dtypeName) is not one bpkit reads (F32, F64, F16, BF16)")
      }
      guard let dimensions = Self.counts(fields["shape"]), let offsets = Self.counts(fields["data_offsets"]),
        offsets.count == 2, offsets[0] <= offsets[1]
      else {
        throw SafetensorsError.invalidTensor(file: path, name: name, detail: "its shape or data_offsets are invalid")
      }
      let (begin, end) = (offsets[0], offsets[1])
      var bytes = dtype.byteCount
      for size in dimensions {
        let (product, overflow) = bytes.multipliedReportingOverflow(by: size)
        guard !overflow else {
          throw SafetensorsError.invalidTensor(file: path, name: name, detail: "its shape overflows")
        }
        bytes = product
      }
      guard bytes == end - begin else {
        throw SafetensorsError.invalidTensor(
          file: path, name: name,
          detail: "\(dtypeName) \(dimensions) needs \(bytes) bytes; data_offsets give \(end - begin)")
      }
      guard end <= dataBytes else {
        throw SafetensorsError.invalidLayout(
          file: path, detail: "'\(name)' ends at byte \(end) of the data; the file holds \(dataBytes)")
      }
      entries.append(Entry(name: name, dtype: dtype, shape: dimensions, range: (dataStart + begin)..<(dataStart + end)))
    }
    var next = dataStart
    for entry in entries.sorted(by: {
      ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound)
    }) {
      guard entry.range.lowerBound == next else {
        throw SafetensorsError.invalidLayout(
          file: path,
          detail: entry.range.lowerBound < next
            ? "'\(entry.name)' overlaps the tensor before it"
            : "a gap of \(entry.range.lowerBound - next) bytes before '\(entry.name)'")
      }
      next = entry.range.upperBound
    }
    guard next == dataStart + dataBytes else {
      throw SafetensorsError.invalidLayout(
        file: path, detail: "\(dataStart + dataBytes - next) bytes after the last tensor")
    }
    self.entries = entries
    self.metadata = metadata
  }
}

extension SafetensorsHeader {
  /// A JSON array of non-negative integers (JSONSerialization gives numbers as NSNumber).
  static func counts(_ value: Any?) -> [Int]? {
    guard let items = value as? [Any] else { return nil }
    var counts: [Int] = []
    for item in items {
      guard type(of: item) != Bool.self, let number = item as? NSNumber, number.int64Value >= 0,
        number.int64Value <= Int64(Int32.max) << 16, Double(number.int64Value) == number.doubleValue
      else { return nil }
      counts.append(number.intValue)
    }
    return counts
  }
}

/// The element types bpkit reads from safetensors files.
enum SafetensorsDType: String {
  case f32 = "F32"
  case f64 = "F64"
  case f16 = "F16"
  case bf16 = "BF16"

  var byteCount: Int {
    switch self {
    case .f32: 4
    case .f64: 8
    case .f16, .bf16: 2
    }
  }
}
