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
  case crossEntropyFromLogits = "cross-entropy-from-logits"
  case binaryCrossEntropyFromLogits = "binary-cross-entropy-from-logits"
  case sparseCrossEntropy = "sparse-cross-entropy"
  case sparseCrossEntropyFromLogits = "sparse-cross-entropy-from-logits"

  init?(argument: String) {
    let spelled = argument.lowercased().replacingOccurrences(of: "_", with: "-")
    switch spelled {
    case "categorical-cross-entropy", "categorical-crossentropy", "crossentropy": self = .crossEntropy
    case "binary-crossentropy": self = .binaryCrossEntropy
    case "mean-squared-error": self = .mse
    case "mean-absolute-error": self = .mae
    case "huber-loss": self = .huber
    case "categorical-cross-entropy-from-logits", "categorical-crossentropy-from-logits", "crossentropy-from-logits":
      self = .crossEntropyFromLogits
    case "binary-crossentropy-from-logits": self = .binaryCrossEntropyFromLogits
    case "sparse-categorical-cross-entropy", "sparse-categorical-crossentropy", "sparse-crossentropy":
      self = .sparseCrossEntropy
    case "sparse-categorical-cross-entropy-from-logits", "sparse-categorical-crossentropy-from-logits",
      "sparse-crossentropy-from-logits":
      self = .sparseCrossEntropyFromLogits
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
    case .crossEntropyFromLogits: .categoricalCrossEntropyFromLogits
    case .binaryCrossEntropyFromLogits: .binaryCrossEntropyFromLogits
    case .sparseCrossEntropy: .sparseCategoricalCrossEntropy
    case .sparseCrossEntropyFromLogits: .sparseCategoricalCrossEntropyFromLogits
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
