import Foundation
import Testing

@testable import BPKit

/// With more than one thread, a single sample's large dense products are cut
/// by columns over the threads (``SplitKernels``), each thread starting its
/// outputs from the bias and rectifying them; every output keeps the bits it
/// has on one thread, on every path.
@Suite struct SplitKernelsTests {
  /// Cut layers with and without a bias, with relu fused and tanh applied
  /// after, a width that is no multiple of 16, and small layers left whole.
  static let network = NetworkDescription(
    input: .vector(features: 300),
    layers: [
      Layer(name: "cut_relu", kind: .dense(units: 200, activation: .relu, useBias: true)),
      Layer(name: "cut_tanh", kind: .dense(units: 130, activation: .tanh, useBias: false)),
      Layer(name: "cut_relu_no_bias", kind: .dense(units: 150, activation: .relu, useBias: false)),
      Layer(name: "whole", kind: .dense(units: 10, activation: .softmax, useBias: true)),
    ])

  @Test(arguments: Kernels.supported, [2, 3, 5, 17])
  func singleSamplesOnSeveralThreadsKeepTheirBits(path: Kernels.Path, threads: Int) throws {
    let model = try Model(initializing: Self.network, seed: 21)
    var random = Xoshiro256StarStar(seed: 22)
    let x = (0..<(7 * 300)).map { _ in random.nextFloat() * 2 - 1 }
    let expected = try PredictorRowsTests.oneByOne(model, x, shape: [7, 300])
    let predictor = try Predictor(model: model)
    let got = try Kernels.with(path: path, threads: threads) {
      try (0..<7).flatMap { r in try predictor.predict(Array(x[(r * 300)..<((r + 1) * 300)]), count: 1) }
    }
    let program = try #require(predictor.sampleProgram)
    #expect(program.parts == min(threads, Predictor.maximumParts), "the samples ran cut over the threads")
    #expect(!program.alone)
    #expect(got.map(\.bitPattern) == expected, "\(path), \(threads) threads")
  }

  /// On one thread, kernels of 512 KiB or more in all are cut in halves read
  /// in alternating order from call to call; both orders keep every bit.
  @Test(arguments: Kernels.supported)
  func oneThreadReadsLargeKernelsInAlternatingHalves(path: Kernels.Path) throws {
    let network = try NetworkDescription(layerSpecification: "784,256:relu,128:relu,10:softmax")
    let model = try Model(initializing: network, seed: 25)
    var random = Xoshiro256StarStar(seed: 26)
    let x = (0..<(6 * 784)).map { _ in random.nextFloat() * 2 - 1 }
    let expected = try PredictorRowsTests.oneByOne(model, x, shape: [6, 784])
    let predictor = try Predictor(model: model)
    let got = try Kernels.with(path: path, threads: 1) {
      try (0..<6).flatMap { r in try predictor.predict(Array(x[(r * 784)..<((r + 1) * 784)]), count: 1) }
    }
    #expect(
      predictor.sampleProgram?.alone == true && predictor.sampleProgram?.parts == 2,
      "one thread cut the kernels in halves")
    #expect(got.map(\.bitPattern) == expected, "\(path)")
    _ = try Kernels.with(threads: 2) { try predictor.predict(Array(x[0..<784]), count: 1) }
    #expect(
      predictor.sampleProgram?.alone == false && predictor.sampleProgram?.parts == 2,
      "two threads cut them for the team")
  }

  /// A network the one-sample program does not run (a recurrent layer)
  /// still has its large dense kernels cut over the threads by the general
  /// pass, with the bits of one thread.
  @Test(arguments: Kernels.supported)
  func theGeneralPassCutsWhatTheProgramDoesNotRun(path: Kernels.Path) throws {
    let network = try NetworkDescription(layerSpecification: "5x30,rnn64:tanh,300:relu,10:softmax")
    let model = try Model(initializing: network, seed: 27)
    var random = Xoshiro256StarStar(seed: 28)
    let x = (0..<(3 * 150)).map { _ in random.nextFloat() * 2 - 1 }
    let expected = try PredictorRowsTests.oneByOne(model, x, shape: [3, 5, 30])
    let predictor = try Predictor(model: model)
    let got = try Kernels.with(path: path, threads: 2) {
      try (0..<3).flatMap { r in try predictor.predict(Array(x[(r * 150)..<((r + 1) * 150)]), count: 1) }
    }
    #expect(predictor.sampleProgram == nil)
    #expect(predictor.split?.parts == 2 && predictor.split?.alone == false, "the dense kernel ran cut")
    #expect(got.map(\.bitPattern) == expected, "\(path)")
  }

  @Test func smallLayersAndOneThreadAreNotCut() throws {
    let plan = try NetworkPlan(network: Self.network)
    let model = try Model(initializing: Self.network, seed: 21)
    let predictor = try Predictor(model: model)
    let split = SplitKernels(plan: plan, parameters: predictor.parameters.pointer, parts: 2)
    var out = [Float](repeating: 0, count: 10)
    let x = [Float](repeating: 1, count: 150)
    let cut = out.withUnsafeMutableBufferPointer {
      split.multiply(step: 3, x: x, rows: 1, inputs: 150, units: 10, bias: nil, rectify: false, into: $0.baseAddress!)
    }
    #expect(!cut, "a 150×10 kernel is below SplitKernels.minimumWeights")
    _ = try Kernels.with(threads: 1) { try predictor.predict(Array(repeating: 0.5, count: 300), count: 1) }
    #expect(predictor.sampleProgram?.parts == 1 && predictor.sampleProgram?.alone == false, "one thread cuts nothing")
  }

  /// Two predictors on two threads at once: one holds the team, the other
  /// runs its parts alone, and both keep their bits.
  @Test func predictorsOnTwoThreadsAtOnceKeepTheirBits() throws {
    let model = try Model(initializing: Self.network, seed: 23)
    var random = Xoshiro256StarStar(seed: 24)
    let x = (0..<(40 * 300)).map { _ in random.nextFloat() * 2 - 1 }
    let expected = try PredictorRowsTests.oneByOne(model, x, shape: [40, 300])
    let results = Results(count: 2)
    DispatchQueue.concurrentPerform(iterations: 2) { index in
      let rows = try? Kernels.with(threads: 2) {
        let predictor = try Predictor(model: model)
        return try (0..<40).flatMap { r in try predictor.predict(Array(x[(r * 300)..<((r + 1) * 300)]), count: 1) }
      }
      results.set(index, rows ?? [])
    }
    for index in 0..<2 { #expect(results.get(index).map(\.bitPattern) == expected, "predictor \(index)") }
  }
}

/// Outputs gathered from concurrent threads.
private final class Results: @unchecked Sendable {
  private let lock = NSLock()
  private var rows: [[Float]]
  init(count: Int) { rows = Array(repeating: [], count: count) }
  func set(_ index: Int, _ value: [Float]) { lock.withLock { rows[index] = value } }
  func get(_ index: Int) -> [Float] { lock.withLock { rows[index] } }
}
