/// tanh for Float as a rational function, the approximation Eigen (and so
/// TensorFlow) uses: `generic_fast_tanh_float` in Eigen's
/// `MathFunctionsImpl.h`, a [13/6] minimax fit on [−7.905, 7.905], outside
/// which tanh rounds to ±1 in Float32, and x itself below |x| < 0.0004.
///
/// It has no branches and no calls, so loops over it vectorise; libm's
/// `tanhf` costs tens of cycles per element, which dominated recurrent
/// training. Its error is within a few units in the last place.
@inline(__always)
func fastTanh(_ input: Float) -> Float {
  let x = Swift.min(Swift.max(input, -7.90531110763549805), 7.90531110763549805)
  let x2 = x * x
  var p: Float = -2.76076847742355e-16
  p = p * x2 + 2.00018790482477e-13
  p = p * x2 + -8.60467152213735e-11
  p = p * x2 + 5.12229709037114e-08
  p = p * x2 + 1.48572235717979e-05
  p = p * x2 + 6.37261928875436e-04
  p = p * x2 + 4.89352455891786e-03
  p = p * x
  var q: Float = 1.19825839466702e-06
  q = q * x2 + 1.18534705686654e-04
  q = q * x2 + 2.26843463243900e-03
  q = q * x2 + 4.89352518554385e-03
  return abs(input) < 0.0004 ? input : p / q
}
