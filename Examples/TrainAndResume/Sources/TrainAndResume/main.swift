// Trains a digits classifier in a Swift task, cancels the task part way, as
// an app's Stop button would, resumes the run from the checkpoint the
// cancelled run wrote, and checks that it ends with bitwise the weights of
// a run that was never interrupted.
//
// Usage: TrainAndResume DATA.h5 FOLDER
// (DATA.h5 holds /train/x, /train/y, /test/x and /test/y; checkpoints go to FOLDER)
//
// `make test` builds and runs it on the bundled digits.
import BPKit
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
  FileHandle.standardError.write(Data("usage: TrainAndResume DATA.h5 FOLDER\n".utf8))
  exit(2)
}
let data = arguments[1]
let folder = URL(fileURLWithPath: arguments[2], isDirectory: true)

/// A new run: the network, its data, its schedule and where its checkpoints go.
func newRun(checkpoint: String) -> TrainingOptions {
  TrainingOptions(
    start: .init(layers: "64,32:tanh,10:softmax"),
    data: .init(data: data, validation: data),
    schedule: .init(epochs: 12, batchSize: 8, seed: 42),
    output: .init(checkpoint: folder.appendingPathComponent(checkpoint).path))
}

do {
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

  // 1. A run that is never interrupted.
  let whole = try TrainingRun(newRun(checkpoint: "whole.ckpt.h5"))
  let done = try whole.run()
  print("uninterrupted: \(done.progress.epoch) epochs, \(done.steps) steps")

  // 2. The same run in a task, whose progress the app follows as events.
  //    Part way through the second epoch the app cancels the task, as a
  //    Stop button would: the run stops after its current step and writes
  //    a checkpoint.
  let (progress, reporter) = AsyncStream.makeStream(of: TrainingEvent.self)
  let options = newRun(checkpoint: "app.ckpt.h5")
  let task = Task.detached {
    defer { reporter.finish() }
    return try TrainingRun(options).run { reporter.yield($0) }
  }
  for await event in progress {
    if case .epochCompleted(let record) = event {
      print(
        String(
          format: "epoch %d: loss %.4f, validation accuracy %.2f%%", record.epoch, record.trainLoss,
          (record.validationAccuracy ?? 0) * 100))
    }
    if case .step(let report) = event, report.epoch == 1, report.step == 45 {
      task.cancel()
      break
    }
  }
  let cancelled = try await task.value
  guard cancelled.reason == .cancelled else {
    print("the run ended (\(cancelled.reason)) before it was cancelled")
    exit(1)
  }
  print(
    "cancelled after \(cancelled.steps) steps, in epoch \(cancelled.progress.epoch + 1) after its step "
      + "\(cancelled.progress.stepInEpoch); checkpoint: \(cancelled.checkpoint.lastPathComponent)")

  // 3. Resume from the checkpoint: the data is found from the fingerprint
  //    the checkpoint holds, and checked against it.
  let resumed = try TrainingRun(TrainingOptions(start: .init(resume: cancelled.checkpoint.path)))
  let rest = try resumed.run()
  print("resumed: \(rest.steps) more steps, \(rest.progress.epoch) epochs")

  // 4. Bit for bit the uninterrupted run's weights, optimizer state and history.
  let expected = whole.session.checkpoint()
  guard case .checkpoint(let actual) = try BPKitFile.open(cancelled.checkpoint) else {
    print("\(cancelled.checkpoint.path) holds no checkpoint")
    exit(1)
  }
  let same =
    expected.model.parameters.mapValues { $0.scalars.map(\.bitPattern) }
    == actual.model.parameters.mapValues { $0.scalars.map(\.bitPattern) }
    && expected.optimizer == actual.optimizer
    && expected.progress.history.map(\.trainLoss) == actual.progress.history.map(\.trainLoss)
  print(same ? "the resumed run equals the uninterrupted one, bit for bit" : "the resumed run differs")
  exit(same ? 0 : 1)
} catch {
  FileHandle.standardError.write(Data("TrainAndResume: \(error)\n".utf8))
  exit(1)
}
