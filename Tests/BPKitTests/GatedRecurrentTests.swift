import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

/// LSTM and GRU layers: Keras 3's formulas, gradients, truncation, invariance and files.
@Suite struct GatedRecurrentTests {
  // MARK: Gradients

  static let bound = 1e-6

  static func check(
    _ specification: String, _ loss: Loss = .meanSquaredError, seed: UInt64 = 7, bptt: Int? = nil
  ) throws {
    let network = try NetworkDescription(layerSpecification: specification)
    let model = try Model(initializing: network, seed: seed)
    let results = try GradientCheck(model: model, loss: loss, batch: 3, steps: 5, seed: seed, bpttSteps: bptt).run()
    #expect(results.count == model.orderedParameters.filter(\.spec.trainable).count)
    for result in results {
      #expect(
        result.worstRelativeError < bound,
        "\(specification) bptt \(bptt.map(String.init) ?? "full"): \(result.key) error \(result.worstRelativeError) analytic \(result.analytic) numerical \(result.numerical)"
      )
    }
  }

  static let layers = ["lstm4", "gru4", "gru4:reset_before"]

  @Test(arguments: layers)
  func lastStepAndSequenceOutputs(layer: String) throws {
    try Self.check("5x3,\(layer),2")
    try Self.check("5x3,\(layer):seq,2")
    try Self.check("5x3,\(layer):seq,3:softmax", .categoricalCrossEntropy)
    try Self.check("5x3,\(layer),2:sigmoid", .binaryCrossEntropy)
    try Self.check("5x3,\(layer):seq")
  }

  @Test(arguments: layers)
  func activationChoicesAndNoBias(layer: String) throws {
    try Self.check("5x3,\(layer):recurrent=hard_sigmoid,2")
    // ReLU as an LSTM's φ has a kink no redraw avoids: c_0 = i ⊙ relu(z_c) is exactly 0 where z_c < 0.
    try Self.check("5x3,\(layer):\(layer.hasPrefix("lstm") ? "elu" : "relu"):seq,2")
    try Self.check("5x3,\(layer):sigmoid:recurrent=tanh:nobias,2")
  }

  /// Truncated BPTT's gradient is the exact gradient with the states entering each window held fixed,
  /// which the check's numerical side computes: windows of 2 and 3 over 5 steps, last-step and sequence outputs.
  @Test(arguments: layers + ["rnn4"], [2, 3])
  func truncatedBackpropagationThroughTime(layer: String, bptt: Int) throws {
    try Self.check("5x3,\(layer),2", bptt: bptt)
    try Self.check("5x3,\(layer):seq,2", bptt: bptt)
    try Self.check("5x3,\(layer):seq,gru3:reset_before,2", bptt: bptt)
  }

  @Test func stackedLayersOfEveryKind() throws {
    try Self.check("5x3,lstm4:seq,gru3:seq,gru3:reset_before:seq,rnn2,2")
    try Self.check("?x2,std,gru3:reset_before:seq,lstm3,3:softmax", .categoricalCrossEntropy)
  }

  // MARK: Keras' formulas

  /// Keras 3's `LSTMCell.call` and `GRUCell.call` for one sample, in Float64.
  static func reference(_ layer: Layer, model: Model, x: [[Double]]) -> [[Double]] {
    func weights(_ name: String) -> [Double] {
      model.parameters[ParameterKey(layer: layer.name, name: name)].map { $0.scalars.map(Double.init) } ?? []
    }
    let (W, U, bias) = (weights("kernel"), weights("recurrent_kernel"), weights("bias"))
    let inputs = x[0].count
    func f(_ a: Activation, _ v: Double) -> Double {
      switch a {
      case .tanh: Foundation.tanh(v)
      case .sigmoid: 1 / (1 + Foundation.exp(-v))
      case .hardSigmoid: min(max(v / 6 + 0.5, 0), 1)
      case .relu: max(v, 0)
      default: fatalError("not used here")
      }
    }
    var outputs: [[Double]] = []
    switch layer.kind {
    case .lstm(let s, _):
      let u = s.units
      var h = [Double](repeating: 0, count: u)
      var c = h
      for xt in x {
        var z = (0..<(4 * u)).map { j in bias.isEmpty ? 0 : bias[j] }
        for j in 0..<(4 * u) {
          for k in 0..<inputs { z[j] += xt[k] * W[k * 4 * u + j] }
          for k in 0..<u { z[j] += h[k] * U[k * 4 * u + j] }
        }
        for j in 0..<u {
          let i = f(s.recurrentActivation, z[j])
          let fg = f(s.recurrentActivation, z[u + j])
          let g = f(s.activation, z[2 * u + j])
          let o = f(s.recurrentActivation, z[3 * u + j])
          c[j] = fg * c[j] + i * g
          h[j] = o * f(s.activation, c[j])
        }
        outputs.append(h)
      }
    case .gru(let s, let resetAfter):
      let u = s.units
      var h = [Double](repeating: 0, count: u)
      for xt in x {
        var a = (0..<(3 * u)).map { j in bias.isEmpty ? 0 : bias[j] }
        var m = (0..<(3 * u)).map { j in bias.isEmpty || !resetAfter ? 0 : bias[3 * u + j] }
        for j in 0..<(3 * u) {
          for k in 0..<inputs { a[j] += xt[k] * W[k * 3 * u + j] }
        }
        for j in 0..<(2 * u) {
          for k in 0..<u { m[j] += h[k] * U[k * 3 * u + j] }
        }
        let z = (0..<u).map { f(s.recurrentActivation, a[$0] + m[$0]) }
        let r = (0..<u).map { f(s.recurrentActivation, a[u + $0] + m[u + $0]) }
        var candidate = [Double](repeating: 0, count: u)
        for j in 0..<u {
          var recurrent = resetAfter ? m[2 * u + j] : 0
          for k in 0..<u { recurrent += (resetAfter ? h[k] : r[k] * h[k]) * U[k * 3 * u + 2 * u + j] }
          candidate[j] = f(s.activation, a[2 * u + j] + (resetAfter ? r[j] * recurrent : recurrent))
        }
        h = (0..<u).map { z[$0] * h[$0] + (1 - z[$0]) * candidate[$0] }
        outputs.append(h)
      }
    default:
      fatalError("not a gated layer")
    }
    return outputs
  }

  @Test(
    arguments: [
      "6x3,lstm5:seq", "6x3,lstm5:recurrent=hard_sigmoid", "6x3,gru5:seq", "6x3,gru5:reset_before:seq",
      "6x3,gru5:recurrent=hard_sigmoid:relu", "6x3,lstm5:nobias:seq", "6x3,gru4:nobias",
      "6x3,gru4:reset_before:nobias:seq",
    ])
  func forwardPassIsKerasFormula(specification: String) throws {
    let network = try NetworkDescription(layerSpecification: specification)
    // Weights large enough to reach hard_sigmoid's flat parts and ReLU's kink.
    var model = try Model(initializing: network, seed: 11)
    var random = Xoshiro256StarStar(seed: 12)
    for (spec, tensor) in model.orderedParameters {
      try model.setParameter(
        Tensor(shape: tensor.shape, scalars: tensor.scalars.map { _ in Float(random.nextDouble() * 3 - 1.5) }),
        for: spec.key)
    }
    let batch = 4
    let x = (0..<(batch * 6 * 3)).map { _ in Float(random.nextDouble() * 4 - 2) }
    let predictions = try model.predict(Tensor(shape: [batch, 6, 3], scalars: x)).scalars
    let layer = network.layers[0]
    let units = predictions.count / (layer.kind.returnsSequences ? batch * 6 : batch)
    for b in 0..<batch {
      let sample = (0..<6).map { t in (0..<3).map { Double(x[(b * 6 + t) * 3 + $0]) } }
      let expected = Self.reference(layer, model: model, x: sample)
      let got =
        layer.kind.returnsSequences
        ? Array(predictions[(b * 6 * units)..<((b + 1) * 6 * units)])
        : Array(predictions[(b * units)..<((b + 1) * units)])
      let want = layer.kind.returnsSequences ? expected.flatMap { $0 } : expected.last!
      for (g, w) in zip(got, want) { #expect(abs(Double(g) - w) < 1e-5, "\(specification): \(g) vs \(w)") }
    }
  }

  @Test func unitForgetBiasStartsTheForgetGateAtOne() throws {
    let network = try NetworkDescription(layerSpecification: "4x2,lstm3:seq,gru2:reset_before,1")
    let model = try Model(initializing: network, seed: 1)
    #expect(
      model.parameters[ParameterKey(layer: "lstm_1", name: "bias")]!.scalars == [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    #expect(model.parameters[ParameterKey(layer: "gru_1", name: "bias")]!.scalars == [0, 0, 0, 0, 0, 0])
    let resetAfter = try Model(initializing: try NetworkDescription(layerSpecification: "4x2,gru2"), seed: 1)
    #expect(resetAfter.parameters[ParameterKey(layer: "gru_1", name: "bias")]!.shape == [2, 6])
    #expect(
      try network.parameterSpecs().map(\.shape) == [[2, 12], [3, 12], [12], [3, 6], [2, 6], [6], [2, 1], [1]])
  }

  // MARK: Truncation and invariance

  static func gradients(_ specification: String, bptt: Int?) throws -> [ParameterKey: Tensor<Float>] {
    let network = try NetworkDescription(layerSpecification: specification)
    let engine = try TrainingEngine<Float>(
      model: try Model(initializing: network, seed: 3),
      optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .sgd)), loss: .meanSquaredError,
      bpttSteps: bptt)
    var random = Xoshiro256StarStar(seed: 4)
    let inputs = (0..<(3 * 6 * 2)).map { _ in random.nextFloat() * 2 - 1 }
    let outputs = if case .sequence = try network.outputShape() { 6 } else { 1 }
    let targets = (0..<(3 * outputs)).map { _ in random.nextFloat() }
    return try inputs.withUnsafeBufferPointer { x in
      try targets.withUnsafeBufferPointer { t in try engine.gradients(inputs: x, targets: .values(t), count: 3) }
    }
  }

  @Test(arguments: ["6x2,lstm4,1", "6x2,gru4,1", "6x2,gru4:reset_before:seq,lstm3:seq,1"])
  func truncationCoveringTheSequenceEqualsFullBPTT(specification: String) throws {
    let full = try Self.gradients(specification, bptt: nil)
    #expect(try Self.gradients(specification, bptt: 6) == full)
    #expect(try Self.gradients(specification, bptt: 10) == full)
    let truncated = try Self.gradients(specification, bptt: 2)
    let first = try NetworkDescription(layerSpecification: specification).layers[0].name
    #expect(
      truncated[ParameterKey(layer: first, name: "recurrent_kernel")]
        != full[ParameterKey(layer: first, name: "recurrent_kernel")])
    #expect(
      truncated[ParameterKey(layer: "dense_1", name: "kernel")] == full[ParameterKey(layer: "dense_1", name: "kernel")])
  }

  @Test func aSampleGetsTheSameBitsInAnyBatch() throws {
    let network = try NetworkDescription(layerSpecification: "7x3,lstm6:seq,gru5:reset_before:seq,gru4,2")
    let model = try Model(initializing: network, seed: 5)
    var random = Xoshiro256StarStar(seed: 6)
    let x = (0..<(9 * 7 * 3)).map { _ in random.nextFloat() * 2 - 1 }
    let all = try model.predict(Tensor(shape: [9, 7, 3], scalars: x)).scalars
    for b in [0, 4, 8] {
      let one = try model.predict(Tensor(shape: [1, 7, 3], scalars: Array(x[(b * 21)..<((b + 1) * 21)]))).scalars
      #expect(one.map(\.bitPattern) == all[(b * 2)..<((b + 1) * 2)].map(\.bitPattern))
    }
  }

  /// An LSTM and a GRU trained with Adam, truncated to 3 steps; then predictions.
  static func gatedRun() throws -> KernelPathTests.Outcome {
    let network = try NetworkDescription(layerSpecification: "8x3,lstm12:seq,gru10:reset_before:seq,gru6,2")
    let engine = try TrainingEngine<Float>(
      model: try Model(initializing: network, seed: 5),
      optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .adam, learningRate: 0.01)),
      loss: .meanSquaredError, bpttSteps: 3)
    var random = Xoshiro256StarStar(seed: 6)
    for _ in 0..<3 {
      let x = (0..<(9 * 8 * 3)).map { _ in random.nextFloat() * 2 - 1 }
      let y = (0..<(9 * 2)).map { _ in random.nextFloat() }
      _ = try engine.step(inputs: x, targets: y, count: 9)
    }
    let x = (0..<(5 * 8 * 3)).map { _ in random.nextFloat() * 2 - 1 }
    let predictions = try engine.model.predict(Tensor(shape: [5, 8, 3], scalars: x))
    return .init(weights: KernelPathTests.bits(engine.model), predictions: predictions.scalars.map(\.bitPattern))
  }

  @Test func everyPathAndThreadCountTrainsTheSameBits() throws {
    let reference = try Kernels.with(path: Kernels.best, threads: 1) { try Self.gatedRun() }
    for path in Kernels.supported {
      for threads in [1, 2] {
        #expect(
          try Kernels.with(path: path, threads: threads) { try Self.gatedRun() } == reference, "\(path) \(threads)")
      }
    }
  }

  @Test func anLSTMLearnsToAddTwoMarkedNumbers() throws {
    // The adding problem (Hochreiter and Schmidhuber, 1997), short: 8 steps of
    // (value, marker); the target is the sum of the two marked values.
    let network = try NetworkDescription(layerSpecification: "8x2,lstm16,1")
    let engine = try TrainingEngine<Float>(
      model: try Model(initializing: network, seed: 1),
      optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .adam, learningRate: 0.01)),
      loss: .meanSquaredError)
    var random = Xoshiro256StarStar(seed: 2)
    func batch(_ count: Int) -> ([Float], [Float]) {
      var x: [Float] = []
      var y: [Float] = []
      for _ in 0..<count {
        let first = random.nextIndex(below: 4)
        let second = 4 + random.nextIndex(below: 4)
        var sum: Float = 0
        for t in 0..<8 {
          let value = random.nextFloat()
          let marked = t == first || t == second
          if marked { sum += value }
          x += [value, marked ? 1 : 0]
        }
        y.append(sum)
      }
      return (x, y)
    }
    let (testX, testY) = batch(64)
    func loss() throws -> Float {
      let predictions = try engine.model.predict(Tensor(shape: [64, 8, 2], scalars: testX)).scalars
      return zip(predictions, testY).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 64
    }
    let before = try loss()
    for _ in 0..<300 {
      let (x, y) = batch(32)
      _ = try engine.step(inputs: x, targets: y, count: 32)
    }
    let after = try loss()
    // Predicting the mean (1.0) scores about 1/6; a learnt sum is far below.
    #expect(after < 0.02, "mean squared error \(before) → \(after)")
  }

  // MARK: Descriptions and files

  @Test func layerSpecificationReadsEveryOption() throws {
    let network = try NetworkDescription(
      layerSpecification: "?x4,lstm8:seq:recurrent=hard_sigmoid,gru6:reset_before:relu:nobias:seq,gru2")
    #expect(
      network.layers.map(\.kind) == [
        .lstm(
          GatedRecurrentSettings(units: 8, recurrentActivation: .hardSigmoid, returnSequences: true),
          unitForgetBias: true),
        .gru(
          GatedRecurrentSettings(units: 6, activation: .relu, useBias: false, returnSequences: true), resetAfter: false),
        .gru(GatedRecurrentSettings(units: 2), resetAfter: true),
      ])
    #expect(network.layers.map(\.name) == ["lstm_1", "gru_1", "gru_2"])
    expectReason(
      LayerSpecificationError.invalidLayer(
        position: 1, entry: "lstm4:reset_before", reason: "'reset_before' applies to GRU layers (gruN) only")
    ) { try NetworkDescription(layerSpecification: "3x2,lstm4:reset_before") }
    expectReason(
      LayerSpecificationError.invalidLayer(
        position: 1, entry: "rnn4:recurrent=sigmoid",
        reason: "'recurrent=' sets the gates' activation of LSTM and GRU layers (lstmN, gruN) only")
    ) { try NetworkDescription(layerSpecification: "3x2,rnn4:recurrent=sigmoid") }
    expectReason(LayerSpecificationError.vectorsIntoElman(position: 1, entry: "lstm4", previous: nil)) {
      try NetworkDescription(layerSpecification: "3,lstm4")
    }
  }

  @Test func aGRUWithoutAPyTorchFormIsRefusedByName() throws {
    let folder = try TemporaryDirectory()
    let model = SampleModels.model(SampleModels.gated(resetAfter: false))
    let safetensors = folder.path("m.safetensors")
    let refused = expectReason(SafetensorsError.self) {
      try model.writeSafetensors(to: URL(fileURLWithPath: safetensors))
    }
    #expect(refused?.description.hasPrefix("\(safetensors): layer 'gru_b' is a GRU with reset_after=False") == true)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == [])
    try SampleModels.model(SampleModels.gated(resetAfter: true)).writeSafetensors(
      to: URL(fileURLWithPath: safetensors))
    #expect(try Model(safetensorsContentsOf: URL(fileURLWithPath: safetensors)).network.layers.count == 3)
  }

  @Test(arguments: [true, false])
  func modelFilesRoundTrip(resetAfter: Bool) throws {
    let folder = try TemporaryDirectory()
    let model = SampleModels.model(SampleModels.gated(resetAfter: resetAfter))
    let url = folder.url.appendingPathComponent("gated.h5")
    try model.write(to: url)
    let loaded = try Model(contentsOf: url)
    #expect(loaded == model)
    #expect(try Model(jsonData: try model.jsonData()) == model)
    let decoded = try JSONDecoder().decode(NetworkDescription.self, from: JSONEncoder().encode(model.network))
    #expect(decoded == model.network)
  }
}
