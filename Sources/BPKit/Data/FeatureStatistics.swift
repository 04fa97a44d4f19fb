/// Per-feature mean and standard deviation, accumulated in Float64 over
/// vectors seen a block at a time (samples, or samples × time steps).
package struct FeatureStatistics: Sendable {
  private var sum: [Double]
  private var squares: [Double]
  /// The number of vectors added.
  package private(set) var count = 0

  /// Statistics over vectors of `features` numbers.
  package init(features: Int) {
    sum = Array(repeating: 0, count: features)
    squares = Array(repeating: 0, count: features)
  }

  /// Adds row-major vectors of `features` numbers.
  package mutating func add<S: BinaryFloatingPoint>(_ values: [S]) {
    let features = sum.count
    guard features > 0 else { return }
    for offset in stride(from: 0, to: values.count - features + 1, by: features) {
      for feature in 0..<features {
        let value = Double(values[offset + feature])
        sum[feature] += value
        squares[feature] += value * value
      }
    }
    count += values.count / features
  }

  /// The mean of each feature.
  package var mean: [Double] { sum.map { $0 / Double(max(count, 1)) } }

  /// The (population) standard deviation of each feature.
  package var standardDeviation: [Double] {
    zip(squares, sum).map { squares, sum in
      let n = Double(max(count, 1))
      let mean = sum / n
      return max(0, squares / n - mean * mean).squareRoot()
    }
  }
}
