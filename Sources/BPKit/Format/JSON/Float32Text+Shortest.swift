/// The shortest decimal that reads back as a given 32-bit float, found in
/// exact integer arithmetic and written straight into a byte buffer.
///
/// The search is Raffaello Giulietti's ("The Schubfach way to render
/// doubles", 2020): with k = ⌊log₁₀ 2^q⌋ for a float c·2^q, the interval of
/// decimals that round to the float, scaled by 10^−k, is between 1 and 10
/// wide, so it holds at most one multiple of 10 (the shortest candidate, if
/// there is one) and otherwise the integers ⌊v⌋ and ⌊v⌋ + 1 around the
/// scaled value v are the closest candidates of the shortest length. The
/// scaled bounds are computed exactly here (5^|k| is exact in 128 bits for
/// every k a float needs), rather than with Giulietti's rounded 10^−k, so
/// that every decision is exact by construction; the text is laid out as
/// `Float.description` lays it out (`Scripts/float32-exhaustive` compares
/// the two on all 2^32 bit patterns).
extension Float32Text {
  /// 5^0 to 5^45, exact (5^45 < 2^105).
  private static let exactPowersOfFive: [UInt128] = {
    var powers: [UInt128] = []
    var power: UInt128 = 1
    for _ in 0...45 {
      powers.append(power)
      power *= 5
    }
    return powers
  }()

  /// 5^0 to 5^27, the powers that fit in 64 bits (a literal, so reading
  /// one costs no lazy initialisation).
  private static let powersOfFive64: [UInt64] = [
    1, 5, 25, 125, 625, 3_125, 15_625, 78_125, 390_625, 1_953_125,
    9_765_625, 48_828_125, 244_140_625, 1_220_703_125, 6_103_515_625, 30_517_578_125, 152_587_890_625, 762_939_453_125,
    3_814_697_265_625,
    19_073_486_328_125, 95_367_431_640_625, 476_837_158_203_125, 2_384_185_791_015_625, 11_920_928_955_078_125,
    59_604_644_775_390_625, 298_023_223_876_953_125, 1_490_116_119_384_765_625, 7_450_580_596_923_828_125,
  ]

  /// ⌊log₁₀ 2^q⌋, or ⌊log₁₀ (3/4 · 2^q)⌋ for a power of two (whose lower
  /// neighbour is closer), for q from −149 to 104: 78,913 / 2^18 is log₁₀ 2
  /// and 32,748 / 2^18 is −log₁₀ (3/4) closely enough for every such q
  /// (`Float32TextTests` checks each against exact arithmetic).
  @inline(__always)
  static func decimalExponent(binaryExponent q: Int, closerBelow: Bool) -> Int {
    (q &* 78_913 &- (closerBelow ? 32_748 : 0)) >> 18
  }

  /// ⌊x · 2^(q−2) · 10^−k⌋ and whether it is exact, for x < 2^27.
  @inline(__always)
  private static func scaled(_ x: UInt64, binaryExponent q: Int, decimalExponent k: Int) -> (
    floor: UInt64, exact: Bool
  ) {
    if k > 0 {
      // x · 2^(q−2−k) / 5^k, with q − 2 − k ≥ 0 whenever k > 0.
      let (quotient, remainder) = (UInt128(x) << (q - 2 - k)).quotientAndRemainder(
        dividingBy: exactPowersOfFive[k])
      return (UInt64(truncatingIfNeeded: quotient), remainder == 0)
    }
    let power = exactPowersOfFive[-k]
    let shift = q - 2 - k
    if shift >= 0 { return (UInt64(truncatingIfNeeded: (UInt128(x) * power) << shift), true) }
    let right = -shift
    if power >> 64 == 0 {
      let product = UInt128(x) * power
      return (UInt64(truncatingIfNeeded: product >> right), product & ((1 << right) - 1) == 0)
    }
    // x · 5^|k| needs up to 132 bits: high and low halves of the power
    // apart. Here |k| ≥ 28, so the shift is at least 64.
    let low = UInt128(x) * (power & UInt128(UInt64.max))
    let high = UInt128(x) * (power >> 64) + (low >> 64)
    let rest = right - 64
    return (
      UInt64(truncatingIfNeeded: high >> rest), UInt64(truncatingIfNeeded: low) == 0 && high & ((1 << rest) - 1) == 0
    )
  }

  /// The shortest decimal digits × 10^exponent that round to the finite,
  /// non-zero magnitude whose bits are `bits` (sign cleared); the closest
  /// to it among those, ties to an even last digit.
  @inline(__always)
  static func shortestDecimal(bits: UInt32) -> (digits: UInt64, exponent: Int) {
    let field = Int(bits >> 23)
    let fraction = UInt64(bits & 0x7F_FFFF)
    let c = field == 0 ? fraction : fraction | 1 << 23
    let q = field == 0 ? -149 : field - 150
    // Decimals exactly halfway to a neighbour read back as this float when
    // its significand is even (round half to even).
    let even = c & 1 == 0
    let closerBelow = fraction == 0 && field > 1
    let cb = 4 * c
    let k = decimalExponent(binaryExponent: q, closerBelow: closerBelow)
    // The bounds and twice the value, scaled: x · 2^(q−2) · 10^−k for
    // x = 4c − 2 (4c − 1 for a power of two), 4c + 2 and 8c.
    let lower: (floor: UInt64, exact: Bool)
    let upper: (floor: UInt64, exact: Bool)
    let twice: (floor: UInt64, exact: Bool)
    let right = k - q + 2
    if k <= 0, k >= -27, right > 0 {
      // The common case (magnitudes from about 1e-19 to 1e8): 5^|k| fits in
      // 64 bits, so c · 5^|k| is one full-width product and each scaled
      // value is a 128-bit sum of it, shifted right.
      let power = powersOfFive64.withUnsafeBufferPointer { $0[-k] }
      let product = c.multipliedFullWidth(by: power)
      // Masking shifts (`&>>`): `right` is below 128 here, and the
      // checking forms would branch on it.
      let base = UInt128(product.high) &<< 64 | UInt128(product.low)
      let mask = (UInt128(1) &<< right) &- 1
      @inline(__always) func split(_ n: UInt128) -> (floor: UInt64, exact: Bool) {
        (UInt64(truncatingIfNeeded: n &>> right), n & mask == 0)
      }
      lower = split(base &<< 2 &- UInt128(power) &<< (closerBelow ? 0 : 1))
      upper = split(base &<< 2 &+ UInt128(power) &<< 1)
      twice = split(base &<< 3)
    } else {
      lower = scaled(closerBelow ? cb - 1 : cb - 2, binaryExponent: q, decimalExponent: k)
      upper = scaled(cb + 2, binaryExponent: q, decimalExponent: k)
      twice = scaled(2 * cb, binaryExponent: q, decimalExponent: k)
    }
    // Whether n lies inside the interval, bound by bound; written with
    // non-short-circuit operators so that the choice below has no branches.
    @inline(__always) func aboveLower(_ n: UInt64) -> Bool {
      (lower.floor < n) || ((lower.floor == n) && lower.exact && even)
    }
    @inline(__always) func belowUpper(_ n: UInt64) -> Bool {
      (upper.floor > n) || ((upper.floor == n) && (!upper.exact || even))
    }
    let s = twice.floor >> 1
    let shorterDown = s / 10 * 10
    let shorterUp = shorterDown + 10
    let downFits = aboveLower(shorterDown)
    let upFits = belowUpper(shorterUp)
    let sFits = aboveLower(s)
    let tFits = belowUpper(s + 1)
    // Both s and s + 1 in: the closer one; at an exact tie, the even one.
    let takeS = twice.floor < 2 * s + 1 || (twice.exact && s & 1 == 0)
    let closer = takeS ? s : s + 1
    let sameLength = sFits != tFits ? (sFits ? s : s + 1) : closer
    // One multiple of 10 in: it is shorter than s and s + 1.
    let digits = downFits != upFits ? (downFits ? shorterDown : shorterUp) : sameLength
    return (digits, k)
  }

  /// n < 10^8 as eight ASCII digits, the first in the lowest byte: each
  /// 32-bit lane splits by 100 and each 16-bit lane by 10 with a multiply
  /// and a shift (10,486 / 2^20 and 103 / 2^10 divide exactly in range).
  @inline(__always)
  static func eightDigits(_ n: UInt32) -> UInt64 {
    let fours = UInt64(n / 10_000) | UInt64(n % 10_000) << 32
    let hundreds = ((fours &* 10_486) >> 20) & 0x0000_007F_0000_007F
    let pairs = hundreds | (fours &- hundreds &* 100) << 16
    let tens = ((pairs &* 103) >> 10) & 0x000F_000F_000F_000F
    let singles = tens | (pairs &- tens &* 10) << 8
    return (singles | 0x3030_3030_3030_3030).littleEndian
  }

  /// Writes the shortest round-trip decimal of a finite `value` at `buffer`
  /// (at least ``maximumLength`` bytes) as `Float.description` writes it:
  /// `0.0`, `-0.0`, `0.001`, `123.25`, `16777216.0`, `1e-05`, `3.4028235e+38`.
  /// Returns the number of bytes written.
  @inline(__always)
  static func writeShortest(_ value: Float, to buffer: UnsafeMutablePointer<UInt8>) -> Int {
    let bits = value.bitPattern
    var next = buffer
    if bits >> 31 != 0 {
      next.pointee = UInt8(ascii: "-")
      next += 1
    }
    let magnitude = bits & 0x7FFF_FFFF
    if magnitude == 0 {
      next[0] = UInt8(ascii: "0")
      next[1] = UInt8(ascii: ".")
      next[2] = UInt8(ascii: "0")
      return buffer.distance(to: next) + 3
    }
    var (digits, exponent) = shortestDecimal(bits: magnitude)
    while digits % 10 == 0 {
      digits /= 10
      exponent += 1
    }
    // The digits, at most nine, right-aligned in a 16-byte scratch.
    var scratch: (UInt64, UInt64) = (0x3030_3030_3030_3030, 0)
    let count = withUnsafeMutableBytes(of: &scratch) { scratch in
      scratch.storeBytes(
        of: UInt8(truncatingIfNeeded: digits / 100_000_000) &+ UInt8(ascii: "0"), toByteOffset: 0, as: UInt8.self)
      scratch.storeBytes(
        of: eightDigits(UInt32(truncatingIfNeeded: digits % 100_000_000)), toByteOffset: 1, as: UInt64.self)
      var count = 9
      while count > 1, scratch[9 - count] == UInt8(ascii: "0") { count -= 1 }
      return count
    }
    // The decimal exponent of the first digit; past 2^24 `description`
    // always writes exponential form (`Float.description`'s rule).
    let leading = exponent + count - 1
    let field = magnitude >> 23
    let exponential = leading < -4 || field > 151 || (field == 151 && magnitude & 0x7F_FFFF != 0)
    return withUnsafeBytes(of: &scratch) { scratch in
      let first = scratch.baseAddress!.assumingMemoryBound(to: UInt8.self) + 9 - count
      if exponential {
        // "d.ddde-05", or "de+08" for one digit.
        next[0] = first[0]
        if count > 1 {
          next[1] = UInt8(ascii: ".")
          (next + 2).update(from: first + 1, count: count - 1)
          next += count + 1
        } else {
          next += 1
        }
        next[0] = UInt8(ascii: "e")
        next[1] = leading < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
        let magnitude = abs(leading)
        next[2] = UInt8(truncatingIfNeeded: magnitude / 10) &+ UInt8(ascii: "0")
        next[3] = UInt8(truncatingIfNeeded: magnitude % 10) &+ UInt8(ascii: "0")
        next += 4
      } else if leading < 0 {
        // "0.000ddd"
        next[0] = UInt8(ascii: "0")
        next[1] = UInt8(ascii: ".")
        next += 2
        for _ in 0..<(-leading - 1) {
          next.pointee = UInt8(ascii: "0")
          next += 1
        }
        next.update(from: first, count: count)
        next += count
      } else if leading + 1 < count {
        // "ddd.ddd"
        next.update(from: first, count: leading + 1)
        next[leading + 1] = UInt8(ascii: ".")
        (next + leading + 2).update(from: first + leading + 1, count: count - leading - 1)
        next += count + 1
      } else {
        // "ddd000.0"
        next.update(from: first, count: count)
        next += count
        for _ in 0..<(leading + 1 - count) {
          next.pointee = UInt8(ascii: "0")
          next += 1
        }
        next[0] = UInt8(ascii: ".")
        next[1] = UInt8(ascii: "0")
        next += 2
      }
      return buffer.distance(to: next)
    }
  }
}
