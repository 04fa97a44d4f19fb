import BPKit
import Foundation
import Synchronization

/// Turns Ctrl-C (SIGINT) and SIGTERM into a request to stop after the current
/// training step, so a checkpoint can be written first. A second signal stops
/// at once; checkpoints are written atomically, so nothing on disk is damaged.
///
/// SIGPIPE is ignored, so that a closed standard output (`bpkit train | head`)
/// is a failed write the progress reporter notices, which stops the run the
/// same way (``outputClosed()``) instead of killing it.
final class StopRequest {
  private final class Received: Sendable {
    let number = Atomic<Int32>(0)
  }

  private let received = Received()
  private var sources: [any DispatchSourceSignal] = []
  /// The training run's control, asked to stop on the first signal.
  let control = TrainingControl()

  init() {
    Glibc.signal(SIGPIPE, SIG_IGN)
    let received = self.received
    let control = self.control
    sources = [SIGINT, SIGTERM].map { number in
      Glibc.signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler {
        if received.number.exchange(number, ordering: .relaxed) != 0 {
          FileHandle.standardError.write(Data("\nbpkit: stopping at once\n".utf8))
          exit(128 + number)
        }
        control.requestStop()
        FileHandle.standardError.write(
          Data("\nbpkit: finishing the current step and writing a checkpoint (signal again to stop at once)\n".utf8))
      }
      source.resume()
      return source
    }
  }

  /// Stops the run after the current step because standard output was
  /// closed; its exit code is then that of SIGPIPE.
  func outputClosed() {
    _ = received.number.compareExchange(expected: 0, desired: SIGPIPE, ordering: .relaxed)
    control.requestStop()
  }

  /// The signal received, or `nil`.
  var signal: Int32? {
    let value = received.number.load(ordering: .relaxed)
    return value == 0 ? nil : value
  }

  /// The exit code for the signal received: 130 for SIGINT, 143 for SIGTERM,
  /// 141 for a closed standard output.
  var exitCode: Int32 { 128 + (signal ?? 0) }

  deinit {
    for source in sources { source.cancel() }
  }
}
