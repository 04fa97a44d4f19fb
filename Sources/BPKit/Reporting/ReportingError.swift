import Foundation

/// A file that cannot be shown the way asked.
package enum ReportingError: Error, Hashable, Sendable, CustomStringConvertible, LocalizedError {
  /// The file holds no training history to plot: it is a model, not a checkpoint.
  case noHistory(file: String, kind: String)
  /// The checkpoint was written before its first epoch ended.
  case noCompletedEpoch(file: String)
  /// Accuracy was asked for, but the run trained a network `output` with
  /// a `loss` that has no accuracy (not a classifier).
  case noAccuracy(file: String, output: String, loss: String)
  /// The report cannot be written where asked.
  case unwritable(file: String, reason: String)
  /// Classes were asked of a model that is not a classifier; `setting`
  /// names the request (`--argmax`), `kind` describes the model's outputs;
  /// `lossSetting`, when the file does not record the loss of its linear
  /// output, names how to give a from-logits loss (`--loss`).
  case notAClassifier(file: String, kind: String, setting: String, lossSetting: String?)
  /// More classes were asked for than the model has.
  case tooManyClasses(file: String, setting: String, asked: Int, classCount: Int)
  /// Fewer than one class was asked for.
  case noClassesAsked(setting: String, asked: Int)

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    switch self {
    case .noHistory(let file, let kind):
      "\(file) is a \(kind) file, which holds no training history; plot a checkpoint written by "
        + "'bpkit train --checkpoint FILE'"
    case .noCompletedEpoch(let file):
      "\(file) holds no completed epoch yet, so there is nothing to plot; plot it after its first epoch"
    case .noAccuracy(let file, let output, let loss):
      "--metric accuracy needs a classifier, and \(file) trained \(output) with \(loss) loss, which has no accuracy; "
        + "plot --metric loss"
    case .unwritable(let file, let reason):
      "cannot write \(file): \(reason); check that its folder exists and is writable"
    case .notAClassifier(let file, let kind, let setting, nil):
      "\(setting) needs a classifier, and \(file) is \(kind); leave \(setting) out to write its values"
    case .notAClassifier(let file, let kind, let setting, let lossSetting?):
      "\(setting) needs a classifier, and \(file) is \(kind) and does not record the loss that trained it; "
        + "if its outputs are logits, give \(lossSetting) cross-entropy-from-logits, "
        + "sparse-cross-entropy-from-logits or binary-cross-entropy-from-logits, else leave \(setting) out to "
        + "write its values"
    case .tooManyClasses(let file, let setting, let asked, let classCount):
      "\(setting) \(asked) exceeds the model's \(classCount) classes (\(file)); ask for at most \(classCount)"
    case .noClassesAsked(let setting, let asked):
      "\(setting) must be at least 1, not \(asked)"
    }
  }

  /// The same line as `description`, for `LocalizedError`.
  package var errorDescription: String? { description }
}
