/// Nadam's running product of momentum coefficients, Keras' `u_product`
/// (`keras/src/optimizers/nadam.py`): before update t = iterations + 1 it is
/// multiplied by μₜ = β₁(1 − ½·0.96ᵗ), in the weights' precision.
///
/// Keras keeps the product as an optimizer variable; bpkit recomputes it from
/// the step count, so a checkpoint needs nothing more than `iterations` and
/// a resumed run multiplies the same factors in the same order.
struct NadamMomentumProduct<S: BLASScalar> {
  /// The step the product covers (∏ μₖ for k = 1…step).
  private(set) var step: Int64 = 0
  /// The product so far.
  private(set) var value: S = 1
  private let beta1: Double

  init(beta1: Double) { self.beta1 = beta1 }

  /// μₜ = β₁(1 − ½·0.96ᵗ) in precision `S`, the power by repeated squaring.
  static func momentum(_: S.Type, beta1: Double, step t: Double) -> S {
    S(beta1) * (1 - S(0.5) * S(integerPower(Double(S(0.96)), t)))
  }

  /// The product through step `t`, advancing (or, after a jump, recomputing) from the last one.
  mutating func product(through t: Int64) -> S {
    if t < step {
      step = 0
      value = 1
    }
    while step < t {
      step += 1
      value = value * Self.momentum(S.self, beta1: beta1, step: Double(S(Double(step))))
    }
    return value
  }
}
