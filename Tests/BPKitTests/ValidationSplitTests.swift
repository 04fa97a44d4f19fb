import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// A seeded validation split (`--split-seed`): which rows it holds out, that
/// the checkpoint records them, that a resume validates on exactly them, in
/// memory and streamed, and that a checkpoint without them (format 1.2 and
/// older) keeps holding out its last samples.
@Suite struct ValidationSplitTests {
  static let iris = Fixtures.path("datasets/iris.csv")
  let folder: TemporaryDirectory

  init() throws {
    folder = try TemporaryDirectory(prefix: "bpkit-split")
  }

  // MARK: The draw

  /// Values from an independent implementation of the draw as
  /// Schemas/FORMAT.md describes it (SplitMix64, xoshiro256**, Lemire,
  /// Algorithm S), in Python.
  @Test func theDrawIsTheOneTheFormatDescribes() {
    #expect(ValidationSplit.heldOutRows(of: 10, fraction: 0.3, seed: 7) == [1, 6, 7])
    #expect(
      ValidationSplit.heldOutRows(of: 150, fraction: 0.2, seed: 7) == [
        6, 7, 9, 18, 19, 20, 25, 26, 28, 30, 31, 43, 45, 56, 60, 70, 80, 81, 87, 89, 91, 96, 103, 110, 111, 119, 124,
        129, 132, 133,
      ])
    #expect(ValidationSplit.heldOutRows(of: 150, fraction: 0.2, seed: 0).prefix(5) == [2, 10, 11, 12, 17])
  }

  @Test(arguments: [(0, 0.5), (1, 0.4), (1, 0.6), (7, 0.999), (150, 0.2), (1000, 0.01), (1001, 0.5)])
  func theDrawHoldsOutExactlyTheRoundedFractionInAscendingOrder(count: Int, fraction: Double) {
    for seed: UInt64 in [0, 1, 42, .max] {
      let rows = ValidationSplit.heldOutRows(of: count, fraction: fraction, seed: seed)
      #expect(rows.count == Int((Double(count) * fraction).rounded()))
      #expect(zip(rows, rows.dropFirst()).allSatisfy { $0 < $1 })
      #expect(rows.allSatisfy { (0..<count).contains($0) })
      #expect(rows == ValidationSplit.heldOutRows(of: count, fraction: fraction, seed: seed))
    }
  }

  /// Over 3,000 seeds each of 10 rows is held out about 30% of the time
  /// (binomial: 900 ± 25 for one standard deviation); the seeds are fixed, so
  /// the counts are too.
  @Test func everyRowIsEquallyLikelyToBeHeldOut() {
    var counts = [Int](repeating: 0, count: 10)
    for seed in 0..<UInt64(3000) {
      for row in ValidationSplit.heldOutRows(of: 10, fraction: 0.3, seed: seed) { counts[row] += 1 }
    }
    #expect(counts.allSatisfy { (800...1000).contains($0) }, "\(counts)")
    #expect(
      ValidationSplit.heldOutRows(of: 150, fraction: 0.2, seed: 1)
        != ValidationSplit.heldOutRows(of: 150, fraction: 0.2, seed: 2))
  }

  // MARK: Training

  func irisOptions(seed: UInt64? = 7, name: String = "run.h5", stop: Int? = nil) -> TrainingOptions {
    TrainingOptions(
      start: .init(layers: "4,8:tanh,3:softmax"),
      data: .init(data: Self.iris, target: "species", validationSplit: 0.2, validationSplitSeed: seed),
      schedule: .init(epochs: 3, batchSize: 16, seed: 5),
      output: .init(checkpoint: folder.path(name), stopAfterSteps: stop))
  }

  @Test func aSeededSplitOfSortedDataValidatesOnEveryClassAndIsRecorded() throws {
    let run = try TrainingRun(irisOptions())
    #expect(run.plan.warnings == [], "the warning about data sorted by class is for the last samples only")
    let rows = ValidationSplit.heldOutRows(of: 150, fraction: 0.2, seed: 7)
    guard case .inMemory(let validation) = run.plan.validation, case .inMemory(let training) = run.plan.training
    else {
      Issue.record("iris is read into memory")
      return
    }
    let all = try Dataset.readCSV(path: Self.iris, targetColumns: ["species"])
    #expect(validation.inputs.scalars == all.subset(rows).inputs.scalars)
    #expect(Set(validation.targets!.scalars) == [0, 1, 2])
    #expect(training.sampleCount == 120)
    #expect(
      training.inputs.scalars == all.subset((0..<150).filter { !rows.contains($0) }).inputs.scalars)
    try run.run()
    let checkpoint = try CheckpointComparison.load(folder.path("run.h5"))
    #expect(checkpoint.configuration.validationSplitSeed == 7)
    #expect(checkpoint.configuration.validationRows == rows)
    #expect(checkpoint.data?.sampleCount == 120)
  }

  @Test func aResumeValidatesOnTheSameRowsAndEndsWithTheSameBits() throws {
    try TrainingRun(irisOptions(name: "whole.h5")).run()
    try TrainingRun(irisOptions(name: "parts.h5", stop: 11)).run()
    let resumed = try TrainingRun(TrainingOptions(start: .init(resume: folder.path("parts.h5"))))
    guard case .inMemory(let validation) = resumed.plan.validation else {
      Issue.record("the resumed run has no validation data")
      return
    }
    let all = try Dataset.readCSV(path: Self.iris, targetColumns: ["species"])
    #expect(
      validation.inputs.scalars
        == all.subset(ValidationSplit.heldOutRows(of: 150, fraction: 0.2, seed: 7)).inputs.scalars)
    try resumed.run()
    let whole = try CheckpointComparison.load(folder.path("whole.h5"))
    let parts = try CheckpointComparison.load(folder.path("parts.h5"))
    #expect(CheckpointComparison.differences(whole, parts) == [])
    #expect(
      whole.progress.history.map { $0.validationLoss?.bitPattern }
        == parts.progress.history.map { $0.validationLoss?.bitPattern })
    #expect(parts.configuration.validationRows == whole.configuration.validationRows)
  }

  @Test func aResumeRefusesAnotherSplitSeed() throws {
    try TrainingRun(irisOptions(stop: 3)).run()
    for seed: UInt64 in [8, 0] {
      var resume = TrainingOptions(start: .init(resume: folder.path("run.h5")))
      resume.data.validationSplitSeed = seed
      expectReason(
        TrainingError.invalidSetting(
          "the run's validation split draws its held-out samples with the seed 7; the split decides which samples "
            + "train, so --split-seed cannot change on resume")
      ) { try TrainingRun(resume) }
    }
    var same = TrainingOptions(start: .init(resume: folder.path("run.h5")))
    same.data.validationSplitSeed = 7
    #expect(try TrainingRun(same).run().reason == .completed)
  }

  @Test func aSplitSeedNeedsASplit() throws {
    for split in [nil, 0.0] {
      var options = irisOptions()
      options.data.validationSplit = split
      expectReason(
        TrainingError.invalidSetting(
          "a split seed draws the samples a validation split holds out; give a validation split above 0 with it")
      ) { try TrainingRun(options) }
    }
    #expect(!FileManager.default.fileExists(atPath: folder.path("run.h5")))
  }

  /// A checkpoint whose rows do not fit its own data (edited by hand) is
  /// refused rather than validated on other rows: on load when it records
  /// its data's sample count, on resume when it does not.
  @Test func storedRowsThatDoNotFitTheDataAreRefused() throws {
    try TrainingRun(irisOptions(stop: 3)).run()
    var checkpoint = try CheckpointComparison.load(folder.path("run.h5"))
    checkpoint.configuration.validationRows = Array(checkpoint.configuration.validationRows!.dropLast())
    let edited = folder.path("edited.h5")
    try checkpoint.write(to: URL(fileURLWithPath: edited))
    #expect {
      try CheckpointComparison.load(edited)
    } throws: { error in
      guard case .invalidValue(edited, "/training/validation_rows", let text) = reason(of: error) as? FormatError else {
        return false
      }
      return text == "it holds 29 rows up to 132; a split of 0.2 of 149 samples (/data@sample_count and these) "
        + "holds out 30, each below 149"
    }
    checkpoint.data = nil
    try checkpoint.write(to: URL(fileURLWithPath: edited))
    var resume = TrainingOptions(start: .init(resume: edited))
    resume.data.data = Self.iris
    resume.data.target = "species"
    #expect {
      try TrainingRun(resume)
    } throws: { error in
      guard case TrainingError.inputsDoNotFit(let message) = reason(of: error) else { return false }
      return message.hasPrefix("the checkpoint's validation rows (29, up to row 132) do not fit its training data")
    }
  }

  // MARK: Streaming

  /// 40,000 rows: three blocks of ``TrainingSession/streamedBlockRows``, and
  /// spans of ``HDF5SampleReader/spanRows``.
  func writeLargeData() throws -> String {
    let path = folder.path("large.h5")
    let count = 40_000
    var random = Xoshiro256StarStar(seed: 99)
    let x = (0..<count * 3).map { _ in Float(random.nextDouble() * 2 - 1) }
    let y = (0..<count).map { Int64(x[$0 * 3] + x[$0 * 3 + 1] > 0 ? 1 : 0) }
    let file = try HDF5File.create(atPath: path)
    let group = try file.root.createGroup("train")
    try group.write(x, shape: [count, 3], to: "x")
    try group.write(y, shape: [count], to: "y")
    try file.close()
    return path
  }

  @Test func theStreamedReaderReadsAScatteredRowSetAsMemoryDoes() throws {
    let path = try writeLargeData()
    let reader = try HDF5SampleReader(path: path, inputs: "/train/x", targets: "/train/y")
    let whole = try reader.read(rows: 0..<reader.sampleCount)
    let held = ValidationSplit.heldOutRows(of: reader.sampleCount, fraction: 0.3, seed: 4)
    // Gaps of more than 64 rows, and runs longer than a span.
    let sparse = Array(stride(from: 5, to: 38_000, by: 997)) + Array(39_000..<39_990)
    for rows in [held, sparse, [0], [39_999], Array(100..<5000)] {
      let read = try reader.read(rowsIn: RowSet(ascending: rows))
      #expect(read.inputs.scalars == whole.subset(rows).inputs.scalars)
      #expect(read.targets?.scalars == whole.subset(rows).targets?.scalars)
      #expect(read.inputs.shape == [rows.count, 3])
    }
  }

  func largeOptions(path: String, stream: Bool, name: String, stop: Int? = nil) -> TrainingOptions {
    TrainingOptions(
      start: .init(layers: "3,4:tanh,2:softmax"),
      data: .init(data: path, validationSplit: 0.25, stream: stream, validationSplitSeed: 11),
      schedule: .init(epochs: 2, batchSize: 256, seed: 3),
      output: .init(checkpoint: folder.path(name), stopAfterSteps: stop))
  }

  @Test func streamedAndInMemoryRunsOfASeededSplitAgreeAndResumeBitwise() throws {
    let path = try writeLargeData()
    try TrainingRun(largeOptions(path: path, stream: false, name: "memory.h5")).run()
    do {
      let streamed = try TrainingRun(largeOptions(path: path, stream: true, name: "streamed.h5", stop: 150))
      guard case .streamed(_, let rows) = streamed.plan.training,
        case .streamed(_, let held) = streamed.plan.validation
      else {
        Issue.record("--stream streams both parts")
        return
      }
      #expect(Array(held) == ValidationSplit.heldOutRows(of: 40_000, fraction: 0.25, seed: 11))
      #expect(rows.count == 30_000 && Set(rows).isDisjoint(with: held))
      try streamed.run()
    }
    var resume = TrainingOptions(start: .init(resume: folder.path("streamed.h5")))
    resume.data.stream = true
    try TrainingRun(resume).run()
    let memory = try CheckpointComparison.load(folder.path("memory.h5"))
    let parts = try CheckpointComparison.load(folder.path("streamed.h5"))
    #expect(CheckpointComparison.differences(memory, parts) == [])
    #expect(
      memory.progress.history.map { $0.validationLoss?.bitPattern }
        == parts.progress.history.map { $0.validationLoss?.bitPattern })
    #expect(parts.progress.history.count == 2)
  }

  // MARK: Older checkpoints

  /// A checkpoint written by bpkit at format 1.2 (Fixtures/format-1.2): its
  /// validation split holds out the last 30 of iris' 150 samples, and it
  /// resumes to the same bits as a run started now with the same split.
  @Test func aFormat12CheckpointResumesWithItsLastSamplesHeldOut() throws {
    let copy = folder.path("old.h5")
    try FileManager.default.copyItem(atPath: Fixtures.path("format-1.2/iris-split.ckpt.h5"), toPath: copy)
    #expect(try Self.formatVersion(copy) == "1.2")
    let old = try Checkpoint(contentsOf: URL(fileURLWithPath: copy))
    #expect(old.configuration.validationSplitSeed == nil && old.configuration.validationRows == nil)
    var resume = TrainingOptions(start: .init(resume: copy))
    resume.data.data = Self.iris
    let run = try TrainingRun(resume)
    guard case .inMemory(let validation) = run.plan.validation else {
      Issue.record("the resumed run has no validation data")
      return
    }
    let all = try Dataset.readCSV(path: Self.iris, targetColumns: ["species"])
    #expect(validation.inputs.scalars == all.subset(120..<150).inputs.scalars)
    try run.run()
    var fresh = irisOptions(seed: nil, name: "fresh.h5")
    fresh.schedule.epochs = 3
    try TrainingRun(fresh).run()
    let resumed = try CheckpointComparison.load(copy)
    let now = try CheckpointComparison.load(folder.path("fresh.h5"))
    #expect(CheckpointComparison.differences(resumed, now) == [])
    #expect(resumed.configuration.validationSplitSeed == nil && resumed.configuration.validationRows == nil)
    #expect(try Self.formatVersion(copy) == FormatVersion.current.description)
  }

  static func formatVersion(_ path: String) throws -> String {
    let file = try HDF5File(openingAtPath: path)
    defer { try? file.close() }
    return try file.root.stringAttribute("format_version")
  }
}
