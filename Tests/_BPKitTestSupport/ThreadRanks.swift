import BPKit
import Foundation

/// Ranks as threads of the test process: a ``Communicator`` whose messages
/// go through memory, so the library's distributed paths run without
/// `mpirun`. Messages from one rank to another arrive in the order sent,
/// as the protocol asks; sends never wait.
public final class ThreadRanks: @unchecked Sendable {
  /// One queue of messages per (kind, sender, receiver).
  private var queues: [String: [[UInt8]]] = [:]
  private let condition = NSCondition()
  public let size: Int

  private init(size: Int) { self.size = size }

  /// Runs `body` on `size` threads, one per rank, each with its rank's
  /// communicator, and returns each rank's result (or error) in rank order.
  public static func run<T: Sendable>(
    _ size: Int, _ body: @escaping @Sendable (any Communicator) throws -> T
  ) -> [Result<T, any Error>] {
    let ranks = ThreadRanks(size: size)
    let results = ResultBox<T>(count: size)
    let group = DispatchGroup()
    for rank in 0..<size {
      let thread = Thread {
        results.set(rank, Result { try body(Rank(ranks: ranks, rank: rank)) })
        group.leave()
      }
      // The kernels and libhdf5 need more than a secondary thread's default 512 KiB in debug builds.
      thread.stackSize = 8 << 20
      group.enter()
      thread.start()
    }
    group.wait()
    return results.values.map { $0! }
  }

  fileprivate func post(_ bytes: [UInt8], kind: String, from: Int, to: Int) {
    condition.lock()
    queues["\(kind) \(from) \(to)", default: []].append(bytes)
    condition.broadcast()
    condition.unlock()
  }

  fileprivate func take(kind: String, from: Int, to: Int) -> [UInt8] {
    let key = "\(kind) \(from) \(to)"
    condition.lock()
    defer { condition.unlock() }
    while queues[key, default: []].isEmpty { condition.wait() }
    return queues[key]!.removeFirst()
  }

  private final class ResultBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<T, any Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Result<T, any Error>) {
      lock.lock()
      values[index] = value
      lock.unlock()
    }
  }

  /// One rank's view of the threads.
  private final class Rank: Communicator, @unchecked Sendable {
    let ranks: ThreadRanks
    let rank: Int
    var size: Int { ranks.size }

    init(ranks: ThreadRanks, rank: Int) {
      self.ranks = ranks
      self.rank = rank
    }

    func send(_ bytes: UnsafeRawBufferPointer, to destination: Int) throws {
      ranks.post(Array(bytes), kind: "p2p", from: rank, to: destination)
    }

    func receive(into bytes: UnsafeMutableRawBufferPointer, from source: Int) throws {
      let message = ranks.take(kind: "p2p", from: source, to: rank)
      guard message.count == bytes.count else {
        throw DistributedError.messageSize(from: source, expected: bytes.count, actual: message.count)
      }
      message.withUnsafeBytes { bytes.copyMemory(from: $0) }
    }

    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws {
      if rank == root {
        for other in 0..<size where other != root { ranks.post(Array(bytes), kind: "bcast", from: root, to: other) }
      } else {
        let message = ranks.take(kind: "bcast", from: root, to: rank)
        guard message.count == bytes.count else {
          throw DistributedError.messageSize(from: root, expected: bytes.count, actual: message.count)
        }
        message.withUnsafeBytes { bytes.copyMemory(from: $0) }
      }
    }

    func gather(_ bytes: UnsafeRawBufferPointer, to root: Int) throws -> [UInt8] {
      guard rank == root else {
        ranks.post(Array(bytes), kind: "gather", from: rank, to: root)
        return []
      }
      return (0..<size).flatMap { $0 == root ? Array(bytes) : ranks.take(kind: "gather", from: $0, to: root) }
    }

    func abort(exitCode: Int32) -> Never {
      fatalError("rank \(rank) ended the job with exit code \(exitCode); tests never do")
    }
  }
}
