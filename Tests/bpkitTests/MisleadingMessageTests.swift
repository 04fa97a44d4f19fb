import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Messages that point the way out, not elsewhere.
@Suite struct MisleadingMessageTests {
  static let iris = Fixtures.path("datasets/iris.csv")

  @Test func aMisspeltCommandSuggestsTheNearestOne() throws {
    let result = try BPKitBinary.run("trian", "--layers", "4,3")
    #expect(result.status == 2)
    #expect(result.error.contains("'trian' is not a bpkit command; did you mean 'train'?"), "\(result.error)")
    let far = try BPKitBinary.run("frobnicate")
    #expect(far.status == 2)
    #expect(far.error.contains("'frobnicate' is not a bpkit command"))
    #expect(!far.error.contains("did you mean"))
  }

  @Test(arguments: ["--decay", "--dropout"])
  func dropoutAndDecayOptionsPointAtTheLayerAndWeightDecay(option: String) throws {
    let result = try BPKitBinary.run("train", "--layers", "4,3:softmax", "--data", Self.iris, option, "0.1")
    #expect(result.status == 2)
    #expect(
      result.error.contains("no such option '\(option)': dropout is a layer in --layers (e.g. "), "\(result.error)")
    #expect(result.error.contains("L1/L2 regularization is set per layer in --layers ('64:relu:l2=0.01')"))
    #expect(result.error.contains("weight decay is --weight-decay"))
    #expect(!result.error.contains("--lr "))
  }

  @Test(arguments: ["--l1", "--l2", "--regularizer", "--regularization"])
  func penaltyOptionsPointAtLayers(option: String) throws {
    let result = try BPKitBinary.run("train", "--layers", "4,3:softmax", "--data", Self.iris, option, "0.1")
    #expect(result.status == 2)
    #expect(
      result.error.contains("no such option '\(option)': L1/L2 regularization is set per layer in --layers"),
      "\(result.error)")
    #expect(result.error.contains("'4,64:relu:l2=0.01,3:softmax'"))
    #expect(!result.error.contains("--lr "))
  }

  @Test func elmanLayersWithoutSequencesNameSeqNotKeras() throws {
    let fromVectors = try BPKitBinary.run("train", "--layers", "64,rnn16,10:softmax", "--data", Self.iris)
    #expect(fromVectors.status == 2)
    #expect(fromVectors.error.contains("layer 1 'rnn16' is an Elman layer"), "\(fromVectors.error)")
    #expect(fromVectors.error.contains("make the input a sequence"))
    let stacked = try BPKitBinary.run("train", "--layers", "4x3,rnn16,rnn8,10:softmax", "--data", Self.iris)
    #expect(stacked.status == 2)
    #expect(stacked.error.contains("write 'rnn16:seq'"), "\(stacked.error)")
    for result in [fromVectors, stacked] { #expect(!result.error.contains("return_sequences")) }
  }

  @Test func swappedInferArgumentsAreNamed() throws {
    let folder = try TemporaryDirectory()
    let rows = folder.path("rows.json")
    try "[[1, 2, 3, 4]]".write(toFile: rows, atomically: true, encoding: .utf8)
    let model = folder.path("model.h5")
    try FixedModels.iris.write(to: URL(fileURLWithPath: model))
    let result = try BPKitBinary.run("infer", rows, "--input", model)
    #expect(result.status == 2)
    #expect(result.error.contains("the model comes first, as in 'bpkit infer \(model) --input \(rows)'"))
    #expect(!result.error.contains("not an HDF5 file"))
  }

  @Test func lsShowsBPKitsOwnChecksums() throws {
    let folder = try TemporaryDirectory()
    let model = folder.path("model.h5")
    try FixedModels.iris.write(to: URL(fileURLWithPath: model))
    let result = try BPKitBinary.run("ls", "-a", model)
    #expect(result.status == 0)
    #expect(result.output.contains("@crc32 = ["), "\(result.output)")
    #expect(!result.output.contains("unsupported type"))
  }

  @Test func aFlatJSONLinesRowFeedsASequenceModelAsACSVRowDoes() throws {
    let model = Fixtures.path("keras/rnn_tanh_last.keras")
    let values = (0..<15).map { "\(Double($0) / 10)" }
    let flat = "[" + values.joined(separator: ",") + "]\n"
    let nested =
      "["
      + (0..<5).map { "[" + values[$0 * 3..<$0 * 3 + 3].joined(separator: ",") + "]" }
      .joined(separator: ",") + "]\n"
    let fromFlat = try BPKitBinary.run("infer", model, "--input", "-", input: Data(flat.utf8))
    #expect(fromFlat.status == 0, "\(fromFlat.error)")
    let fromNested = try BPKitBinary.run("infer", model, "--input", "-", input: Data(nested.utf8))
    let fromCSV = try BPKitBinary.run(
      "infer", model, "--input", "-", "--format", "jsonl", input: Data((values.joined(separator: ",") + "\n").utf8))
    #expect(fromFlat.output == fromNested.output)
    #expect(fromFlat.output == fromCSV.output)
  }

  @Test func plotIntoAFolderSaysItIsAFolder() throws {
    let folder = try TemporaryDirectory()
    let result = try BPKitBinary.run("plot", try TrainedModels.digitsCheckpoint, "-o", folder.path(""))
    #expect(result.status == 4)
    #expect(result.error.contains("it is a folder; give a file name"), "\(result.error)")
    #expect(!result.error.contains("NSCocoaErrorDomain"))
  }

  @Test func resumingWithCSVDataReadsItsTargetColumn() throws {
    let folder = try TemporaryDirectory()
    let checkpoint = folder.path("run.ckpt.h5")
    let started = try BPKitBinary.run(
      "train", "--layers", "4,3:softmax", "--data", Self.iris, "--target", "species", "--epochs", "1", "--quiet",
      "--checkpoint", checkpoint)
    #expect(started.status == 0, "\(started.error)")
    let resumed = try BPKitBinary.run("train", "--resume", checkpoint, "--data", Self.iris, "--epochs", "2", "--quiet")
    #expect(resumed.status == 0, "\(resumed.error)")
    #expect(!resumed.error.contains("/train/y"))
  }
}
