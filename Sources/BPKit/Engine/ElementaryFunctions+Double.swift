/// e^x, log x, log(1 + x), tanh x and cos 2πu for Double, bpkit's own, so that
/// gradient checks, the normal draws of a fresh initialisation and reported
/// losses give the same bits with every C library: only additions,
/// multiplications, divisions and bit operations, each rounded once in IEEE
/// 754 double precision, and no fused multiply-adds.
///
/// The polynomials are fdlibm's (Sun Microsystems, 1993, freely
/// redistributable: `e_exp.c`, `e_log.c`, and FreeBSD's `k_cos.c` and
/// `k_sin.c` by Bruce D. Evans), within one unit in the last place of the
/// true values (`ElementaryFunctionsDoubleTests` measures it). Coefficients
/// are given by their bit patterns, as fdlibm lists them.
extension ElementaryFunctions {
  /// e^x: x = k·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 in two parts), e^r by
  /// fdlibm's rational form 1 + r + r·c/(2 − c), then scaled by 2ᵏ in two
  /// exact steps so that subnormal results are rounded once.
  static func exp(_ x: Double) -> Double {
    if x.isNaN { return x }
    // Past ln(greatestFiniteMagnitude) the result overflows; below −745.14 it rounds to 0.
    if x > 709.782712893383973096 { return .infinity }
    if x < -745.13321910194110842 { return 0 }
    let ln2Hi = Double(bitPattern: 0x3FE6_2E42_FEE0_0000)
    let ln2Lo = Double(bitPattern: 0x3DEA_39EF_3579_3C76)
    let inverseLn2 = Double(bitPattern: 0x3FF7_1547_652B_82FE)
    // k = round(x / ln 2), to nearest even by adding 1.5·2⁵².
    let shifter = 6_755_399_441_055_744.0
    let k = x * inverseLn2 + shifter - shifter
    // hi is exact: ln2Hi has 32 trailing zero bits and |k| ≤ 1075.
    let hi = x - k * ln2Hi
    let lo = k * ln2Lo
    let r = hi - lo
    let t = r * r
    var p = Double(bitPattern: 0x3E66_3769_72BE_A4D0)
    p = p * t + Double(bitPattern: 0xBEBB_BD41_C5D2_6BF1)
    p = p * t + Double(bitPattern: 0x3F11_566A_AF25_DE2C)
    p = p * t + Double(bitPattern: 0xBF66_C16C_16BE_BD93)
    p = p * t + Double(bitPattern: 0x3FC5_5555_5555_553E)
    let c = r - t * p
    let y = 1 - ((lo - (r * c) / (2 - c)) - hi)
    // 2ᵏ as 2^(k/2) · 2^(k − k/2), both normal for k in [−1075, 1024].
    let n = Int64(k)
    let half = n >> 1
    let first = Double(bitPattern: UInt64(half + 1023) << 52)
    let second = Double(bitPattern: UInt64(n - half + 1023) << 52)
    return y * first * second
  }

  /// log x: x = 2ᵏ·(1 + f) with √½ ≤ 1 + f < √2, log(1 + f) from
  /// s = f / (2 + f) by fdlibm's degree-14 polynomial in s, plus k·ln 2 in
  /// two parts. Zero gives −∞, negative numbers NaN.
  static func log(_ x: Double) -> Double {
    if x.isNaN || x == .infinity { return x }
    if x < 0 { return .nan }
    if x == 0 { return -.infinity }
    // Subnormal inputs are scaled into the normal range first.
    let subnormal = x < Double.leastNormalMagnitude
    let bits = (subnormal ? x * 0x1p54 : x).bitPattern
    var k = Int64((bits >> 52) & 0x7FF) - 1023 - (subnormal ? 54 : 0)
    let high = (bits >> 32) & 0x000F_FFFF  // the significand's top 20 bits
    var m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
    // fdlibm moves significands from about √2 up (0x6A09C in the top bits) to [√½, 1).
    if high >= 0x6_A09C {
      m = m * 0.5
      k += 1
    }
    let f = m - 1
    let s = f / (2 + f)
    let z = s * s
    let w = z * z
    let t1 =
      w
      * (Double(bitPattern: 0x3FD9_9999_9997_FA04)
        + w * (Double(bitPattern: 0x3FCC_71C5_1D8E_78AF) + w * Double(bitPattern: 0x3FC3_9A09_D078_C69F)))
    let t2 =
      z
      * (Double(bitPattern: 0x3FE5_5555_5555_5593)
        + w
        * (Double(bitPattern: 0x3FD2_4924_9422_9359)
          + w * (Double(bitPattern: 0x3FC7_4664_96CB_03DE) + w * Double(bitPattern: 0x3FC2_F112_DF3E_5244))))
    let r = t2 + t1
    let dk = Double(k)
    let ln2Hi = Double(bitPattern: 0x3FE6_2E42_FEE0_0000)
    let ln2Lo = Double(bitPattern: 0x3DEA_39EF_3579_3C76)
    // fdlibm's two forms, chosen by the same test on the significand's top bits.
    if (0x6_147A...0x6_B851).contains(high) {
      let hfsq = 0.5 * f * f
      if k == 0 { return f - (hfsq - s * (hfsq + r)) }
      return dk * ln2Hi - ((hfsq - (s * (hfsq + r) + dk * ln2Lo)) - f)
    }
    if k == 0 { return f - s * (f - r) }
    return dk * ln2Hi - ((s * (f - r) - dk * ln2Lo) - f)
  }

  /// log(1 + x) from ``log(_:)-(Double)`` with Goldberg's correction, as for Float.
  static func log1p(_ x: Double) -> Double {
    let u = 1 + x
    if u == 1 { return x }
    if u == .infinity || x.isNaN { return u }
    return log(u) * (x / (u - 1))
  }

  /// e^x − 1 by Kahan's formula (u − 1)·x / log u with u = e^x rounded,
  /// which cancels the rounding of u (Higham, "Accuracy and Stability of
  /// Numerical Algorithms", 2nd ed., §1.14.1).
  static func expm1(_ x: Double) -> Double {
    let u = exp(x)
    if u == 1 { return x }
    let um1 = u - 1
    if um1 == -1 { return -1 }
    if u == .infinity { return u }
    return um1 * x / log(u)
  }

  /// tanh x as fdlibm's `s_tanh.c` computes it from e^(2|x|) − 1.
  static func tanh(_ x: Double) -> Double {
    if x.isNaN { return x }
    let a = Swift.abs(x)
    let z: Double
    if a >= 22 {
      z = 1
    } else if a < 0x1p-55 {
      return x
    } else if a >= 1 {
      z = 1 - 2 / (expm1(2 * a) + 2)
    } else {
      let t = expm1(-2 * a)
      z = -t / (t + 2)
    }
    return x < 0 ? -z : z
  }

  /// cos 2πu, reduced exactly: 4u = q + r with q an integer and |r| ≤ ½, so
  /// cos 2πu = cos(q·π/2 + r·π/2), one of ±cos and ±sin of r·π/2 ∈ [−π/4, π/4].
  static func cosTwoPi(_ u: Double) -> Double {
    if !u.isFinite { return .nan }
    let t = 4 * u
    // The quadrant, exactly: beyond 2⁵² every t is an integer.
    let q = Swift.abs(t) < 0x1p52 ? t + 6_755_399_441_055_744.0 - 6_755_399_441_055_744.0 : t
    let x = (t - q) * Double(bitPattern: 0x3FF9_21FB_5444_2D18)
    let quadrant = Swift.abs(t) < 0x1p52 ? Int64(q) & 3 : 0
    switch quadrant {
    case 0: return cosKernel(x)
    case 1: return -sinKernel(x)
    case 2: return -cosKernel(x)
    default: return sinKernel(x)
    }
  }

  /// cos x for |x| ≤ π/4: FreeBSD's `__kernel_cos` with no tail.
  private static func cosKernel(_ x: Double) -> Double {
    let z = x * x
    let w = z * z
    let r =
      z
      * (Double(bitPattern: 0x3FA5_5555_5555_554C)
        + z * (Double(bitPattern: 0xBF56_C16C_16C1_5177) + z * Double(bitPattern: 0x3EFA_01A0_19CB_1590)))
      + w * w
      * (Double(bitPattern: 0xBE92_7E4F_809C_52AD)
        + z * (Double(bitPattern: 0x3E21_EE9E_BDB4_B1C4) + z * Double(bitPattern: 0xBDA8_FAE9_BE88_38D4)))
    let hz = 0.5 * z
    let v = 1 - hz
    return v + (((1 - v) - hz) + z * r)
  }

  /// sin x for |x| ≤ π/4: FreeBSD's `__kernel_sin` with no tail.
  private static func sinKernel(_ x: Double) -> Double {
    let z = x * x
    let w = z * z
    let r =
      Double(bitPattern: 0x3F81_1111_1110_F8A6)
      + z * (Double(bitPattern: 0xBF2A_01A0_19C1_61D5) + z * Double(bitPattern: 0x3EC7_1DE3_57B1_FE7D))
      + z * w * (Double(bitPattern: 0xBE5A_E5E6_8A2B_9CEB) + z * Double(bitPattern: 0x3DE5_D93A_5ACF_D57C))
    let v = z * x
    return x + v * (Double(bitPattern: 0xBFC5_5555_5555_5549) + z * r)
  }
}
