import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// `bpkit convert` to and from ONNX and safetensors, and the commands that
/// open them, through the built binary.
@Suite struct InterchangeCommandTests {
  let folder: TemporaryDirectory

  init() throws {
    folder = try TemporaryDirectory()
  }

  static let stateDict = Fixtures.path("pytorch/mlp_linear_head.safetensors")

  @Test func aStateDictConvertsWithLayersAndTheResultOpensEverywhere() throws {
    let without = try BPKitBinary.run("convert", Self.stateDict, folder.path("m.h5"))
    #expect(without.status == 3)
    #expect(without.error.contains("--layers"))
    let with = try BPKitBinary.run("convert", Self.stateDict, folder.path("m.h5"), "--layers", "4,7:tanh,3")
    #expect(with.status == 0, "\(with.error)")
    let onnx = try BPKitBinary.run("convert", folder.path("m.h5"), folder.path("m.onnx"), "--opset", "20")
    #expect(onnx.status == 0, "\(onnx.error)")
    let inspect = try BPKitBinary.run("inspect", folder.path("m.onnx"))
    #expect(inspect.status == 0)
    #expect(inspect.output.hasPrefix(folder.path("m.onnx") + ": ONNX model"))
    let safetensors = try BPKitBinary.run("convert", folder.path("m.onnx"), folder.path("m.safetensors"))
    #expect(safetensors.status == 0, "\(safetensors.error)")
    let diff = try BPKitBinary.run("diff", folder.path("m.h5"), folder.path("m.safetensors"))
    #expect(diff.status == 0, "\(diff.output) \(diff.error)")
    let infer = try BPKitBinary.run("infer", folder.path("m.onnx"), "--input", "-", input: Data("1,2,3,4\n".utf8))
    #expect(infer.status == 0, "\(infer.error)")
    #expect(infer.output.split(separator: "\n").count == 2)
    // train --model starts from an ONNX file.
    let iris = Fixtures.path("datasets/iris.csv")
    let first = try BPKitBinary.run(
      "train", "--layers", "4,6:tanh,3:softmax", "--data", iris, "--target", "species", "--epochs", "1",
      "--checkpoint", folder.path("iris.ckpt.h5"), "--quiet")
    #expect(first.status == 0, "\(first.error)")
    #expect(try BPKitBinary.run("convert", folder.path("iris.ckpt.h5"), folder.path("iris.onnx")).status == 0)
    let train = try BPKitBinary.run(
      "train", "--model", folder.path("iris.onnx"), "--data", iris, "--target", "species", "--epochs", "1",
      "--checkpoint", folder.path("again.ckpt.h5"), "--quiet")
    #expect(train.status == 0, "\(train.error)")
  }

  /// tf2onnx's Keras SimpleRNN (a Loop) through the binary: `infer` on the
  /// ONNX file and on its conversion to bpkit HDF5 gives TensorFlow's outputs.
  @Test func aTf2onnxSimpleRNNInfersAsTensorFlowDoes() throws {
    let onnx = Fixtures.path("tf2onnx/rnn_simple_loop.onnx")
    let reference = Fixtures.path("tf2onnx/rnn_simple_loop.ref.h5")
    let expected = try Dataset.readHDF5(path: reference, inputs: "/y", targets: nil).inputs.scalars
    #expect(try BPKitBinary.run("convert", onnx, folder.path("rnn.h5")).status == 0)
    for model in [onnx, folder.path("rnn.h5")] {
      let infer = try BPKitBinary.run("infer", model, "--input", reference, "--x", "/x", "--format", "csv")
      #expect(infer.status == 0, "\(infer.error)")
      let predicted = infer.output.split(separator: "\n").dropFirst().flatMap { line in
        line.split(separator: ",").compactMap { Float($0) }
      }
      #expect(predicted.count == expected.count)
      #expect(zip(predicted, expected).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(model)")
    }
  }

  @Test func usageErrorsExit2() throws {
    let layers = try BPKitBinary.run(
      "convert", Fixtures.path("keras/mlp_tanh_softmax.h5"), folder.path("x.h5"), "--layers", "4,3")
    #expect(layers.status == 2)
    let opset = try BPKitBinary.run(
      "convert", Fixtures.path("keras/mlp_tanh_softmax.h5"), folder.path("x.onnx"), "--opset", "12")
    #expect(opset.status == 2)
    #expect(opset.error.contains("13 to 21"))
    #expect(!FileManager.default.fileExists(atPath: folder.path("x.onnx")))
  }
}
