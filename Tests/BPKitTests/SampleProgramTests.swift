import Testing

@testable import BPKit

/// A predictor runs one sample of a feed-forward network through a
/// ``SampleProgram``; its outputs are the general forward pass's bits, which
/// a batch of several samples still takes.
@Suite struct SampleProgramTests {
  /// Every kind of step the program runs: a standardize layer with a constant
  /// feature (std 0), dense layers with and without a bias, relu fused into
  /// cut and whole products, other activations after them, a dropout layer
  /// passed through, and widths that are no multiple of 16.
  static let network = NetworkDescription(
    input: .vector(features: 300),
    layers: [
      Layer(name: "standardize_1", kind: .standardize),
      Layer(name: "cut_relu", kind: .dense(units: 200, activation: .relu, useBias: true)),
      Layer(name: "dropout_1", kind: .dropout(rate: 0.3)),
      Layer(name: "cut_tanh", kind: .dense(units: 130, activation: .tanh, useBias: false)),
      Layer(name: "cut_relu_no_bias", kind: .dense(units: 150, activation: .relu, useBias: false)),
      Layer(name: "whole_relu", kind: .dense(units: 40, activation: .relu, useBias: true)),
      Layer(name: "whole_elu", kind: .dense(units: 23, activation: .elu(alpha: 0.5), useBias: true)),
      Layer(name: "whole", kind: .dense(units: 10, activation: .softmax, useBias: true)),
    ])

  static func model() throws -> Model {
    var model = try Model(initializing: network, seed: 31)
    var random = Xoshiro256StarStar(seed: 32)
    let mean = (0..<300).map { _ in random.nextFloat() - 0.5 }
    let std = (0..<300).map { j in j % 7 == 3 ? 0 : random.nextFloat() + 0.25 }
    try model.setParameter(Tensor(shape: [300], scalars: mean), for: ParameterKey(layer: "standardize_1", name: "mean"))
    try model.setParameter(Tensor(shape: [300], scalars: std), for: ParameterKey(layer: "standardize_1", name: "std"))
    return model
  }

  @Test(arguments: Kernels.supported, [1, 2, 3])
  func singleSamplesKeepTheBatchsBits(path: Kernels.Path, threads: Int) throws {
    let model = try Self.model()
    var random = Xoshiro256StarStar(seed: 33)
    // Some inputs far out, so that relu meets negative sums and tanh saturates.
    let x = (0..<(7 * 300)).map { i in (random.nextFloat() * 2 - 1) * (i % 11 == 0 ? 40 : 1) }
    let predictor = try Predictor(model: model)
    let (batch, single) = try Kernels.with(path: path, threads: threads) {
      let batch = try predictor.predict(x, count: 7)
      let single = try (0..<7).flatMap { r in try predictor.predict(Array(x[(r * 300)..<((r + 1) * 300)]), count: 1) }
      return (batch, single)
    }
    #expect(predictor.sampleProgram != nil, "single samples ran through the program")
    #expect(single.map(\.bitPattern) == batch.map(\.bitPattern), "\(path), \(threads) threads")
  }

  /// The program follows the predictor's cut kernels when the number of
  /// threads changes between calls, and keeps every bit.
  @Test func programFollowsTheThreads() throws {
    let model = try Self.model()
    var random = Xoshiro256StarStar(seed: 34)
    let x = (0..<300).map { _ in random.nextFloat() * 2 - 1 }
    let predictor = try Predictor(model: model)
    let expected = try PredictorRowsTests.oneByOne(model, x, shape: [1, 300])
    for threads in [1, 2, 1, 3, 2] {
      let got = try Kernels.with(threads: threads) { try predictor.predict(x, count: 1) }
      #expect(got.map(\.bitPattern) == expected, "\(threads) threads")
      // One thread cuts nothing in a network this small; more cut for the team.
      #expect(predictor.sampleProgram?.parts == threads, "the program cuts for the current threads")
      #expect(predictor.sampleProgram?.alone == false)
    }
  }

  @Test func recurrentNetworksAndSequencesTakeTheGeneralPass() throws {
    let recurrent = try NetworkDescription(layerSpecification: "10x3,rnn16:tanh,2")
    #expect(!SampleProgram.fits(try NetworkPlan(network: recurrent)))
    let dense = try NetworkDescription(layerSpecification: "3,std,4:tanh,2:softmax")
    #expect(SampleProgram.fits(try NetworkPlan(network: dense)))
    let predictor = try Predictor(model: try Model(initializing: recurrent, seed: 35))
    _ = try predictor.predict([Float](repeating: 0.5, count: 30), count: 1)
    #expect(predictor.sampleProgram == nil)
  }
}
