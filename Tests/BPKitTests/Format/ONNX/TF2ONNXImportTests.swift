import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@testable import BPKit

/// ONNX import of files tf2onnx wrote from Keras models (Fixtures/tf2onnx,
/// made by Scripts/tf2onnx_reference.py), against TensorFlow's own outputs.
@Suite struct TF2ONNXImportTests {
  static let cases = ["mlp_every_activation", "mlp_linear_head"]

  @Test(arguments: cases)
  func tf2onnxDenseNetworksPredictAsTensorFlowDoes(name: String) throws {
    let reference = Fixtures.path("tf2onnx/\(name).ref.h5")
    let (x, y) = try KerasPredictionTests.reference(reference)
    let model = try Model(onnxContentsOf: URL(fileURLWithPath: Fixtures.path("tf2onnx/\(name).onnx")))
    #expect(KerasPredictionTests.largestDifference(try model.predict(x), y) <= 1e-5)
    let spec = try HDF5File(openingAtPath: reference).root.stringAttribute("layers")
    #expect(model.network.layers.map(\.kind) == (try NetworkDescription(layerSpecification: spec)).layers.map(\.kind))
  }

  /// tf2onnx writes Keras 3's SimpleRNN as a Loop over a body graph, which
  /// bpkit does not import: refused naming the first operator it cannot read.
  @Test func tf2onnxLoopsAreRefusedNamingTheOperator() throws {
    let path = Fixtures.path("tf2onnx/rnn_simple_loop.onnx")
    do {
      _ = try Model(onnxContentsOf: URL(fileURLWithPath: path))
      Issue.record("the Loop graph was imported")
    } catch {
      guard let error = reason(of: error) as? ONNXError else { throw error }
      guard case .unsupportedOperator(_, let opType, let node) = error else {
        Issue.record("\(error)")
        return
      }
      #expect(["Less", "Loop", "And"].contains(opType))
      #expect(node.contains("simple_rnn"))
    }
  }
}
