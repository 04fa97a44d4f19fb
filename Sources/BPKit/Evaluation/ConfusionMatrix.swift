/// Counts of predicted against true classes, for evaluating classifiers.
public struct ConfusionMatrix: Hashable, Sendable {
  /// The number of classes.
  public let classCount: Int
  /// `counts[truth * classCount + predicted]`.
  public private(set) var counts: [Int]

  /// An empty matrix for `classCount` classes.
  public init(classCount: Int) {
    self.classCount = classCount
    counts = Array(repeating: 0, count: classCount * classCount)
  }

  /// Records one sample.
  ///
  /// - Precondition: both classes are in `0..<classCount`.
  public mutating func record(truth: Int, predicted: Int) {
    counts[truth * classCount + predicted] += 1
  }

  /// The number of samples with true class `truth` predicted as `predicted`.
  public subscript(truth: Int, predicted: Int) -> Int { counts[truth * classCount + predicted] }

  /// The number of samples recorded.
  public var total: Int { counts.reduce(0, +) }

  /// The number predicted correctly.
  public var correct: Int { (0..<classCount).reduce(0) { $0 + self[$1, $1] } }

  /// The fraction predicted correctly (0 when empty).
  public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

  /// The matrix as text: one row per true class, one column per predicted class.
  public var table: String { table(classNames: nil) }

  /// The matrix as text, classes called by their names when given.
  public func table(classNames: [String]?) -> String {
    func label(_ index: Int) -> String {
      classNames.flatMap { $0.indices.contains(index) ? $0[index] : nil } ?? "\(index)"
    }
    let longest = (0..<classCount).map { label($0).count }.max() ?? 1
    let width = max(String(counts.max() ?? 0).count, longest, 4)
    let rowWidth = max(10, longest + 1)
    func cell(_ text: String) -> String { String(repeating: " ", count: width - text.count) + text }
    let corner = "true\\pred"
    var lines = [
      corner + String(repeating: " ", count: rowWidth - corner.count)
        + (0..<classCount).map { cell(label($0)) }.joined(separator: " ")
    ]
    for truth in 0..<classCount {
      let label = label(truth)
      lines.append(
        label + String(repeating: " ", count: max(0, rowWidth - label.count))
          + (0..<classCount).map { cell("\(self[truth, $0])") }.joined(separator: " "))
    }
    return lines.joined(separator: "\n")
  }
}
