import BPKit
import Foundation
import Synchronization
import Testing
import _BPKitTestSupport

/// `Prediction.run`: a whole prediction job through the library, on one
/// process and on ranks sharing it (threads of this process as ranks).
@Suite struct PredictionTests {
  static let digits = Fixtures.path("datasets/digits.h5")
  /// The same 360 test samples as CSV, with a `label` column.
  static let digitsCSV = Fixtures.path("datasets/digits_test.csv")

  static func model() throws -> Model {
    try Model(initializing: NetworkDescription(layerSpecification: "64,32:tanh,10:softmax"), seed: 7)
  }

  static func open(_ path: String, model: Model, labels: Bool) throws -> any SampleReader {
    let isHDF5 = path.hasSuffix(".h5")
    return try SampleFile.open(
      path, layout: SampleLayout(model.network.input), inputs: isHDF5 ? "/test/x" : nil,
      labels: labels ? (isHDF5 ? "/test/y" : "label") : nil)
  }

  /// Keeps what it is given, to compare with the predictor's own outputs.
  final class KeptOutputs: PredictionWriter {
    var outputs: [Float] = []
    var counts: [Int] = []
    var finished = 0
    func write(outputs: [Float], count: Int) throws(BPKitError) {
      self.outputs += outputs
      counts.append(count)
    }
    func finish() throws(BPKitError) { finished += 1 }
  }

  /// The outputs of all 360 test samples predicted in one call.
  static func wholeOutputs(_ model: Model) throws -> [Float] {
    let all = try HDF5SampleReader(path: digits, inputs: "/test/x", targets: nil).next(limit: 360)!
    return try Predictor(model: model).predict(all.inputs, count: all.count)
  }

  @Test(arguments: [1, 7, 50, 360, 1000])
  func everyBatchSizeWritesTheOutputsOfTheWholeInputAtOnce(batchSize: Int) throws {
    let model = try Self.model()
    let kept = KeptOutputs()
    let outcome = try Prediction.run(
      source: try Self.open(Self.digits, model: model, labels: false), predictor: try Predictor(model: model),
      writer: kept, batchSize: batchSize)
    #expect(outcome.sampleCount == 360)
    #expect(outcome.evaluation == nil)
    #expect(kept.outputs.map(\.bitPattern) == (try Self.wholeOutputs(model)).map(\.bitPattern))
    #expect(kept.counts.allSatisfy { $0 <= batchSize } && kept.counts.reduce(0, +) == 360)
    #expect(kept.finished == 1)
  }

  @Test func evaluatesTheLabelsAsAnEvaluationOfAllOutputsDoes() throws {
    let model = try Self.model()
    let outcome = try Prediction.run(
      source: try Self.open(Self.digits, model: model, labels: true), predictor: try Predictor(model: model),
      writer: nil, evaluate: true, batchSize: 64)
    let labels = try HDF5SampleReader(path: Self.digits, inputs: "/test/x", targets: "/test/y").next(limit: 360)!
    var expected = try Evaluation(network: model.network)
    try expected.add(
      outputs: try Self.wholeOutputs(model)[...], labels: labels.labels![...], units: 10, source: Self.digits)
    let evaluation = try #require(outcome.evaluation)
    #expect(evaluation.rows == 360)
    #expect(evaluation.meanLoss.bitPattern == expected.meanLoss.bitPattern)
    #expect(evaluation.accuracy == expected.accuracy)
    #expect(evaluation.confusion == expected.confusion)
  }

  @Test func evaluatingSamplesReadWithoutLabelsIsRefused() throws {
    let model = try Self.model()
    let error = expectReason(DataError.self) {
      try Prediction.run(
        source: try Self.open(Self.digits, model: model, labels: false), predictor: try Predictor(model: model),
        writer: nil, evaluate: true)
    }
    #expect(error == .noLabels(source: Self.digits + ":/test/x"))
  }

  /// The CSV of predictions one process writes for `input` in batches of 50, and its evaluation.
  static func alone(_ input: String, model: Model, into path: String) throws -> Evaluation {
    let outcome = try Prediction.run(
      source: try open(input, model: model, labels: true), predictor: try Predictor(model: model),
      writer: try PredictionFormat.csv.writer(to: try OutputFile(replacing: path), mode: .topK(3), model: model),
      evaluate: true, batchSize: 50)
    return try #require(outcome.evaluation)
  }

  /// 360 samples in batches of 50 (the last one short) dealt to 1 to 4
  /// ranks: rank 0 writes the file one process writes, byte for byte, and
  /// evaluates the same; only rank 0 makes a writer.
  @Test(arguments: [1, 2, 3, 4], [digits, digitsCSV])
  func ranksSharingTheJobWriteTheBytesOfOneProcess(ranks: Int, input: String) throws {
    let model = try Self.model()
    let folder = try TemporaryDirectory()
    let expected = try Self.alone(input, model: model, into: folder.path("alone.csv"))
    let shared = folder.path("shared.csv")
    let writers = Atomic<Int>(0)
    let outcomes = ThreadRanks.run(ranks) { communicator in
      let model = try Self.model()
      func makeWriter() throws(BPKitError) -> any PredictionWriter {
        writers.add(1, ordering: .relaxed)
        return try PredictionFormat.csv.writer(to: try OutputFile(replacing: shared), mode: .topK(3), model: model)
      }
      return try Prediction.run(
        source: try Self.open(input, model: model, labels: true), predictor: try Predictor(model: model),
        writer: try makeWriter(), evaluate: true, batchSize: 50, communicator: communicator)
    }
    let results = try outcomes.map { try $0.get() }
    #expect(writers.load(ordering: .relaxed) == 1)
    #expect(results.map(\.sampleCount) == Array(repeating: 360, count: ranks))
    #expect(results.dropFirst().allSatisfy { $0.evaluation == nil })
    let evaluation = try #require(results[0].evaluation)
    #expect(evaluation.meanLoss.bitPattern == expected.meanLoss.bitPattern)
    #expect(evaluation.confusion == expected.confusion)
    let alone = try Data(contentsOf: folder.url.appendingPathComponent("alone.csv"))
    #expect(alone.count > 1000)
    #expect(try Data(contentsOf: URL(fileURLWithPath: shared)) == alone)
  }

  /// Rank 1 reads a file of the first 100 samples where rank 0 reads all
  /// 360 (and the other way round): rank 0 names the rank and the batch
  /// instead of waiting for a batch that never comes.
  @Test(arguments: [(short: 1, expected: 50, actual: 0), (short: 0, expected: 0, actual: 50)])
  func ranksReadingOtherSamplesAreNamed(short: Int, expected: Int, actual: Int) throws {
    let folder = try TemporaryDirectory()
    let lines = try String(contentsOfFile: Self.digitsCSV, encoding: .utf8).split(separator: "\n")
    try (lines.prefix(101).joined(separator: "\n") + "\n").write(
      toFile: folder.path("short.csv"), atomically: true, encoding: .utf8)
    let shortPath = folder.path("short.csv")
    let outcomes = ThreadRanks.run(2) { communicator in
      let model = try Self.model()
      let input = communicator.rank == short ? shortPath : Self.digitsCSV
      return try Prediction.run(
        source: try Self.open(input, model: model, labels: true), predictor: try Predictor(model: model),
        writer: nil, batchSize: 50, communicator: communicator)
    }
    // Batches 0 to 1 are the first 100 samples; batch 3 is rank 1's next.
    let error = expectReason(DistributedError.self) { try outcomes[0].get() }
    #expect(error == .inputDiffers(rank: 1, batch: 3, expected: expected, actual: actual))
  }

  @Test func aBatchSizeBelowOneIsRefused() throws {
    let model = try Self.model()
    let error = #expect(throws: BPKitError.self) {
      try Prediction.run(
        source: try Self.open(Self.digits, model: model, labels: false), predictor: try Predictor(model: model),
        writer: nil, batchSize: 0)
    }
    #expect(error?.code == .invalidSetting)
  }

  /// Ranking classes is refused, before any file is written, for a model
  /// that is not a classifier and for more or fewer classes than it has.
  @Test func writersRefuseModesTheModelCannotGive() throws {
    let classifier = try Self.model()
    let regression = try Model(
      initializing: NetworkDescription(layerSpecification: "64,8:tanh,2:linear"), seed: 7)
    let folder = try TemporaryDirectory()
    let path = folder.path("refused.csv")
    let cases: [(Model, PredictionMode, String)] = [
      (regression, .argmax, "argmax needs a classifier, and the model is a regression model"),
      (regression, .topK(1), "top-k needs a classifier"),
      (classifier, .topK(11), "top-k 11 exceeds the model's 10 classes"),
      (classifier, .topK(0), "top-k must be at least 1, not 0"),
    ]
    for (model, mode, message) in cases {
      for format in [PredictionFormat.csv, .json, .jsonl, .h5] {
        let error = #expect(throws: BPKitError.self) {
          try format.writer(to: try OutputFile(replacing: path), mode: mode, model: model)
        }
        #expect(error?.code == .invalidSetting)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: path))
      }
    }
    try PredictionMode.topK(10).check(against: try classifier.network.outputKind(), of: "m.h5")
    let named = #expect(throws: BPKitError.self) {
      try PredictionMode.argmax.check(against: try regression.network.outputKind(), of: "m.h5", naming: "--argmax")
    }
    #expect(named?.setting == "--argmax")
    #expect(named?.file == "m.h5")
  }
}
