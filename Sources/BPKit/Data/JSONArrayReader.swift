import Foundation

/// Reads the elements of a JSON document's top-level array one at a time,
/// with a buffer that holds one element, so that memory stays bounded
/// whatever the number of elements.
///
/// It finds where each element ends (brackets and braces outside strings,
/// the comma or closing bracket after it) and hands its bytes to the caller,
/// which parses them; the document's structure around the elements is
/// checked here.
final class JSONArrayReader {
  private let descriptor: Int32
  private(set) var buffer: [UInt8]
  private var start = 0
  private var end = 0
  private var finished = false
  private var opened = false
  private var closed = false
  /// The index of the element most recently returned, from 0.
  private(set) var index = -1
  /// The name used in error messages: the path.
  let source: String

  /// Opens a file.
  ///
  /// - Throws: ``DataError`` when the file is missing or unreadable.
  init(path: String, bufferSize: Int = 1 << 16) throws(DataError) {
    var status = stat()
    guard stat(path, &status) == 0 else { throw .fileNotFound(path: path) }
    guard (status.st_mode & S_IFMT) != S_IFDIR else { throw .unreadable(path: path, reason: "it is a directory") }
    descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
    source = path
    buffer = [UInt8](repeating: 0, count: max(bufferSize, 64))
  }

  deinit { close(descriptor) }

  /// The next element's bytes, or `nil` after the array's last element.
  ///
  /// - Throws: ``DataError/invalidJSON(source:line:reason:)`` when the
  ///   document is not one array, or ``DataError/unreadable(path:reason:)``.
  func nextElement() throws(DataError) -> Data? {
    if closed { return nil }
    if !opened {
      guard try skipWhitespace() == UInt8(ascii: "[") else {
        throw .invalidJSON(source: source, line: nil, reason: "expected an array of rows at the top level")
      }
      start += 1
      opened = true
      if try skipWhitespace() == UInt8(ascii: "]") {
        start += 1
        try requireEnd()
        return nil
      }
    } else if try skipWhitespace() == nil {
      throw .invalidJSON(source: source, line: nil, reason: "the array is not closed: the file ends inside it")
    }
    index += 1
    var depth = 0
    var inString = false
    var escaped = false
    var position = start
    while true {
      if position == end {
        let offset = position - start
        guard try fill() else {
          throw .invalidJSON(source: source, line: nil, reason: "the file ends inside row \(index)")
        }
        position = start + offset
        continue
      }
      let byte = buffer[position]
      if inString {
        if escaped {
          escaped = false
        } else if byte == UInt8(ascii: "\\") {
          escaped = true
        } else if byte == UInt8(ascii: "\"") {
          inString = false
        }
      } else {
        switch byte {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
        case UInt8(ascii: "]"), UInt8(ascii: "}"):
          if depth == 0 { return try element(endingAt: position, closing: byte == UInt8(ascii: "]")) }
          depth -= 1
        case UInt8(ascii: ","):
          if depth == 0 { return try element(endingAt: position, closing: false) }
        default: break
        }
      }
      position += 1
    }
  }

  /// Takes the element before `position`, the comma or bracket that ends it.
  private func element(endingAt position: Int, closing: Bool) throws(DataError) -> Data {
    let bytes = Data(buffer[start..<position])
    start = position + 1
    if closing {
      closed = true
      try requireEnd()
    }
    guard bytes.contains(where: { !Self.isWhitespace($0) }) else {
      throw .invalidJSON(source: source, line: nil, reason: "row \(index) is empty (two commas, or a trailing comma)")
    }
    return bytes
  }

  /// Refuses anything but white space after the array.
  private func requireEnd() throws(DataError) {
    if try skipWhitespace() != nil {
      throw .invalidJSON(source: source, line: nil, reason: "unexpected content after the array of rows")
    }
  }

  /// Skips white space; returns the next byte without consuming it, or `nil` at the end.
  private func skipWhitespace() throws(DataError) -> UInt8? {
    while true {
      while start < end, Self.isWhitespace(buffer[start]) { start += 1 }
      if start < end { return buffer[start] }
      guard try fill() else { return nil }
    }
  }

  private static func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
  }

  /// Reads more bytes, keeping those from `start`; `false` at the end of the file.
  private func fill() throws(DataError) -> Bool {
    if finished { return false }
    if start > 0 {
      buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
      end -= start
      start = 0
    }
    if end == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
    while true {
      let count = buffer.withUnsafeMutableBytes { bytes in
        read(descriptor, bytes.baseAddress! + end, bytes.count - end)
      }
      if count < 0 {
        if errno == EINTR { continue }
        throw .unreadable(path: source, reason: String(cString: strerror(errno)))
      }
      if count == 0 {
        finished = true
        return false
      }
      end += count
      return true
    }
  }
}
