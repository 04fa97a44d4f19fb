import Foundation

extension Evaluation {
  /// The figures as `bpkit infer --labels` prints them, one per line: the
  /// samples, the loss, the accuracy (classifiers), the mean absolute error
  /// and R² (regression), and the confusion matrix (classifiers).
  ///
  /// - Parameter classNames: The model's class names, to label the
  ///   confusion matrix; `nil` for class indices.
  /// - Returns: The lines, each ending in a line break.
  public func report(classNames: [String]?) -> String {
    var lines = [
      "samples: \(rows)", String(format: "loss (%@): %.6f", loss.rawValue, meanLoss),
    ]
    if let accuracy { lines.append(String(format: "accuracy: %.2f%%", accuracy * 100)) }
    if let meanAbsoluteError { lines.append(String(format: "mae: %.6f", meanAbsoluteError)) }
    if loss == .meanSquaredError {
      lines.append(rSquared.map { String(format: "r2: %.6f", $0) } ?? "r2: undefined (the targets are constant)")
    }
    if let confusion {
      lines.append(
        "confusion matrix (rows: true class, columns: predicted):\n" + confusion.table(classNames: classNames))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
