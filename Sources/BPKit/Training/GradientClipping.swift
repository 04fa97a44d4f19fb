/// Keras 3's gradient clipping (`_clip_gradients` in
/// `keras/src/optimizers/base_optimizer.py`), applied to the batch gradient
/// before weight decay and the update. At most one of the three is on.
struct GradientClipping {
  /// `clipnorm`: each weight tensor's gradient rescaled to an L2 norm of at most c.
  var norm: Double
  /// `clipvalue`: each element clipped to [−c, c].
  var value: Double
  /// `global_clipnorm`: all gradients rescaled together to a norm of at most c.
  var globalNorm: Double

  init(_ configuration: OptimizerConfiguration) {
    norm = configuration.clipNorm
    value = configuration.clipValue
    globalNorm = configuration.globalClipNorm
  }

  /// Clips `g` in place; `tensors` are the (offset, count) of each weight
  /// tensor in the flat gradient, in the model's order.
  func apply<S: BLASScalar>(to g: UnsafeMutablePointer<S>, tensors: [(offset: Int, count: Int)]) {
    if norm > 0 {
      // g·c / max(‖g‖, c) per tensor; a zero gradient stays as it is.
      let c = S(norm)
      for (offset, count) in tensors {
        let l2 = S(Self.squaredNorm(g + offset, count).squareRoot())
        let divisor = max(l2, c)
        for i in offset..<(offset + count) { g[i] = (g[i] * c) / divisor }
      }
    } else if globalNorm > 0 {
      // scale = c·min(1/‖g‖, 1/c) over every tensor (`clip_by_global_norm`);
      // a non-finite norm makes the scale NaN, as in Keras.
      let c = S(globalNorm)
      let total = tensors.reduce(0.0) { $0 + Self.squaredNorm(g + $1.offset, $1.count) }
      let l2 = S(total.squareRoot())
      let scale = c * min(1 / l2, 1 / c) + (l2 - l2)
      let end = tensors.last.map { $0.offset + $0.count } ?? 0
      for i in 0..<end { g[i] *= scale }
    } else if value > 0 {
      let c = S(value)
      let end = tensors.last.map { $0.offset + $0.count } ?? 0
      for i in 0..<end { g[i] = min(max(g[i], -c), c) }
    }
  }

  /// Σ g², summed in Double.
  private static func squaredNorm<S: BLASScalar>(_ g: UnsafeMutablePointer<S>, _ n: Int) -> Double {
    var sum = 0.0
    for i in 0..<n { sum += Double(g[i]) * Double(g[i]) }
    return sum
  }
}
