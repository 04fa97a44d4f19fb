import BPKit
import Testing
import _BPKitTestSupport

@Suite struct Xoshiro256StarStarTests {
  @Test func seedingUsesSplitMix64ReferenceValues() throws {
    // SplitMix64 from 1234567 yields 6457827717110365317, 3203168211198807973, …
    // (Vigna's reference splitmix64.c); those four words are the state.
    let random = Xoshiro256StarStar(seed: 1_234_567)
    #expect(
      random.state.words == [
        6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423, 4_593_380_528_125_082_431,
      ])
  }

  @Test func outputsFollowXoshiro256StarStar() {
    var random = Xoshiro256StarStar(seed: 1_234_567)
    #expect(
      [random.next(), random.next(), random.next()] == [
        3_504_822_795_582_309_479, 1_819_558_768_956_484_042, 1_250_851_346_055_027_673,
      ])
  }

  @Test func restoredStateContinuesTheSequence() throws {
    var original = Xoshiro256StarStar(seed: 42)
    for _ in 0..<10 { _ = original.next() }
    var restored = try Xoshiro256StarStar(state: original.state)
    for _ in 0..<100 { #expect(original.next() == restored.next()) }
  }

  @Test func invalidStatesAreRefused() {
    expectReason(RandomStateError.wrongWordCount(3)) {
      try Xoshiro256StarStar(state: RandomState(words: [1, 2, 3]))
    }
    expectReason(RandomStateError.allZero) { try Xoshiro256StarStar(state: RandomState(words: [0, 0, 0, 0])) }
  }

  @Test func uniformNumbersStayInTheUnitInterval() {
    var random = Xoshiro256StarStar(seed: 5)
    for _ in 0..<10_000 {
      let d = random.nextDouble()
      let f = random.nextFloat()
      #expect(d >= 0 && d < 1)
      #expect(f >= 0 && f < 1)
    }
  }

  @Test(arguments: [1, 2, 3, 7, 100, 1 << 40])
  func boundedIndicesStayBelowTheBound(bound: Int) {
    var random = Xoshiro256StarStar(seed: UInt64(bound))
    for _ in 0..<2_000 {
      let index = random.nextIndex(below: bound)
      #expect(index >= 0 && index < bound)
    }
  }

  @Test func shuffleIsADeterministicPermutation() {
    var a = Xoshiro256StarStar(seed: 9)
    var b = Xoshiro256StarStar(seed: 9)
    var first = Array(0..<1000)
    var second = Array(0..<1000)
    a.shuffle(&first)
    b.shuffle(&second)
    #expect(first == second)
    #expect(first != Array(0..<1000))
    #expect(first.sorted() == Array(0..<1000))
  }

  @Test func normalsHaveMeanZeroAndVarianceOne() {
    var random = Xoshiro256StarStar(seed: 11)
    let samples = (0..<20_000).map { _ in random.nextNormal() }
    let mean = samples.reduce(0, +) / Double(samples.count)
    let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(samples.count)
    #expect(abs(mean) < 0.03)
    #expect(abs(variance - 1) < 0.05)
  }
}
