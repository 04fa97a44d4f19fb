import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Prediction with a float64 model: in Double, from and into `Double`
/// buffers; each precision's model refuses the other's buffers.
@Suite struct Float64PredictTests {
  /// y = tanh(x·W + b) with weights Float32 cannot hold.
  static func model() throws -> Model {
    let network = try NetworkDescription(layerSpecification: "3,2:tanh")
    let kernel = Tensor<Double>(shape: [3, 2], scalars: [0.1, -0.2, 0.3, 0.7, -0.11, 0.05])
    let bias = Tensor<Double>(shape: [2], scalars: [0.01, -0.3])
    return try Model(
      network: network,
      float64Parameters: [
        ParameterKey(layer: "dense_1", name: "kernel"): kernel, ParameterKey(layer: "dense_1", name: "bias"): bias,
      ])
  }

  @Test func aFloat64ModelPredictsInDouble() throws {
    let model = try Self.model()
    #expect(model.dtype == .float64)
    let x: [Double] = [0.5, -1.25, 2.0, 1.0 / 3, 0.1, -0.7]
    let y = try model.predict(Tensor(shape: [2, 3], scalars: x))
    #expect(y.shape == [2, 2])
    let w = model.float64Parameters![ParameterKey(layer: "dense_1", name: "kernel")]!.scalars
    let b = model.float64Parameters![ParameterKey(layer: "dense_1", name: "bias")]!.scalars
    for row in 0..<2 {
      for unit in 0..<2 {
        var z = 0.0
        for k in 0..<3 { z += x[row * 3 + k] * w[k * 2 + unit] }
        let expected = Foundation.tanh(z + b[unit])
        #expect(abs(y.scalars[row * 2 + unit] - expected) < 1e-15, "row \(row) unit \(unit)")
      }
    }
    // The same numbers by a Predictor, and far from the model rounded to Float32.
    #expect(try Predictor(model: model).predict(x, count: 2) == y.scalars)
    let rounded = try model.converted(to: .float32).predict(Tensor(shape: [2, 3], scalars: x.map { Float($0) }))
    #expect(zip(rounded.scalars, y.scalars).contains { abs(Double($0) - $1) > 1e-9 })
  }

  @Test func eachPrecisionRefusesTheOthersBuffers() throws {
    let model = try Self.model()
    expectReason(EngineError.dtypeMismatch(model: .float64, engine: .float32)) {
      try model.predict(Tensor<Float>(shape: [1, 3], scalars: [1, 2, 3]))
    }
    expectReason(EngineError.dtypeMismatch(model: .float64, engine: .float32)) {
      try TrainingEngine<Float>(
        model: model, optimizer: OptimizerState(configuration: .init(kind: .sgd)), loss: .meanSquaredError)
    }
    let narrow = model.converted(to: .float32)
    expectReason(EngineError.dtypeMismatch(model: .float32, engine: .float64)) {
      try narrow.predict(Tensor<Double>(shape: [1, 3], scalars: [1, 2, 3]))
    }
    var copy = model
    expectReason(ModelError.dtypeMismatch(model: .float64, given: .float32)) {
      try copy.setParameter(Tensor<Float>(repeating: 0, shape: [2]), for: ParameterKey(layer: "dense_1", name: "bias"))
    }
  }

  @Test func convertingWidensExactlyAndNarrowsByRounding() throws {
    let model = try Self.model()
    let narrow = model.converted(to: .float32)
    #expect(narrow.dtype == .float32 && narrow.float64Parameters == nil)
    #expect(narrow.parameters == model.parameters)
    #expect(narrow.parameters[ParameterKey(layer: "dense_1", name: "kernel")]!.scalars[0] == Float(0.1))
    let wide = narrow.converted(to: .float64)
    #expect(wide.float64Parameters![ParameterKey(layer: "dense_1", name: "kernel")]!.scalars[0] == Double(Float(0.1)))
  }
}
