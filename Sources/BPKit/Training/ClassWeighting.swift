import Foundation

/// How a run weighs each class's samples in its training loss, as Keras'
/// `model.fit(class_weight=...)` does (`bpkit train --class-weight`).
///
/// Keras turns class weights into per-sample weights: a sample's weight is
/// that of its class, found from its target (the label; the first largest
/// value of a one-hot or probability row; a one-value target rounded to 0
/// or 1), and a class it is not given weighs 1. The weighted loss of a batch
/// is Σ w_i·ℓ_i divided by the batch's size, not by Σ w_i (Keras 3's
/// `sum_over_batch_size`). Validation is not weighted.
public enum ClassWeighting: Hashable, Sendable {
  /// Keras' and scikit-learn's "balanced": class c weighs n / (k·n_c), with
  /// n training samples, k the classes present among them and n_c the
  /// samples of class c (`sklearn.utils.class_weight.compute_class_weight`).
  /// A class with no training sample weighs 1.
  case balanced
  /// Weights by class index; a class not named weighs 1, as in Keras.
  case given([Int: Double])

  /// Reads `--class-weight`'s text: `auto` (or `balanced`) for ``balanced``,
  /// or `CLASS:WEIGHT` pairs separated by commas, such as `0:1,1:5`.
  ///
  /// - Throws: ``BPKitError/Code/invalidSetting`` for text of another form,
  ///   a class named twice, or a weight that is negative or not finite.
  public init(specification: String) throws(BPKitError) {
    do {
      self = try Self.parse(specification)
    } catch {
      throw BPKitError(error)
    }
  }

  private static func parse(_ text: String) throws(TrainingError) -> ClassWeighting {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed == "auto" || trimmed == "balanced" { return .balanced }
    var weights: [Int: Double] = [:]
    for pair in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
      let parts = pair.split(separator: ":", omittingEmptySubsequences: false)
      guard parts.count == 2, let index = Int(parts[0].trimmingCharacters(in: .whitespaces)), index >= 0,
        let weight = Double(parts[1].trimmingCharacters(in: .whitespaces))
      else {
        throw .invalidSetting(
          "--class-weight takes auto or CLASS:WEIGHT pairs such as 0:1,1:5 (classes from 0), not '\(text)'")
      }
      guard weight >= 0 && weight.isFinite else {
        throw .invalidSetting("--class-weight: the weight of class \(index) must be a number >= 0, not \(parts[1])")
      }
      guard weights.updateValue(weight, forKey: index) == nil else {
        throw .invalidSetting("--class-weight names class \(index) twice; give each class once")
      }
    }
    return .given(weights)
  }

  /// The number of classes class weights index for `loss` on an output of
  /// `width` units: 2 for a one-unit output (classes 0 and 1), else `width`.
  public static func classCount(outputWidth width: Int) -> Int { width == 1 ? 2 : width }

  /// One weight per class, for `counts` samples of each class in the
  /// training data.
  ///
  /// - Throws: ``TrainingError/invalidSetting(_:)`` naming `--class-weight`
  ///   when a given class is not one of the model's `counts.count` classes.
  func weights(counts: [Int]) throws(TrainingError) -> [Double] {
    var result = [Double](repeating: 1, count: counts.count)
    switch self {
    case .balanced:
      // n / (k·n_c), as compute_class_weight("balanced") over the classes present.
      let n = Double(counts.reduce(0, +))
      let present = Double(counts.filter { $0 > 0 }.count)
      for (c, count) in counts.enumerated() where count > 0 { result[c] = n / (present * Double(count)) }
    case .given(let weights):
      for (index, weight) in weights.sorted(by: { $0.key < $1.key }) {
        guard index < counts.count else {
          throw .invalidSetting(
            "--class-weight names class \(index), but the model has \(counts.count) classes (0 to \(counts.count - 1))")
        }
        result[index] = weight
      }
    }
    return result
  }

  /// The class of each of `count` targets `width` values wide, by Keras'
  /// rule: a one-value target (a label, or 0 or 1) rounded half to even, as
  /// `np.round`; else the first largest value's index.
  static func classes(of targets: UnsafeBufferPointer<Float>, width: Int, count: Int) -> [Int] {
    (0..<count).map { r in
      if width == 1 { return Int(exactly: targets[r].rounded(.toNearestOrEven)) ?? -1 }
      var best = 0
      for j in 1..<width where targets[r * width + j] > targets[r * width + best] { best = j }
      return best
    }
  }

  /// Refuses class weights that cannot weigh `loss` on `plan`'s output.
  static func check(_ weights: [Double], loss: Loss, plan: NetworkPlan) throws(EngineError) {
    if loss.isRegression { throw .classWeightsNeedClassifier(loss) }
    if plan.outputIsSequence { throw .classWeightsForSequence }
    let classes = classCount(outputWidth: plan.outputWidth)
    guard weights.count == classes else { throw .classWeightCount(expected: classes, actual: weights.count) }
    if let bad = weights.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
      throw .invalidClassWeight(classIndex: bad, weight: weights[bad])
    }
  }
}
