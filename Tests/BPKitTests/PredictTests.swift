import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@Suite struct PredictTests {
  /// Builds a model from a Keras 3 `.h5` fixture's weights, read directly.
  static func kerasModel(
    _ name: String, specification: String, weights: [(layer: String, path: String)]
  ) throws -> Model {
    let network = try NetworkDescription(layerSpecification: specification)
    let file = try HDF5File(openingAtPath: Fixtures.path("keras/\(name).h5"))
    var parameters: [ParameterKey: Tensor<Float>] = [:]
    for spec in try network.parameterSpecs() {
      let path = weights.first { $0.layer == spec.key.layer }!.path
      var group = try file.root.openGroup("model_weights")
      for part in path.split(separator: "/") { group = try group.openGroup(String(part)) }
      let dataset = try group.openDataset(spec.key.name)
      parameters[spec.key] = Tensor(shape: dataset.shape, scalars: try dataset.read(as: Float.self))
    }
    return try Model(network: network, parameters: parameters)
  }

  static func reference(_ name: String) throws -> (x: Tensor<Float>, y: Tensor<Float>) {
    let file = try HDF5File(openingAtPath: Fixtures.path("keras/\(name).ref.h5"))
    let x = try file.root.openDataset("x")
    let y = try file.root.openDataset("y")
    return (
      Tensor(shape: x.shape, scalars: try x.read(as: Float.self)),
      Tensor(shape: y.shape, scalars: try y.read(as: Float.self))
    )
  }

  static func expectClose(_ a: Tensor<Float>, _ b: Tensor<Float>, tolerance: Float = 1e-5) {
    #expect(a.shape == b.shape)
    let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    #expect(worst < tolerance, "worst difference \(worst)")
  }

  @Test func matchesKerasOnADenseSoftmaxNetwork() throws {
    let model = try Self.kerasModel(
      "mlp_tanh_softmax", specification: "4,8:tanh,3:softmax",
      weights: [("dense_1", "hidden/sequential/hidden"), ("dense_2", "out/sequential/out")])
    let (x, y) = try Self.reference("mlp_tanh_softmax")
    Self.expectClose(try model.predict(x), y)
  }

  @Test func matchesKerasOnAReLUNetwork() throws {
    let model = try Self.kerasModel(
      "mlp_relu_linear", specification: "6,16:relu,16:relu,2",
      weights: [
        ("dense_1", "dense/sequential_1/dense"), ("dense_2", "dense_1/sequential_1/dense_1"),
        ("dense_3", "dense_2/sequential_1/dense_2"),
      ])
    let (x, y) = try Self.reference("mlp_relu_linear")
    Self.expectClose(try model.predict(x), y)
  }

  @Test func matchesKerasOnAnElmanNetwork() throws {
    let model = try Self.kerasModel(
      "rnn_tanh_last", specification: "5x3,rnn6:tanh,1",
      weights: [("elman_1", "rnn/sequential_2/rnn/simple_rnn_cell"), ("dense_1", "head/sequential_2/head")])
    let (x, y) = try Self.reference("rnn_tanh_last")
    Self.expectClose(try model.predict(x), y)
  }

  @Test func predictorAgreesWithModelPredictOneSampleAtATime() throws {
    let model = try Model(
      initializing: try NetworkDescription(layerSpecification: "20,32:relu,16:elu,5:softmax"), seed: 4)
    var random = Xoshiro256StarStar(seed: 1)
    let inputs = (0..<(50 * 20)).map { _ in random.nextFloat() }
    let batch = try model.predict(Tensor(shape: [50, 20], scalars: inputs))
    let predictor = try Predictor(model: model)
    for sample in 0..<50 {
      let one = try predictor.predict(Array(inputs[(sample * 20)..<((sample + 1) * 20)]), count: 1)
      // Batch 1 uses matrix–vector products, so rounding may differ slightly.
      for (a, b) in zip(one, batch.scalars[(sample * 5)..<((sample + 1) * 5)]) { #expect(abs(a - b) < 1e-5) }
    }
  }

  @Test func sequenceOutputsKeepTheirTimeAxis() throws {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: "?x2,rnn4:seq,3"), seed: 2)
    let output = try model.predict(Tensor(shape: [2, 7, 2], scalars: (0..<28).map { Float($0) / 28 }))
    #expect(output.shape == [2, 7, 3])
    let single = try model.predict(Tensor(shape: [1, 1, 2], scalars: [0.5, 0.5]))
    #expect(single.shape == [1, 1, 3])
  }

  @Test func predictIsSafeFromManyThreads() async throws {
    let model = try Model(
      initializing: try NetworkDescription(layerSpecification: "64,128:relu,64:tanh,10:softmax"), seed: 8)
    var random = Xoshiro256StarStar(seed: 3)
    let inputs = Tensor(shape: [33, 64], scalars: (0..<(33 * 64)).map { _ in random.nextFloat() })
    let expected = try model.predict(inputs)
    try await withThrowingTaskGroup(of: Tensor<Float>.self) { group in
      for _ in 0..<8 {
        group.addTask {
          var last = try model.predict(inputs)
          for _ in 0..<20 { last = try model.predict(inputs) }
          return last
        }
      }
      for try await result in group { #expect(result == expected) }
    }
  }

  @Test func wrongShapesAreClearErrors() throws {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: "4,2"), seed: 1)
    expectReason(EngineError.inputShapeMismatch(expected: "[batch, 4]", actual: [3, 5])) {
      try model.predict(Tensor(shape: [3, 5], scalars: Array(repeating: 0, count: 15)))
    }
    let recurrent = try Model(initializing: try NetworkDescription(layerSpecification: "6x4,rnn2"), seed: 1)
    expectReason(EngineError.inputShapeMismatch(expected: "[batch, 6, 4]", actual: [1, 5, 4])) {
      try recurrent.predict(Tensor(shape: [1, 5, 4], scalars: Array(repeating: 0, count: 20)))
    }
  }
}
