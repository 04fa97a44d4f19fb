import BPKit
import Dispatch

/// A ``Communicator`` that counts the time spent in, and the bytes sent
/// through, another one, for `bpkit bench train-mlp` under mpirun. The time
/// includes waiting for the rank before in the chain. Used from one thread.
final class TimedCommunicator: Communicator, @unchecked Sendable {
  let base: any Communicator
  /// Seconds spent inside the base communicator's calls.
  private(set) var seconds = 0.0
  /// Bytes this rank sent: point-to-point, and as the root of broadcasts.
  private(set) var bytesSent = 0

  init(_ base: any Communicator) { self.base = base }

  var rank: Int { base.rank }
  var size: Int { base.size }

  func reset() {
    seconds = 0
    bytesSent = 0
  }

  private func timed<R>(_ body: () throws -> R) rethrows -> R {
    let start = DispatchTime.now().uptimeNanoseconds
    defer { seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    return try body()
  }

  func send(_ bytes: UnsafeRawBufferPointer, to destination: Int) throws {
    bytesSent += bytes.count
    try timed { try base.send(bytes, to: destination) }
  }

  func receive(into bytes: UnsafeMutableRawBufferPointer, from source: Int) throws {
    try timed { try base.receive(into: bytes, from: source) }
  }

  func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws {
    if root == rank { bytesSent += bytes.count * (size - 1) }
    try timed { try base.broadcast(bytes, from: root) }
  }

  func gather(_ bytes: UnsafeRawBufferPointer, to root: Int) throws -> [UInt8] {
    if root != rank { bytesSent += bytes.count }
    return try timed { try base.gather(bytes, to: root) }
  }

  func abort(exitCode: Int32) -> Never { base.abort(exitCode: exitCode) }
}
