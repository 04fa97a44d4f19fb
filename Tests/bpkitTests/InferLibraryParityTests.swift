import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Everything `bpkit infer` writes, an app writes through BPKit alone: the
/// GettingStarted article's loop (SampleFile, predict, PredictionWriter,
/// Evaluation) gives the command's bytes in every format and mode.
@Suite struct InferLibraryParityTests {
  static let digits = Fixtures.path("datasets/digits.h5")

  static let modes: [(PredictionMode, [String])] = [
    (.outputs, []), (.argmax, ["--argmax"]), (.topK(3), ["--top-k", "3"]),
  ]

  /// The article's loop, writing `format` in `mode` to `path`; returns the evaluation report.
  func predictThroughTheLibrary(format: PredictionFormat, mode: PredictionMode, to path: String) throws -> String {
    let file = try BPKitFile.open(URL(fileURLWithPath: try TrainedModels.digitsCheckpoint))
    let model = file.model
    let samples = try SampleFile.open(
      Self.digits, layout: SampleLayout(model.network.input), inputs: "/test/x", labels: "/test/y")
    let writer = try format.writer(to: try OutputFile(replacing: path), mode: mode, model: model, loss: file.loss)
    var evaluation = try Evaluation(network: model.network, loss: file.loss)
    while let batch = try samples.next(limit: 256) {
      let outputs = try model.predict(Tensor(shape: [batch.count, 64], scalars: batch.inputs))
      try writer.write(outputs: outputs.scalars, count: batch.count)
      try evaluation.add(outputs: outputs.scalars[...], labels: batch.labels![...], units: 10, source: samples.source)
    }
    try writer.finish()
    return evaluation.report(classNames: model.names.classes)
  }

  @Test(arguments: [PredictionFormat.csv, .json, .jsonl]) func textFormatsEqualTheCommandsBytes(
    format: PredictionFormat
  )
    throws
  {
    let folder = try TemporaryDirectory()
    for (mode, flags) in Self.modes {
      let library = folder.path("library.\(format.rawValue)")
      let report = try predictThroughTheLibrary(format: format, mode: mode, to: library)
      let command = folder.path("command.\(format.rawValue)")
      let result = try BPKitBinary.run(
        arguments: [
          "infer", try TrainedModels.digitsCheckpoint, "--input", Self.digits, "--x", "/test/x", "--labels", "/test/y",
          "--output", command,
        ] + flags)
      #expect(result.status == 0, "\(result.error)")
      #expect(try Data(contentsOf: URL(fileURLWithPath: library)) == Data(contentsOf: URL(fileURLWithPath: command)))
      #expect(result.output == report, "\(mode)")
    }
  }

  @Test func hdf5ClassesEqualTheCommands() throws {
    let folder = try TemporaryDirectory()
    let library = folder.path("library.h5")
    _ = try predictThroughTheLibrary(format: .h5, mode: .argmax, to: library)
    let command = folder.path("command.h5")
    let result = try BPKitBinary.run(
      "infer", try TrainedModels.digitsCheckpoint, "--input", Self.digits, "--x", "/test/x", "--argmax", "--output",
      command)
    #expect(result.status == 0, "\(result.error)")
    let read = { (path: String) in try HDF5File(openingAtPath: path).root.openDataset("classes").read(as: Int64.self) }
    #expect(try read(library) == read(command))
    #expect(try read(library).count == 360)
  }
}
