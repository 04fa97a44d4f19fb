import BPKit
import Testing

@Suite struct FeatureStatisticsTests {
  @Test func meanAndStandardDeviationPerFeatureInBlocks() {
    var whole = FeatureStatistics(features: 2)
    whole.add([1, 10, 3, 10, 5, 40])
    var blocks = FeatureStatistics(features: 2)
    blocks.add([1, 10])
    blocks.add([3, 10, 5, 40])
    #expect(whole.count == 3)
    #expect(whole.mean == [3, 20])
    #expect(abs(whole.standardDeviation[0] - Float(8.0 / 3).squareRoot()) < 1e-6)
    #expect(abs(whole.standardDeviation[1] - Float(200).squareRoot()) < 1e-5)
    #expect(blocks.mean == whole.mean)
    #expect(blocks.standardDeviation == whole.standardDeviation)
  }
}
