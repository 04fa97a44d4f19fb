internal import CKernels
import Dispatch
import Synchronization

/// The numbers of a large float32 tensor, written on every thread the
/// kernels may use (``Kernels/threads``, or the calling thread's own
/// choice from ``Kernels/with(path:threads:_:)``).
///
/// One core cannot write or read exactly rounded shortest decimals at the
/// speed of the bytes (about 25 ns a number), so the numbers are cut into
/// pieces, one per thread: each piece goes into its own buffer and the
/// buffers go to the output in order (on one more thread, while the next
/// pieces are formatted), so the text is the one thread's, byte for byte. Base64 text is decoded on every thread too
/// (`readBase64`), and so are numbers: the parser checks a long array's
/// text a piece per thread and marks where each piece begins (and its
/// first number's index), and each thread converts the stretches between
/// marks it takes straight into their place in the tensor.
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
  /// the buffers then written in order by one more thread while the next
  /// round is formatted into a second set of buffers (so the copies into
  /// the file's pages no longer leave the formatting threads waiting). A
  /// write's error is thrown as soon as the round after it is formatted,
  /// and nothing more is written after it.
  static func writeNumbers(
    _ scalars: UnsafeBufferPointer<Float>, to output: JSONOutput, threads: Int, piece: Int
  ) throws(BPKitJSONError) {
    let widest = Float32Text.maximumLength + 2
    let set = threads * piece * widest
    let buffers = UnsafeMutableRawPointer.allocate(byteCount: 2 * set, alignment: 64)
    defer { buffers.deallocate() }
    let lengths = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2 * threads)
    defer { lengths.deallocate() }
    nonisolated(unsafe) let (shared, sharedLengths, source, output) = (buffers, lengths, scalars, output)
    let writer = DispatchQueue(label: "bpkit.json-numbers")
    let written = DispatchGroup()
    let failure = WriteFailure()
    // Waits for the round being written; its error, if any, is thrown.
    func waitForWriter() throws(BPKitJSONError) {
      written.wait()
      if let error = failure.error { throw error }
    }
    var start = 0
    var round = 0
    while start < scalars.count {
      let (roundStart, half) = (start, round & 1)
      onThreads(threads) { thread in
        let from = min(roundStart + thread * piece, source.count)
        let to = min(from + piece, source.count)
        let text = (shared + half * set + thread * piece * widest).assumingMemoryBound(to: UInt8.self)
        var written = 0
        for index in from..<to {
          if index > 0 {
            text[written] = UInt8(ascii: ",")
            text[written + 1] = UInt8(ascii: " ")
            written += 2
          }
          written += Float32Text.write(source[index], to: text + written)
        }
        sharedLengths[half * threads + thread] = written
      }
      // The other half's round must be out before this one follows it
      // (and before the next round formats into that half).
      try waitForWriter()
      writer.async(group: written) {
        do throws(BPKitJSONError) {
          for thread in 0..<threads where sharedLengths[half * threads + thread] > 0 {
            let text = UnsafeRawBufferPointer(
              start: shared + half * set + thread * piece * widest, count: sharedLengths[half * threads + thread])
            try output.appendUnbuffered(text)
          }
        } catch {
          failure.error = error
        }
      }
      start = min(start + threads * piece, scalars.count)
      round += 1
    }
    try waitForWriter()
  }

  /// The error of the writing thread of ``writeNumbers(_:to:threads:piece:)``,
  /// read only after waiting for it.
  private final class WriteFailure: @unchecked Sendable {
    var error: BPKitJSONError?
  }

  // MARK: Reading

  /// Converts the `count` numbers of an array's text (checked by the
  /// parser) straight into the tensor's storage, a stretch at a time (from
  /// one of `marks` to the next), the stretches taken in order by every
  /// conversion thread.
  /// Each stretch's pages of a mapped document are let go once converted,
  /// so the text and the weights are never both held.
  ///
  /// A number beyond a float's range is reported at its own index, the
  /// first such in the array whatever thread met it, as one thread would.
  /// The tensor stays in 4 KiB pages, zeroed by the kernel as the
  /// conversion reaches them: 2 MiB pages cost 0.5 s more system time for
  /// 400 MB here (BENCHMARKS.md).
  static func readNumberText(
    _ cursor: JSONCursor, _ range: Range<Int>, count: Int, marks: [JSONValue.Mark]
  ) throws(BPKitJSONError) -> [Float] {
    guard count > 0, let base = cursor.bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return [] }
    let stretches = marks.count
    precondition(marks.first?.index == 0, "the parser marks the first number")
    let taken = Atomic<Int>(0)
    let outOfRange = Atomic<Int>(Int.max)
    let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      nonisolated(unsafe) let (output, text, cursor) = (buffer, UnsafePointer(base), cursor)
      onThreads(min(conversionThreads(count), stretches)) { _ in
        while case let stretch = taken.wrappingAdd(1, ordering: .relaxed).oldValue, stretch < stretches {
          let first = marks[stretch].index
          // Past a number already found out of range nothing more is needed.
          guard outOfRange.load(ordering: .relaxed) > first else { return }
          let (from, last) = (marks[stretch].offset, stretch + 1 < stretches ? marks[stretch + 1].index : count)
          let to = stretch + 1 < stretches ? marks[stretch + 1].offset : range.upperBound
          var next = text + from
          let end = text + to
          for index in first..<last {
            while JSONCursor.isSeparator(next.pointee) { next += 1 }
            guard let scalar = Float32Text.parse(&next, limit: end) else {
              outOfRange.min(index, ordering: .relaxed)
              return
            }
            output[index] = scalar
          }
          cursor.release(from..<to)
        }
      }
      initialized = outOfRange.load(ordering: .relaxed) == Int.max ? count : 0
    }
    let failure = outOfRange.load(ordering: .relaxed)
    if failure != Int.max {
      throw JSONCursor(value: .null, path: cursor.path.appending(failure), bytes: cursor.bytes)
        .violation("expected a number within the range of a 32-bit float")
    }
    return scalars
  }
}
