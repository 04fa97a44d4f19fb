import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// The code of the DocC article TrainAndResume.md, run as written but with
/// paths in a temporary folder and the bundled digits.
@Suite struct TrainAndResumeArticleTests {
  @Test func theSnippetsWork() async throws {
    let folder = try TemporaryDirectory()
    let digits = Fixtures.path("datasets/digits.h5")
    let checkpoint = folder.path("digits.ckpt.h5")

    var options = TrainingOptions(start: .init(layers: "64,32:tanh,10:softmax"))
    options.data = .init(data: digits, validation: digits)
    options.schedule = .init(epochs: 12, batchSize: 8, seed: 42)
    options.output = .init(checkpoint: checkpoint)

    let run = try TrainingRun(options)
    var epochs: [Int] = []
    let outcome = try run.run { event in
      if case .epochCompleted(let record) = event { epochs.append(record.epoch) }
    }
    #expect(outcome.reason == .completed && outcome.progress.epoch == 12)
    #expect(epochs == Array(1...12))
    let whole = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))

    options.output.checkpoint = folder.path("cancelled.ckpt.h5")
    let cancelledOptions = options
    let task = Task.detached {
      try TrainingRun(cancelledOptions).run { event in
        // Stands in for the user pressing Stop part way through.
        if case .step(let report) = event, report.epoch == 3, report.step == 20 {
          withUnsafeCurrentTask { $0?.cancel() }
        }
      }
    }
    let stopped = try await task.value
    #expect(stopped.reason == .cancelled)

    let resumed = try TrainingRun(TrainingOptions(start: .init(resume: folder.path("cancelled.ckpt.h5"))))
    let rest = try resumed.run()
    #expect(rest.reason == .completed)
    let again = try Checkpoint(contentsOf: URL(fileURLWithPath: folder.path("cancelled.ckpt.h5")))
    #expect(CheckpointComparison.differences(whole, again) == [])
  }
}
