import Testing

@testable import BPKit

/// A predictor's weights lie in whole 2 MiB pages once they take 256 KiB or
/// more (``WeightBuffer``), so that one sample's stream of them stays in the
/// core's L2 cache; where they lie changes no number.
@Suite struct WeightBufferTests {
  static let hugePage = 1 << 21

  @Test(.enabled(if: Self.isLinux, "2 MiB pages are asked for on Linux only"))
  func largeBuffersStartOnA2MiBBoundary() {
    let buffer = WeightBuffer(count: 256 * 1024 / 4)
    #expect(Int(bitPattern: buffer.pointer) % Self.hugePage == 0)
    #expect((0..<buffer.count).allSatisfy { buffer.pointer[$0] == 0 }, "the room starts zeroed")
  }

  @Test func smallBuffersAreZeroedAndAlignedForVectors() {
    let buffer = WeightBuffer(count: 1000)
    #expect(Int(bitPattern: buffer.pointer) % 64 == 0)
    #expect((0..<1000).allSatisfy { buffer.pointer[$0] == 0 })
  }

  /// The 784-256-128-10 network of `bench infer`, 933 KiB of weights: its
  /// predictor's copy lies in a huge page, and single samples on 1 and 2
  /// threads, on every path, keep the bits `Model.predict` gives them.
  @Test(arguments: Kernels.supported, [1, 2])
  func aPredictorsLargeWeightsKeepTheirBits(path: Kernels.Path, threads: Int) throws {
    let network = try NetworkDescription(layerSpecification: "784,256:relu,128:relu,10:softmax")
    let model = try Model(initializing: network, seed: 31)
    var random = Xoshiro256StarStar(seed: 32)
    let x = (0..<(5 * 784)).map { _ in random.nextFloat() }
    let expected = try PredictorRowsTests.oneByOne(model, x, shape: [5, 784])
    let predictor = try Predictor(model: model)
    if Self.isLinux { #expect(Int(bitPattern: predictor.parameters.pointer) % Self.hugePage == 0) }
    let got = try Kernels.with(path: path, threads: threads) {
      try (0..<5).flatMap { r in try predictor.predict(Array(x[(r * 784)..<((r + 1) * 784)]), count: 1) }
    }
    #expect(got.map(\.bitPattern) == expected, "\(path), \(threads) threads")
  }

  static var isLinux: Bool {
    #if os(Linux)
      true
    #else
      false
    #endif
  }
}
