import BPKit
import Testing

@Suite struct FeatureStatisticsTests {
  @Test func meanAndStandardDeviationPerFeatureInBlocks() {
    var whole = FeatureStatistics(features: 2)
    whole.add([1, 10, 3, 10, 5, 40] as [Float])
    var blocks = FeatureStatistics(features: 2)
    blocks.add([1, 10] as [Float])
    blocks.add([3, 10, 5, 40] as [Float])
    #expect(whole.count == 3)
    #expect(whole.mean == [3, 20])
    #expect(abs(whole.standardDeviation[0] - (8.0 / 3).squareRoot()) < 1e-15)
    #expect(abs(whole.standardDeviation[1] - Double(200).squareRoot()) < 1e-13)
    #expect(blocks.mean == whole.mean)
    #expect(blocks.standardDeviation == whole.standardDeviation)
  }
}
