import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// bpkit's predictions on Keras-made models against Keras' own, stored by
/// the script that made the fixtures.
@Suite struct KerasPredictionTests {
  static let cases = [
    "mlp_tanh_softmax", "mlp_relu_linear", "rnn_tanh_last", "mlp_layers_folded", "rnn_stack_sequences",
    "mlp_sigmoid_nobias", "rnn_variable_length",
  ]
  /// The LSTM and GRU models, which have no ONNX form in bpkit yet.
  static let gatedCases = [
    "lstm_last", "lstm_stack_sequences", "gru_stack_last", "gru_reset_before_sequences", "gru_variable_length",
  ]

  /// The inputs and Keras' predictions of a `.ref.h5` file.
  static func reference(_ path: String) throws -> (x: Tensor<Float>, y: Tensor<Float>) {
    let file = try HDF5File(openingAtPath: path)
    let x = try file.root.openDataset("x")
    let y = try file.root.openDataset("y")
    return (
      Tensor(shape: x.shape, scalars: try x.read(as: Float.self)),
      Tensor(shape: y.shape, scalars: try y.read(as: Float.self))
    )
  }

  static func largestDifference(_ a: Tensor<Float>, _ b: Tensor<Float>) -> Float {
    zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
  }

  @Test(arguments: cases + gatedCases, ["h5", "keras"])
  func predictsAsKerasDoes(name: String, format: String) throws {
    let (x, y) = try Self.reference(Fixtures.path("keras/\(name).ref.h5"))
    let imported = try KerasModel(contentsOfFile: Fixtures.path("keras/\(name).\(format)"))
    let predicted = try imported.model.predict(x)
    #expect(predicted.shape == y.shape)
    #expect(Self.largestDifference(predicted, y) <= 1e-5)
  }

  @Test(arguments: cases + gatedCases)
  func predictsTheSameAfterAnExportAndImport(name: String) throws {
    let folder = try TemporaryDirectory()
    let imported = try KerasModel(contentsOfFile: Fixtures.path("keras/\(name).h5"))
    for format in [KerasModel.Format.archive, .legacyHDF5] {
      let path = folder.path("model.\(format.rawValue)")
      try imported.write(toPath: path, format: format)
      let again = try KerasModel(contentsOfFile: path)
      #expect(again.model == imported.model)
      #expect(again.optimizer == imported.optimizer)
      #expect(again.loss == imported.loss)
    }
  }
}
