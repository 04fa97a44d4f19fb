import Testing

@testable import BPKit

/// After enough one-sample calls on one thread, a predictor tries copies of
/// its weights in other places and keeps the fastest
/// (`SampleProgram.choosePlacement`); no place changes a bit, and the trial
/// runs only where it is asked for and can matter.
@Suite struct SampleProgramPlacementTests {
  /// `bench infer`'s network: 933 KiB of weights, large enough to be tried.
  static func model() throws -> Model {
    let network = try NetworkDescription(layerSpecification: "784,256:relu,128:relu,10:softmax")
    return try Model(initializing: network, seed: 41)
  }

  static func samples(_ count: Int) -> [Float] {
    var random = Xoshiro256StarStar(seed: 42)
    // Some inputs far out, so that relu meets negative sums.
    return (0..<(count * 784)).map { i in (random.nextFloat() * 2 - 1) * (i % 13 == 0 ? 30 : 1) }
  }

  static func sample(_ x: [Float], _ r: Int) -> [Float] { Array(x[(r * 784)..<((r + 1) * 784)]) }

  /// Samples before, during and after the trial, on every path: the bits of
  /// the batch path (one call of all rows) and of `Model.predict` row by row.
  @Test(arguments: Kernels.supported)
  func theTrialKeepsEveryBit(path: Kernels.Path) throws {
    let model = try Self.model()
    let x = Self.samples(8)
    let expected = try PredictorRowsTests.oneByOne(model, x, shape: [8, 784])
    let predictor = try Predictor(model: model)
    predictor.placementTrialCalls = 3
    let (batch, single) = try Kernels.with(path: path, threads: 1) {
      let batch = try Predictor(model: model).predict(x, count: 8)
      let single = try (0..<8).flatMap { r in try predictor.predict(Self.sample(x, r), count: 1) }
      return (batch, single)
    }
    #expect(predictor.sampleProgram?.placementTried == true, "the third call tried other places")
    #expect(batch.map(\.bitPattern) == expected, "\(path)")
    #expect(single.map(\.bitPattern) == expected, "\(path)")
  }

  /// The program switched to a copy in another room (forced: the last
  /// place tried) computes the same bits as at its first place, on every path.
  @Test(arguments: Kernels.supported)
  func aCopyElsewhereKeepsEveryBit(path: Kernels.Path) throws {
    let model = try Self.model()
    let x = Self.samples(4)
    let expected = try PredictorRowsTests.oneByOne(model, x, shape: [4, 784])
    let predictor = try Predictor(model: model)
    predictor.choosesWeightPlacement = false
    try Kernels.with(path: path, threads: 1) {
      let before = try (0..<2).flatMap { r in try predictor.predict(Self.sample(x, r), count: 1) }
      let program = try #require(predictor.sampleProgram)
      let first = program.weights.pointer + program.weightsStart
      var times: [UInt64] = []
      let chosen = Self.sample(x, 0).withUnsafeBufferPointer { input in
        program.choosePlacement(input: input.baseAddress!, outputWidth: 10, rooms: 2) { t in
          times = t
          return t.count - 1
        }
      }
      #expect(times.count >= 3, "the current place and at least one copy per room")
      #expect(chosen == times.count - 1)
      #expect(program.weights.pointer + program.weightsStart != first, "the weights moved")
      let after = try (0..<4).flatMap { r in try predictor.predict(Self.sample(x, r), count: 1) }
      #expect(before.map(\.bitPattern) == Array(expected.prefix(20)), "\(path)")
      #expect(after.map(\.bitPattern) == expected, "\(path)")
    }
  }

  /// Every place tried holds the weights at the same offsets: each one,
  /// forced in turn, gives the same bits.
  @Test func everyPlaceGivesTheSameBits() throws {
    let model = try Self.model()
    let x = Self.samples(1)
    let expected = try PredictorRowsTests.oneByOne(model, x, shape: [1, 784])
    let predictor = try Predictor(model: model)
    predictor.choosesWeightPlacement = false
    try Kernels.with(threads: 1) {
      _ = try predictor.predict(x, count: 1)
      let program = try #require(predictor.sampleProgram)
      var places = 0
      x.withUnsafeBufferPointer { input in
        program.choosePlacement(input: input.baseAddress!, outputWidth: 10, rooms: 1) { t in
          places = t.count
          return 0
        }
      }
      for place in 0..<places {
        x.withUnsafeBufferPointer { input in
          program.choosePlacement(input: input.baseAddress!, outputWidth: 10, rooms: 1) { _ in place }
        }
        #expect(try predictor.predict(x, count: 1).map(\.bitPattern) == expected, "place \(place)")
      }
    }
  }

  @Test func turnedOffTheWeightsStayWhereTheyAre() throws {
    let predictor = try Predictor(model: try Self.model())
    predictor.choosesWeightPlacement = false
    predictor.placementTrialCalls = 2
    let x = Self.samples(1)
    let first = try Kernels.with(threads: 1) {
      _ = try predictor.predict(x, count: 1)
      let program = try #require(predictor.sampleProgram)
      for _ in 0..<5 { _ = try predictor.predict(x, count: 1) }
      return program.weights.pointer + program.weightsStart
    }
    let program = try #require(predictor.sampleProgram)
    #expect(program.placementTried == false)
    #expect(program.weights.pointer + program.weightsStart == first)
  }

  /// The trial waits for `Predictor.placementTrialCalls` calls (so a process
  /// that predicts a few samples never pays for it), and runs on one thread
  /// only: with several, each core streams its own part of the weights.
  @Test func noTrialBeforeTheCallsNorOnSeveralThreads() throws {
    let x = Self.samples(1)
    let early = try Predictor(model: try Self.model())
    #expect(early.placementTrialCalls == Predictor.placementTrialCalls)
    #expect(Predictor.placementTrialCalls >= 1_000)
    try Kernels.with(threads: 1) { for _ in 0..<5 { _ = try early.predict(x, count: 1) } }
    #expect(early.sampleProgram?.placementTried == false)

    let team = try Predictor(model: try Self.model())
    team.placementTrialCalls = 2
    try Kernels.with(threads: 2) { for _ in 0..<5 { _ = try team.predict(x, count: 1) } }
    #expect(team.sampleProgram?.parts == 2)
    #expect(team.sampleProgram?.placementTried == false)
  }

  /// Weights well inside the L2 cache stream at its speed wherever they lie.
  @Test func smallNetworksAreNotTried() throws {
    let network = try NetworkDescription(layerSpecification: "64,32:relu,10:softmax")
    let predictor = try Predictor(model: try Model(initializing: network, seed: 43))
    predictor.placementTrialCalls = 2
    try Kernels.with(threads: 1) {
      for _ in 0..<5 { _ = try predictor.predict([Float](repeating: 0.25, count: 64), count: 1) }
    }
    #expect(predictor.sampleProgram?.placementMatters == false)
    #expect(predictor.sampleProgram?.placementTried == false)
  }
}
