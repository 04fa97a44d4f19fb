/// e^x, log x and log(1 + x) for Float from fixed polynomials, so that they
/// give the same bits on every CPU and C library: only additions,
/// multiplications, one division and bit operations, each rounded once in
/// IEEE 754 single precision, and no fused multiply-adds the compiler could
/// form on one CPU and not another. Without branches on the data, their
/// loops vectorise.
///
/// The polynomials are Cephes' (Stephen L. Moshier, `expf.c` and `logf.c`),
/// within about one unit in the last place of the true values over the whole
/// range (`ElementaryFunctionsTests` measures it).
enum ElementaryFunctions {
  /// e^x: x = n·ln 2 + r with |r| ≤ ln 2 / 2 (Cody and Waite's two-part ln 2),
  /// e^r by a degree-7 polynomial, then scaled by 2ⁿ in two exact steps so
  /// that subnormal results are rounded once.
  @inline(__always)
  static func exp(_ x: Float) -> Float {
    // Above ln(Float.greatestFiniteMagnitude) the result overflows; below −104 it is 0.
    let clamped = Swift.min(Swift.max(x, -104), 88.72283935546875)
    // n = round(x / ln 2), to nearest even by adding 1.5·2²³.
    let shifter: Float = 12_582_912
    let shifted = clamped * 1.44269504088896341 + shifter
    let n = shifted - shifter
    var r = clamped - n * 0.693359375
    r = r - n * -2.12194440e-4
    let r2 = r * r
    var p: Float = 1.9875691500e-4
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * r2 + r + 1
    // 2ⁿ as 2^(n/2) · 2^(n − n/2), both normal for n in [−150, 128].
    let k = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
    let half = k >> 1
    let first = Float(bitPattern: UInt32(bitPattern: (half &+ 127) << 23))
    let second = Float(bitPattern: UInt32(bitPattern: (k &- half &+ 127) << 23))
    let result = y * first * second
    return x > 88.72283935546875 ? .infinity : x.isNaN ? x : result
  }

  /// log x: x = 2ᵉ·m with √½ ≤ m < √2, log(m) by a degree-9 polynomial in
  /// m − 1, plus e·ln 2 in two parts. Zero gives −∞, negative numbers NaN.
  @inline(__always)
  static func log(_ x: Float) -> Float {
    // Subnormal inputs are scaled into the normal range first.
    let subnormal = x < Float.leastNormalMagnitude
    let scaled = subnormal ? x * 8_388_608 : x
    let bits = Int32(bitPattern: scaled.bitPattern)
    var e = ((bits >> 23) & 0xFF) &- 126 &- (subnormal ? 23 : 0)
    // m in [0.5, 1), then moved to [√½, √2).
    var m = Float(bitPattern: UInt32(bitPattern: (bits & 0x007F_FFFF) | 0x3F00_0000))
    let low = m < 0.707106781186547524
    e = low ? e &- 1 : e
    m = low ? m + m - 1 : m - 1
    let z = m * m
    var p: Float = 7.0376836292e-2
    p = p * m + -1.1514610310e-1
    p = p * m + 1.1676998740e-1
    p = p * m + -1.2420140846e-1
    p = p * m + 1.4249322787e-1
    p = p * m + -1.6668057665e-1
    p = p * m + 2.0000714765e-1
    p = p * m + -2.4999993993e-1
    p = p * m + 3.3333331174e-1
    let fe = Float(e)
    var y = p * m * z
    y = y + fe * -2.12194440e-4
    y = y - 0.5 * z
    let result = m + y + fe * 0.693359375
    if x.isNaN || x == .infinity { return x }
    return x < 0 ? .nan : x == 0 ? -.infinity : result
  }

  /// log(1 + x) from ``log(_:)`` with Goldberg's correction: for u = 1 + x
  /// rounded, log(u)·x/(u − 1) cancels the rounding of u (D. Goldberg, "What
  /// every computer scientist should know about floating-point arithmetic",
  /// theorem 4).
  @inline(__always)
  static func log1p(_ x: Float) -> Float {
    let u = 1 + x
    if u == 1 { return x }
    if u == .infinity { return u }
    return log(u) * (x / (u - 1))
  }
}
