import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Where a run writes, through the library: a new run never replaces a
/// checkpoint it was not told to resume or replace, never writes over its own
/// data, and two runs never write one checkpoint at once.
@Suite struct TrainingRunDestinationTests {
  static let iris = Fixtures.path("datasets/iris.csv")
  let folder: TemporaryDirectory

  init() throws {
    folder = try TemporaryDirectory(prefix: "bpkit-destination")
  }

  func options(checkpoint: String, overwrite: Bool = false, data: String = Self.iris) -> TrainingOptions {
    TrainingOptions(
      start: .init(layers: "4,8:tanh,3:softmax"), data: .init(data: data, target: "species"),
      schedule: .init(epochs: 1), output: .init(checkpoint: checkpoint, overwrite: overwrite))
  }

  @Test func aNewRunRefusesAnExistingCheckpointUnlessToldToReplaceIt() throws {
    let path = folder.path("run.h5")
    try TrainingRun(options(checkpoint: path)).run()
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    expectReason(CheckpointExistsError(file: path, resuming: false)) {
      _ = try TrainingRun(options(checkpoint: path))
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    try TrainingRun(options(checkpoint: path, overwrite: true)).run()
    // Resuming it needs neither.
    try TrainingRun(TrainingOptions(start: .init(resume: path), schedule: .init(epochs: 2))).run()
  }

  @Test func aRunWhoseCheckpointIsItsDataIsRefusedBeforeReadingIt() throws {
    let data = folder.path("iris.csv")
    try FileManager.default.copyItem(atPath: Self.iris, toPath: data)
    expectReason(OutputFileError.isAnInput(file: data, input: data)) {
      _ = try TrainingRun(options(checkpoint: data, overwrite: true, data: data))
    }
  }

  @Test func aSecondRunOfOneCheckpointIsRefusedWhileTheFirstExists() throws {
    let path = folder.path("locked.h5")
    let first = try TrainingRun(options(checkpoint: path))
    expectReason(WriterLockError.held(file: path, holder: getpid())) {
      _ = try TrainingRun(options(checkpoint: path, overwrite: true))
    }
    try first.run()
    #expect(FileManager.default.fileExists(atPath: path))
  }
}
