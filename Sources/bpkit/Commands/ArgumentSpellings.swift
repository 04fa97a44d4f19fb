import ArgumentParser
import BPKit

/// The spelling of losses on the command line, the same in every subcommand:
/// hyphens or underscores (`cross-entropy`, `cross_entropy`), any case.
enum LossOption: String, ExpressibleByArgument, CaseIterable {
  case crossEntropy = "cross-entropy"
  case binaryCrossEntropy = "binary-cross-entropy"
  case mse
  case mae
  case huber

  init?(argument: String) {
    let spelled = argument.lowercased().replacingOccurrences(of: "_", with: "-")
    switch spelled {
    case "categorical-cross-entropy", "categorical-crossentropy", "crossentropy": self = .crossEntropy
    case "binary-crossentropy": self = .binaryCrossEntropy
    case "mean-squared-error": self = .mse
    case "mean-absolute-error": self = .mae
    case "huber-loss": self = .huber
    default: self.init(rawValue: spelled)
    }
  }

  var loss: Loss {
    switch self {
    case .crossEntropy: .categoricalCrossEntropy
    case .binaryCrossEntropy: .binaryCrossEntropy
    case .mse: .meanSquaredError
    case .mae: .meanAbsoluteError
    case .huber: .huber
    }
  }
}

/// Optimizer names in any case (`Adam`, `SGD`, `rmsprop`).
extension DType: ExpressibleByArgument {}

extension OptimizerKind: ExpressibleByArgument {
  public init?(argument: String) {
    self.init(rawValue: argument.lowercased())
  }
}
