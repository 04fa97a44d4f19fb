import BPKit
import Testing

@Suite struct ConfusionMatrixTests {
  @Test func countsAndAccuracy() {
    var matrix = ConfusionMatrix(classCount: 3)
    for (truth, predicted) in [(0, 0), (1, 1), (1, 2), (2, 2), (2, 2)] {
      matrix.record(truth: truth, predicted: predicted)
    }
    #expect(matrix.total == 5)
    #expect(matrix.correct == 4)
    #expect(matrix.accuracy == 0.8)
    #expect(matrix[1, 2] == 1)
    #expect(matrix.table.split(separator: "\n").count == 4)
    #expect(matrix.table.split(separator: "\n")[3].hasSuffix("   0    0    2"))
  }
}
