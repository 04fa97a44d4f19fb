internal import CKernels
import Dispatch

/// The numbers of a large float32 tensor, written and read on every thread
/// the kernels may use (``Kernels/threads``, or the calling thread's own
/// choice from ``Kernels/with(path:threads:_:)``).
///
/// One core cannot write or read exactly rounded shortest decimals at the
/// speed of the bytes (about 25 ns a number), so the numbers are cut into
/// pieces, one per thread. Written, each piece goes into its own buffer and
/// the buffers go to the output in order: the text is the one thread's,
/// byte for byte. Read, the text is cut just after a comma; a first pass
/// counts each piece's commas, which gives the index of its first number,
/// and then every piece is converted straight into the tensor's storage.
extension TensorJSON {
  /// Tensors with fewer numbers than this stay on the calling thread.
  static let threadedMinimum = 1 << 16

  /// How many threads a tensor of `count` elements is converted on.
  static func conversionThreads(_ count: Int) -> Int {
    count < threadedMinimum ? 1 : max(1, Int(bpk_kernels_current_threads()))
  }

  /// Runs `body(0..<count)`, on `count` threads when there are more than one.
  static func onThreads(_ count: Int, _ body: @Sendable (Int) -> Void) {
    if count == 1 {
      body(0)
    } else {
      DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
  }

  // MARK: Writing

  /// Writes the scalars as `a, b, c`, `threads` pieces of `piece` numbers
  /// at a time, each piece formatted on its own thread into its own buffer,
  /// the buffers then written in order.
  static func writeNumbers(
    _ scalars: UnsafeBufferPointer<Float>, to output: JSONOutput, threads: Int, piece: Int
  ) throws(BPKitJSONError) {
    let widest = Float32Text.maximumLength + 2
    let buffers = UnsafeMutableRawPointer.allocate(byteCount: threads * piece * widest, alignment: 64)
    defer { buffers.deallocate() }
    let lengths = UnsafeMutableBufferPointer<Int>.allocate(capacity: threads)
    defer { lengths.deallocate() }
    nonisolated(unsafe) let (shared, sharedLengths, source) = (buffers, lengths, scalars)
    var start = 0
    while start < scalars.count {
      let roundStart = start
      onThreads(threads) { thread in
        let from = min(roundStart + thread * piece, source.count)
        let to = min(from + piece, source.count)
        let text = (shared + thread * piece * widest).assumingMemoryBound(to: UInt8.self)
        var written = 0
        for index in from..<to {
          if index > 0 {
            text[written] = UInt8(ascii: ",")
            text[written + 1] = UInt8(ascii: " ")
            written += 2
          }
          written += Float32Text.write(source[index], to: text + written)
        }
        sharedLengths[thread] = written
      }
      for thread in 0..<threads where lengths[thread] > 0 {
        let text = UnsafeRawBufferPointer(start: buffers + thread * piece * widest, count: lengths[thread])
        try output.appendUnbuffered(text)
      }
      start = min(start + threads * piece, scalars.count)
    }
  }

  // MARK: Reading

  /// Converts the `count` numbers of `range` (an array's text, checked by
  /// the parser) into `buffer` on `threads` threads; returns the index of
  /// the first number beyond the float's range, or `nil`.
  static func readNumberText(
    _ cursor: JSONCursor, _ range: Range<Int>, count: Int, into buffer: UnsafeMutableBufferPointer<Float>,
    threads: Int
  ) -> Int? {
    let base = cursor.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
    // Piece i starts just after the first comma at or after its share of
    // the text (or where the text ends), so that no number is cut.
    var starts = [range.lowerBound]
    for thread in 1..<threads {
      var split = max(starts[thread - 1], range.lowerBound + range.count / threads * thread)
      while split < range.upperBound, base[split] != UInt8(ascii: ",") { split += 1 }
      starts.append(min(split + 1, range.upperBound))
    }
    starts.append(range.upperBound)
    // The numbers before a piece: one per comma before it.
    let commas = UnsafeMutableBufferPointer<Int>.allocate(capacity: threads)
    defer { commas.deallocate() }
    let failures = UnsafeMutableBufferPointer<Int>.allocate(capacity: threads)
    defer { failures.deallocate() }
    nonisolated(unsafe) let (text, shared, sharedCommas, sharedFailures) = (base, buffer, commas, failures)
    nonisolated(unsafe) let cursor = cursor
    let pieces = starts
    onThreads(threads) { thread in
      // Stretch by stretch, each let go behind, so that this pass never
      // holds the mapped text (the conversion maps it again).
      var found = 0
      var stretch = pieces[thread]
      while stretch < pieces[thread + 1] {
        let end = min(stretch + JSONParser.releaseStretch, pieces[thread + 1])
        for index in stretch..<end { found &+= text[index] == UInt8(ascii: ",") ? 1 : 0 }
        cursor.release(stretch..<end)
        stretch = end
      }
      sharedCommas[thread] = found
    }
    var firsts = [0]
    for thread in 0..<threads - 1 { firsts.append(firsts[thread] + commas[thread]) }
    let firstIndex = firsts
    onThreads(threads) { thread in
      var next = UnsafePointer(text + pieces[thread])
      let end = UnsafePointer(text + pieces[thread + 1])
      let limit = UnsafePointer(text + range.upperBound)
      var index = firstIndex[thread]
      var released = pieces[thread]
      sharedFailures[thread] = -1
      while true {
        while next < end, JSONCursor.isSeparator(next.pointee) { next += 1 }
        guard next < end, index < count else { break }
        guard let scalar = Float32Text.parse(&next, limit: limit) else {
          sharedFailures[thread] = index
          return
        }
        shared[index] = scalar
        index += 1
        if index & 0xFFFF == 0, text.distance(to: next) - released >= JSONParser.releaseStretch {
          cursor.release(released..<text.distance(to: next))
          released = text.distance(to: next)
        }
      }
    }
    return failures.first { $0 >= 0 }
  }
}
