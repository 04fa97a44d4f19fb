internal import CKernels
import Dispatch

/// The numbers of a large float32 tensor, written on every thread the
/// kernels may use (``Kernels/threads``, or the calling thread's own
/// choice from ``Kernels/with(path:threads:_:)``).
///
/// One core cannot write or read exactly rounded shortest decimals at the
/// speed of the bytes (about 25 ns a number), so the numbers are cut into
/// pieces, one per thread: each piece goes into its own buffer and the
/// buffers go to the output in order, so the text is the one thread's,
/// byte for byte. Base64 text is decoded on every thread too
/// (`readBase64`); numbers are read on one.
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
}
