import Foundation
import SwiftProtobuf

/// Reads an ONNX file's `ModelProto` with swift-protobuf, leaving the
/// initializers' `raw_data` in the file.
///
/// swift-protobuf copies every `bytes` field it decodes, so decoding a whole
/// model would hold its weights twice (the file's bytes, then the copy)
/// before bpkit takes them as Float32. Instead this walks the framing of
/// the three messages that lead to the weights (`ModelProto.graph`,
/// `GraphProto.initializer`, `TensorProto.raw_data`: a tag and a length
/// each, onnx.proto's field numbers 7, 5 and 9), has swift-protobuf decode
/// every other byte (protobuf decodes the concatenation of a message's
/// fields as the message, merging repeated messages and fields: the
/// encoding guide's "Last One Wins"), and notes where each `raw_data` lies,
/// so that ``ONNXTensorReader`` reads it from the file straight into the
/// tensor that keeps it. Files are read with `pread`, not mapped, so that
/// no page of the file counts in the process's memory.
enum ONNXModelFile {
  /// onnx.proto's field numbers on the way to the weights.
  static let graphField = 7
  static let initializerField = 5
  static let rawDataField = 9

  /// The model without the initializers' `raw_data`, and where each one's lies in the file (by initializer index).
  struct Decoded {
    var model = Onnx_ModelProto()
    var rawData: [Int: Range<Int>] = [:]
  }

  /// Decodes the file at `path`.
  ///
  /// - Throws: ``ONNXError/notONNXModel(file:detail:)`` when it is not a
  ///   protobuf `ModelProto`; ``FormatError`` when it cannot be read.
  static func read(_ path: String) throws -> Decoded {
    let file = try BinaryFile(reading: path)
    let size = try file.size()
    let walker = Walker(path: path)
    var decoded = Decoded()
    var graph = Onnx_GraphProto()
    var hasGraph = false
    var modelFragments = Fragments()
    var graphFragments = Fragments()
    for field in try walker.fields(in: 0..<size, of: file) {
      guard field.number == graphField, field.wireType == 2 else {
        modelFragments.add(field.whole)
        continue
      }
      hasGraph = true
      for member in try walker.fields(in: field.payload, of: file) {
        guard member.number == initializerField, member.wireType == 2 else {
          graphFragments.add(member.whole)
          continue
        }
        var tensor = Onnx_TensorProto()
        var tensorFragments = Fragments()
        var raw: Range<Int>?
        for part in try walker.fields(in: member.payload, of: file) {
          if part.number == rawDataField, part.wireType == 2 {
            // The last raw_data wins, as a parser's would.
            raw = part.payload
          } else {
            tensorFragments.add(part.whole)
          }
        }
        try tensorFragments.flush(into: &tensor, from: file, walker)
        if let raw { decoded.rawData[graph.initializer.count] = raw }
        graph.initializer.append(tensor)
      }
    }
    try modelFragments.flush(into: &decoded.model, from: file, walker)
    try graphFragments.flush(into: &graph, from: file, walker)
    if hasGraph { decoded.model.graph = graph }
    return decoded
  }

  /// One field of a message: its number, wire type, and where it and its payload lie.
  struct Field {
    var number: Int
    var wireType: Int
    /// From the tag to the end of the payload.
    var whole: Range<Int>
    /// The payload of a length-delimited field (wire type 2).
    var payload: Range<Int>
  }

  /// Runs of consecutive bytes that swift-protobuf decodes into one message.
  struct Fragments {
    private var pending: Range<Int>?
    private var runs: [Range<Int>] = []

    mutating func add(_ range: Range<Int>) {
      if let current = pending, current.upperBound == range.lowerBound {
        pending = current.lowerBound..<range.upperBound
      } else {
        if let current = pending { runs.append(current) }
        pending = range
      }
    }

    /// Decodes the runs into `message` in order and forgets them.
    mutating func flush<M: Message>(into message: inout M, from file: borrowing BinaryFile, _ walker: Walker) throws {
      if let current = pending { runs.append(current) }
      pending = nil
      var options = BinaryDecodingOptions()
      options.discardUnknownFields = true
      for run in runs {
        let bytes = try file.read(count: run.count, at: run.lowerBound)
        do {
          try message.merge(serializedBytes: bytes, options: options)
        } catch {
          throw walker.invalid("protobuf: \(error) in the \(M.protoMessageName) at byte \(run.lowerBound)")
        }
      }
      runs = []
    }
  }

  /// Reads tags and lengths (protobuf's encoding guide: varints, wire types 0, 1, 2 and 5).
  struct Walker {
    let path: String

    /// The fields of the message whose bytes are `range`.
    func fields(in range: Range<Int>, of file: borrowing BinaryFile) throws -> [Field] {
      var fields: [Field] = []
      var offset = range.lowerBound
      while offset < range.upperBound {
        // A tag and a length or varint value take at most 20 bytes.
        let head = try file.read(count: min(20, range.upperBound - offset), at: offset)
        var position = 0
        let tag = try varint(head, &position, at: offset)
        let number = Int(tag >> 3)
        let wireType = Int(tag & 7)
        guard number > 0, number <= 536_870_911 else { throw invalid("field number \(number) at byte \(offset)") }
        var payloadStart = 0
        var end = 0
        switch wireType {
        case 0:
          _ = try varint(head, &position, at: offset)
          end = offset + position
        case 1, 5:
          end = offset + position + (wireType == 1 ? 8 : 4)
        case 2:
          let length = try varint(head, &position, at: offset)
          payloadStart = offset + position
          guard length <= UInt64(range.upperBound - payloadStart) else {
            throw invalid("a field of \(length) bytes at byte \(offset) runs past its message")
          }
          end = payloadStart + Int(length)
        default:
          throw invalid("wire type \(wireType) at byte \(offset), which ONNX does not use")
        }
        guard end <= range.upperBound else { throw invalid("the field at byte \(offset) runs past its message") }
        fields.append(
          Field(
            number: number, wireType: wireType, whole: offset..<end,
            payload: wireType == 2 ? payloadStart..<end : end..<end))
        offset = end
      }
      return fields
    }

    private func varint(_ bytes: [UInt8], _ position: inout Int, at offset: Int) throws -> UInt64 {
      var value: UInt64 = 0
      var shift: UInt64 = 0
      while position < bytes.count, shift < 64 {
        let byte = bytes[position]
        position += 1
        value |= UInt64(byte & 0x7F) << shift
        if byte & 0x80 == 0 { return value }
        shift += 7
      }
      throw invalid("a truncated or overlong varint at byte \(offset)")
    }

    func invalid(_ detail: String) -> ONNXError {
      .notONNXModel(file: path, detail: detail)
    }
  }
}
