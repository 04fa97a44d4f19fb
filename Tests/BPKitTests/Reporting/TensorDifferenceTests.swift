import BPKit
import Testing

@Suite struct TensorDifferenceTests {
  func tensor(_ scalars: [Float]) -> Tensor<Float> { Tensor(shape: [scalars.count], scalars: scalars) }

  @Test func identicalBitsAreIdenticalAndAgreeAtAnyTolerance() {
    let difference = TensorDifference(name: "d/kernel", tensor([1, -2, .nan]), tensor([1, -2, .nan]))
    #expect(difference.outcome == .identical)
    #expect(difference.agrees(tolerance: 0))
  }

  @Test func reportsTheLargestAbsoluteAndRelativeDifference() {
    let difference = TensorDifference(name: "d/bias", tensor([1, 4, 0, -0.5]), tensor([1, 5, 0.25, -0.5]))
    // |4 − 5| = 1 is the largest absolute difference; 0 against 0.25 is the
    // largest relative one: 0.25 / 0.25 = 1.
    #expect(difference.outcome == .different(maxAbsolute: 1, maxRelative: 1, differing: 2, count: 4))
    #expect(!difference.agrees(tolerance: 0))
    #expect(!difference.agrees(tolerance: 0.5))
    #expect(difference.agrees(tolerance: 1))
  }

  @Test func signedZerosDifferInBitsButNotInValue() {
    let difference = TensorDifference(name: "z", tensor([0]), tensor([-0.0]))
    #expect(difference.outcome == .different(maxAbsolute: 0, maxRelative: 0, differing: 1, count: 1))
    #expect(!difference.agrees(tolerance: 0), "tolerance 0 asks for identical bits")
  }

  @Test func aNaNFacingANumberIsAnInfiniteDifference() {
    let difference = TensorDifference(name: "n", tensor([.nan, 1]), tensor([2, 1]))
    #expect(
      difference.outcome == .different(maxAbsolute: .infinity, maxRelative: .infinity, differing: 1, count: 2))
    #expect(!difference.agrees(tolerance: 1e30))
  }

  @Test func shapesAndMissingTensors() {
    #expect(
      TensorDifference(name: "s", tensor([1, 2]), Tensor(shape: [2, 1], scalars: [1, 2])).outcome
        == .shapes([2], [2, 1]))
    #expect(TensorDifference(name: "a", tensor([1]), nil).outcome == .onlyInFirst)
    #expect(TensorDifference(name: "b", nil, tensor([1])).outcome == .onlyInSecond)
    #expect(!TensorDifference(name: "b", nil, tensor([1])).agrees(tolerance: 1))
  }
}
