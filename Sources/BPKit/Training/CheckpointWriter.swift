import Dispatch
import Foundation
import Synchronization

/// Writes a run's checkpoints on a thread of its own, so that training goes
/// on while a checkpoint is written and synced.
///
/// The training thread takes a snapshot of the session (a ``Checkpoint``,
/// a value that owns copies of the weights and slots) and hands it over
/// with ``submit(_:)``; it waits only when the previous checkpoint is still
/// being written, and every way a run ends (its last epoch, a stop request,
/// a step limit, a cancelled task, an error) waits for the writer with
/// ``finish()`` before it returns. Each file is still written by
/// ``Checkpoint/write(to:options:)``: a kill at any moment leaves the
/// previous checkpoint or the new one, complete.
///
/// A write that fails is reported by the next ``submit(_:)`` or ``finish()``,
/// which throws its error; nothing is written after it.
final class CheckpointWriter: Sendable {
  /// One file to write from a snapshot.
  struct Job: Sendable {
    var checkpoint: Checkpoint
    var url: URL
    var best: Bool
    /// The checkpoints kept before this one is written (``CheckpointRotation``); 1 keeps none.
    var keep: Int
    var options: FileWriteOptions
  }

  private struct State {
    var failure: (any Error)?
    var written: [Job] = []
  }

  private let queue = DispatchQueue(label: "bpkit.checkpoint-writer", qos: .userInitiated)
  private let state = Mutex(State())

  /// Hands `jobs` to the writer thread, which writes them in order, after
  /// waiting for the checkpoints handed over before.
  ///
  /// - Throws: The error of an earlier write; `jobs` are then not written.
  func submit(_ jobs: [Job]) throws {
    try waitForPrevious()
    queue.async { [self] in
      for job in jobs {
        guard state.withLock({ $0.failure == nil }) else { return }
        do {
          if job.keep > 1 { CheckpointRotation(destination: job.url.relativePath, keep: job.keep).rotate() }
          try job.checkpoint.write(to: job.url, options: job.options)
          state.withLock { $0.written.append(job) }
        } catch {
          state.withLock { $0.failure = error }
        }
      }
    }
  }

  /// The checkpoints written since the last call, in the order they were written.
  func takeWritten() -> [Job] {
    state.withLock { state in
      defer { state.written = [] }
      return state.written
    }
  }

  /// Waits until every checkpoint handed over is written.
  ///
  /// - Throws: The error of a write that failed.
  func finish() throws {
    try waitForPrevious()
  }

  private func waitForPrevious() throws {
    queue.sync {}
    if let failure = state.withLock({ $0.failure }) { throw failure }
  }
}
