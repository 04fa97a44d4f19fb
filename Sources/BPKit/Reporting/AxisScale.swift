import Foundation

/// A linear axis with "nice" tick marks (steps of 1, 2 or 5 times a power of ten).
struct AxisScale {
  /// The value at the start and end of the axis.
  let lower: Double
  let upper: Double
  /// The tick values, from lower to upper.
  let ticks: [Double]

  /// A scale covering `minimum...maximum` with about `targetTicks` ticks.
  /// `minimumStep` keeps ticks apart (1 for whole numbers such as epochs).
  init(minimum: Double, maximum: Double, targetTicks: Int = 6, includesZero: Bool = false, minimumStep: Double = 0) {
    var low = includesZero ? min(0, minimum) : minimum
    var high = maximum
    if !(low.isFinite && high.isFinite) { (low, high) = (0, 1) }
    if high - low < 1e-12 * max(1, abs(high)) {
      let pad = max(abs(high) * 0.1, 0.5)
      (low, high) = (low - pad, high + pad)
      if includesZero { low = min(0, low) }
    }
    let step = max(Self.niceStep((high - low) / Double(max(targetTicks - 1, 1))), minimumStep)
    let start = (low / step).rounded(.down) * step
    let end = (high / step).rounded(.up) * step
    let count = Int(((end - start) / step).rounded()) + 1
    lower = start
    upper = end
    ticks = (0..<count).map { start + Double($0) * step }
  }

  /// The step of 1, 2 or 5 × 10^n nearest above `raw`.
  static func niceStep(_ raw: Double) -> Double {
    let magnitude = pow(10, (log10(raw)).rounded(.down))
    for factor in [1.0, 2, 5, 10] where raw <= factor * magnitude * (1 + 1e-9) { return factor * magnitude }
    return 10 * magnitude
  }

  /// The position of `value` between 0 (lower) and 1 (upper).
  func fraction(_ value: Double) -> Double { (value - lower) / (upper - lower) }

  /// A tick label with as few digits as the step needs.
  func label(_ value: Double) -> String {
    let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
    let decimals = max(0, Int((-log10(step)).rounded(.up)))
    if abs(value) >= 1e5 || (abs(value) < 1e-4 && value != 0) { return String(format: "%.1e", value) }
    return String(format: "%.\(decimals)f", value)
  }
}
