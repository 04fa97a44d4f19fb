import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Regularizers from `--layers` (`64:relu:l2=0.01`) through the checkpoint,
/// `inspect`, `diff` and bpkit JSON.
@Suite struct RegularizerCommandTests {
  static let iris = Fixtures.path("datasets/iris.csv")

  static func train(_ layers: String, into path: String) throws {
    let result = try BPKitBinary.run(
      "train", "--data", iris, "--target", "species", "--layers", layers, "--epochs", "1", "--checkpoint", path,
      "--quiet")
    #expect(result.status == 0, "\(result.error)")
  }

  @Test func inspectShowsThemDiffComparesThemAndJSONKeepsThem() throws {
    let folder = try TemporaryDirectory()
    try Self.train("4,8:relu:l2=0.01:bias_l1=0.001,3:softmax:l1=0.002:l2=0.003", into: folder.path("a.h5"))
    try Self.train("4,8:relu:l2=0.02,3:softmax", into: folder.path("b.h5"))
    let checkpoint = try Checkpoint(contentsOf: URL(fileURLWithPath: folder.path("a.h5")))
    #expect(
      checkpoint.model.network.layers.map(\.regularizers) == [
        LayerRegularizers(kernel: Regularizer(l2: 0.01), bias: Regularizer(l1: 0.001)),
        LayerRegularizers(kernel: Regularizer(l1: 0.002, l2: 0.003)),
      ])

    let text = try BPKitBinary.run("inspect", folder.path("a.h5"))
    #expect(text.status == 0)
    #expect(text.output.contains("\nRegularizer dense_1: kernel L2(0.01), bias L1(0.001)\n"), "\(text.output)")
    #expect(text.output.contains("\nRegularizer dense_2: kernel L1L2(l1=0.002, l2=0.003)\n"))
    let json = try BPKitBinary.run("inspect", "--json", folder.path("a.h5"))
    let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as! [String: Any]
    let layers = (object["model"] as! [String: Any])["layers"] as! [[String: Any]]
    let settings = layers[0]["regularizers"] as! [String: [String: Double]]
    #expect(settings == ["kernel_regularizer": ["l1": 0, "l2": 0.01], "bias_regularizer": ["l1": 0.001, "l2": 0]])

    let diff = try BPKitBinary.run("diff", folder.path("a.h5"), folder.path("b.h5"))
    #expect(diff.status == 1)
    // Regularizers are settings: the weights of the same architecture are compared beside them.
    #expect(
      diff.output.contains("\ndense_1 regularizers: kernel L2(0.01), bias L1(0.001) vs kernel L2(0.02)\n"),
      "\(diff.output)")
    #expect(diff.output.contains("\ndense_2 regularizers: kernel L1L2(l1=0.002, l2=0.003) vs"), "\(diff.output)")
    #expect(diff.output.contains("dense_1/kernel: max abs"), "\(diff.output)")
    #expect(!diff.output.contains("different architectures"), "\(diff.output)")

    let converted = try BPKitBinary.run("convert", folder.path("a.h5"), folder.path("a.json"))
    #expect(converted.status == 0, "\(converted.error)")
    let document = try Data(contentsOf: URL(fileURLWithPath: folder.path("a.json")))
    #expect(String(decoding: document, as: UTF8.self).contains(#""kernel_regularizer": {"l1": 0.0, "l2": 0.01}"#))
    JSONOutputs.keep(document, kind: "checkpoint", name: "regularized.json")
    #expect(try Checkpoint(jsonData: document).model.network == checkpoint.model.network)
  }

  /// ONNX and PyTorch have no regularizers: `convert` says they are not
  /// carried, and only bpkit's metadata brings them back.
  @Test(arguments: ["onnx", "safetensors"])
  func convertSaysOtherToolsDoNotApplyThem(format: String) throws {
    let folder = try TemporaryDirectory()
    try Self.train("4,8:relu:l2=0.01,3:softmax", into: folder.path("a.h5"))
    let out = folder.path("a.\(format)")
    let result = try BPKitBinary.run("convert", folder.path("a.h5"), out)
    #expect(result.status == 0, "\(result.error)")
    let noun = format == "onnx" ? "an ONNX file" : "a safetensors file"
    let reader = format == "onnx" ? "ONNX has no regularizers" : "a PyTorch state_dict has no regularizers"
    #expect(
      result.error.contains(
        "bpkit: note: the regularizers (dense_1: kernel L2(0.01)) are training settings that \(noun) does not "
          + "carry: \(reader), so only bpkit, reading its bpkit.network metadata, sees them again"), "\(result.error)")
    let back = try BPKitBinary.run("convert", out, folder.path("back.h5"))
    #expect(back.status == 0, "\(back.error)")
    let model = try Model(contentsOf: URL(fileURLWithPath: folder.path("back.h5")))
    #expect(model.network.layers[0].regularizers == LayerRegularizers(kernel: Regularizer(l2: 0.01)))
  }
}
