/// A learning rate that follows the optimizer's step count, as Keras 3's
/// `keras.optimizers.schedules` compute it (`learning_rate_schedule.py`).
///
/// The rate of an update is the schedule at the number of updates applied
/// before it (Keras' `iterations`), so a run resumed from its checkpoint, whose
/// step count is stored, continues on the same rates. Every value is computed
/// in Double with bpkit's own `exp`, `log` and `cos` (the same bits with every
/// C library), then rounded to the weights' precision as Keras casts it.
public enum LearningRateSchedule: Hashable, Sendable, Codable {
  /// `initial · rate^(step / decaySteps)`, with the exponent floored when
  /// `staircase` (Keras' `ExponentialDecay`).
  case exponentialDecay(initialLearningRate: Double, decaySteps: Double, decayRate: Double, staircase: Bool)
  /// `values[0]` while step ≤ `boundaries[0]`, `values[i]` while
  /// `boundaries[i-1]` < step ≤ `boundaries[i]`, the last value after the last
  /// boundary (Keras' `PiecewiseConstantDecay`).
  case piecewiseConstantDecay(boundaries: [Double], values: [Double])
  /// `initial / (1 + rate · step / decaySteps)`, floored when `staircase`
  /// (Keras' `InverseTimeDecay`).
  case inverseTimeDecay(initialLearningRate: Double, decaySteps: Double, decayRate: Double, staircase: Bool)
  /// `(initial − end) · (1 − step / decaySteps)^power + end`, the step held at
  /// `decaySteps`, or with `cycle` the horizon stretched to the next multiple
  /// of `decaySteps` (Keras' `PolynomialDecay`).
  case polynomialDecay(
    initialLearningRate: Double, decaySteps: Double, endLearningRate: Double, power: Double, cycle: Bool)
  /// Half a cosine from the start rate down to `alpha` times it over
  /// `decaySteps`, after a linear warmup from `initialLearningRate` to
  /// `warmupTarget` over `warmupSteps` when a target is given (Keras' `CosineDecay`).
  case cosineDecay(
    initialLearningRate: Double, decaySteps: Double, alpha: Double, warmupTarget: Double?, warmupSteps: Double)

  /// Keras' class name of the schedule (`ExponentialDecay`, ...).
  public var kerasClassName: String {
    switch self {
    case .exponentialDecay: "ExponentialDecay"
    case .piecewiseConstantDecay: "PiecewiseConstantDecay"
    case .inverseTimeDecay: "InverseTimeDecay"
    case .polynomialDecay: "PolynomialDecay"
    case .cosineDecay: "CosineDecay"
    }
  }

  /// The rate at step 0.
  public var initialLearningRate: Double { learningRate(atStep: 0) }

  /// The learning rate of the update that follows `step` updates.
  public func learningRate(atStep step: Int64) -> Double {
    let t = Double(step)
    switch self {
    case .exponentialDecay(let initial, let decaySteps, let rate, let staircase):
      let p = staircase ? (t / decaySteps).rounded(.down) : t / decaySteps
      return initial * Self.power(rate, p)
    case .piecewiseConstantDecay(let boundaries, let values):
      // Keras sums one indicator per interval; exactly one is 1.
      if let index = boundaries.firstIndex(where: { t <= $0 }) { return values[index] }
      return values[values.count - 1]
    case .inverseTimeDecay(let initial, let decaySteps, let rate, let staircase):
      let p = staircase ? (t / decaySteps).rounded(.down) : t / decaySteps
      return initial / (1 + rate * p)
    case .polynomialDecay(let initial, let decaySteps, let end, let power, let cycle):
      var horizon = decaySteps
      var s = t
      if cycle {
        horizon = decaySteps * (t == 0 ? 1 : (t / decaySteps).rounded(.up))
      } else {
        s = min(t, decaySteps)
      }
      return (initial - end) * Self.power(1 - s / horizon, power) + end
    case .cosineDecay(let initial, let decaySteps, let alpha, let warmupTarget, let warmupSteps):
      func decayed(_ s: Double, from start: Double) -> Double {
        // cos(π·s/decaySteps) = cos 2π·(s / (2·decaySteps)).
        let cosine = 0.5 * (1 + ElementaryFunctions.cosTwoPi(s / decaySteps / 2))
        return start * ((1 - alpha) * cosine + alpha)
      }
      guard let target = warmupTarget else { return decayed(min(t, decaySteps), from: initial) }
      let s = min(t, decaySteps + warmupSteps)
      if s < warmupSteps { return (target - initial) * (s / warmupSteps) + initial }
      return decayed(s - warmupSteps, from: target)
    }
  }

  /// xʸ for x ≥ 0 by bpkit's own exp and log, with 0⁰ = 1 and 0ʸ = 0 for y > 0.
  static func power(_ x: Double, _ y: Double) -> Double {
    if y == 0 || x == 1 { return 1 }
    if x == 0 { return y > 0 ? 0 : .infinity }
    return ElementaryFunctions.exp(y * ElementaryFunctions.log(x))
  }

  /// The problem with the schedule's values, as one sentence naming the
  /// setting by its Keras name; `nil` when every value is usable.
  public var problem: String? {
    func positive(_ name: String, _ value: Double) -> String? {
      value > 0 && value.isFinite ? nil : "\(kerasClassName) \(name) must be a number > 0, not \(value)"
    }
    func nonNegative(_ name: String, _ value: Double) -> String? {
      value >= 0 && value.isFinite ? nil : "\(kerasClassName) \(name) must be a number >= 0, not \(value)"
    }
    switch self {
    case .exponentialDecay(let initial, let steps, let rate, _), .inverseTimeDecay(let initial, let steps, let rate, _):
      return nonNegative("initial_learning_rate", initial) ?? positive("decay_steps", steps)
        ?? (self.kerasClassName == "ExponentialDecay"
          ? positive("decay_rate", rate) : nonNegative("decay_rate", rate))
    case .piecewiseConstantDecay(let boundaries, let values):
      guard values.count == boundaries.count + 1, !boundaries.isEmpty else {
        return "PiecewiseConstantDecay needs one more value than boundaries, and at least one boundary; "
          + "it has \(boundaries.count) boundaries and \(values.count) values"
      }
      guard boundaries.allSatisfy(\.isFinite), zip(boundaries, boundaries.dropFirst()).allSatisfy({ $0 < $1 }) else {
        return "PiecewiseConstantDecay boundaries must increase strictly: \(boundaries)"
      }
      return values.lazy.compactMap { nonNegative("values", $0) }.first
    case .polynomialDecay(let initial, let steps, let end, let power, _):
      return nonNegative("initial_learning_rate", initial) ?? positive("decay_steps", steps)
        ?? nonNegative("end_learning_rate", end) ?? nonNegative("power", power)
    case .cosineDecay(let initial, let steps, let alpha, let target, let warmup):
      return nonNegative("initial_learning_rate", initial) ?? positive("decay_steps", steps)
        ?? (alpha >= 0 && alpha <= 1 ? nil : "CosineDecay alpha must be in [0, 1], not \(alpha)")
        ?? target.flatMap { nonNegative("warmup_target", $0) } ?? nonNegative("warmup_steps", warmup)
    }
  }
}
