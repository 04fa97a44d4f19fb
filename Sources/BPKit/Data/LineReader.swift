import Foundation

/// Reads a file or standard input line by line with a fixed-size buffer, so
/// memory stays bounded whatever the input's size.
///
/// A line is returned as soon as it is complete, which lets a program answer
/// each line of a pipe before the next arrives.
package final class LineReader {
  private let descriptor: Int32
  private let ownsDescriptor: Bool
  private var buffer: [UInt8]
  private var start = 0
  private var end = 0
  private var finished = false
  /// The number of the line most recently returned, from 1.
  package private(set) var lineNumber = 0
  /// The name used in error messages: the path, or `standard input`.
  package let source: String
  /// The longest line read, in bytes: a line without an end (a stream of
  /// zero bytes from `/dev/zero`, say) is refused at this length instead of
  /// growing the buffer until memory runs out.
  package static let maximumLineBytes = 16 << 20

  /// Opens a file for reading, or standard input when `path` is `-`.
  ///
  /// The buffer holds `bufferSize` bytes, or a regular file's whole size
  /// (at least 4 KiB) when that is less: a one-row CSV costs 4 KiB, not
  /// 1 MiB of zeroed memory, at every start. A file that grows while it is
  /// read grows the buffer as a long line does.
  ///
  /// - Throws: ``DataError`` when the file is missing or unreadable.
  package init(path: String, bufferSize: Int = 1 << 20) throws(DataError) {
    var size = bufferSize
    if path == "-" {
      descriptor = STDIN_FILENO
      ownsDescriptor = false
      source = "standard input"
    } else {
      var status = stat()
      guard stat(path, &status) == 0 else { throw .fileNotFound(path: path) }
      guard (status.st_mode & S_IFMT) != S_IFDIR else { throw .unreadable(path: path, reason: "it is a directory") }
      descriptor = open(path, O_RDONLY | O_CLOEXEC)
      guard descriptor >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
      ownsDescriptor = true
      source = path
      // One byte more than the file, so that its end is seen without a grow.
      if (status.st_mode & S_IFMT) == S_IFREG { size = min(size, Int(status.st_size) + 1) }
    }
    buffer = [UInt8](repeating: 0, count: max(size, 4096))
  }

  /// The bytes the buffer holds now.
  package var bufferCapacity: Int { buffer.count }

  deinit {
    if ownsDescriptor { close(descriptor) }
  }

  /// The next line without its line terminator (`\n` or `\r\n`), or `nil` at the end.
  ///
  /// Lines longer than the buffer grow it, up to ``maximumLineBytes``; the
  /// buffer never shrinks.
  package func nextLine() throws(DataError) -> Substring? {
    try withNextLine { Substring(decoding: $0, as: UTF8.self) }
  }

  /// Calls `body` with the next line's bytes, without the line terminator,
  /// or returns `nil` at the end of the input.
  ///
  /// The byte just past the line is 0 while `body` runs, so C functions that
  /// stop at a non-digit, such as `strtof`, can parse straight from the
  /// buffer. The bytes are valid only during the call.
  package func withNextLine<R>(_ body: (UnsafeBufferPointer<UInt8>) throws(DataError) -> R) throws(DataError) -> R? {
    while true {
      if let newline = newlineIndex() {
        let result = try line(start..<newline, body)
        start = newline + 1
        return result
      }
      if end - start > Self.maximumLineBytes {
        throw .lineTooLong(source: source, line: lineNumber + 1, limit: Self.maximumLineBytes)
      }
      if finished {
        guard start < end else { return nil }
        if end == buffer.count { buffer.append(0) }
        let result = try line(start..<end, body)
        start = end
        return result
      }
      try fill()
    }
  }

  /// The first line break at or after `start`, found with `memchr`: a long
  /// line is scanned once per fill, at memory speed even in debug builds.
  private func newlineIndex() -> Int? {
    guard start < end else { return nil }
    return buffer.withUnsafeBufferPointer { bytes in
      memchr(bytes.baseAddress! + start, Int32(UInt8(ascii: "\n")), end - start).map {
        UnsafeRawPointer($0) - UnsafeRawPointer(bytes.baseAddress!)
      }
    }
  }

  /// Runs `body` on `range` of the buffer without a trailing `\r`, with a 0
  /// written just past it (over the consumed terminator or into spare room).
  private func line<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws(DataError) -> R)
    throws(DataError) -> R
  {
    var lineEnd = range.upperBound
    if lineEnd > range.lowerBound && buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
    buffer[lineEnd] = 0
    lineNumber += 1
    return try rethrowing(DataError.self) {
      try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range.lowerBound..<lineEnd])) }
    }
  }

  /// The first character of the input that is not white space, without
  /// consuming anything; `nil` for empty input.
  package func peekFirstCharacter() throws(DataError) -> Character? {
    while true {
      if let index = buffer[start..<end].firstIndex(where: { !" \t\r\n".utf8.contains($0) }) {
        return Character(UnicodeScalar(buffer[index]))
      }
      if finished { return nil }
      try fill()
    }
  }

  private func fill() throws(DataError) {
    if start > 0 {
      // Moved within the buffer: replaceSubrange with a slice of the buffer
      // itself would copy the whole buffer (1 MiB) first.
      let (from, count) = (start, end - start)
      buffer.withUnsafeMutableBytes { bytes in
        guard count > 0, let base = bytes.baseAddress else { return }
        _ = memmove(base, base + from, count)
      }
      end = count
      start = 0
    }
    if end == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
    let count = buffer.withUnsafeMutableBytes { bytes in
      read(descriptor, bytes.baseAddress! + end, bytes.count - end)
    }
    if count < 0 {
      if errno == EINTR { return }
      throw .unreadable(path: source, reason: String(cString: strerror(errno)))
    }
    if count == 0 { finished = true }
    end += count
  }
}
