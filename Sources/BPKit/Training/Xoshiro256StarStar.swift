/// bpkit's random number generator: xoshiro256** (Blackman and Vigna, 2018,
/// <https://prng.di.unimi.it/xoshiro256starstar.c>), seeded by SplitMix64.
///
/// Its whole state is four 64-bit words (``RandomState``), so a checkpoint
/// stores it and a resumed run continues the same sequence. Every use bpkit
/// makes of it is spelled out here, so that results are reproducible bit for
/// bit from the seed:
///
/// - **Seeding**: the four words are four successive outputs of SplitMix64
///   (Steele, Lea and Flood, 2014) started at the seed:
///   `z = (x += 0x9E3779B97F4A7C15); z = (z ^ z >> 30) · 0xBF58476D1CE4E5B9;
///   z = (z ^ z >> 27) · 0x94D049BB133111EB; z ^ z >> 31`.
/// - ``nextDouble()``: `(next() >> 11) · 2⁻⁵³`, uniform in [0, 1).
/// - ``nextFloat()``: `(next() >> 40) · 2⁻²⁴`, uniform in [0, 1).
/// - ``nextIndex(below:)``: Lemire's multiply-and-reject method (2019), exact
///   uniform integers without division in the common case.
/// - ``nextNormal()``: Box–Muller, `√(−2 ln(1 − u₁)) · cos(2π u₂)` from two
///   ``nextDouble()`` draws; the sine half is discarded so that every normal
///   consumes exactly two words. ln and cos 2π· are bpkit's own (fdlibm's
///   polynomials, with 4u₂ split exactly into a quadrant and a remainder), not
///   the C library's, so a fresh initialisation is the same on every machine.
/// - ``shuffle(_:)``: Fisher–Yates from the back, `for i in (1..<n).reversed()
///   { swap(a[i], a[nextIndex(below: i + 1)]) }`.
public struct Xoshiro256StarStar: RandomNumberGenerator, Hashable, Sendable {
  private var s0, s1, s2, s3: UInt64

  /// Creates a generator whose state is derived from `seed` by SplitMix64.
  public init(seed: UInt64) {
    var x = seed
    func splitMix() -> UInt64 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s0 = splitMix()
    s1 = splitMix()
    s2 = splitMix()
    s3 = splitMix()
  }

  /// Restores a generator from a saved state.
  ///
  /// - Throws: ``BPKitError`` when the state does not have four words
  ///   or is all zeros (a state xoshiro never leaves).
  public init(state: RandomState) throws(BPKitError) {
    do {
      guard state.words.count == 4 else { throw RandomStateError.wrongWordCount(state.words.count) }
      guard state.words.contains(where: { $0 != 0 }) else { throw RandomStateError.allZero }
      s0 = state.words[0]
      s1 = state.words[1]
      s2 = state.words[2]
      s3 = state.words[3]

    } catch {
      throw BPKitError(error)
    }
  }

  /// The current state, to be saved and later passed to ``init(state:)``.
  public var state: RandomState { RandomState(words: [s0, s1, s2, s3]) }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotateLeft(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotateLeft(s3, 45)
    return result
  }

  @inline(__always)
  private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// A uniform number in [0, 1) with 53 random bits.
  public mutating func nextDouble() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A uniform number in [0, 1) with 24 random bits.
  public mutating func nextFloat() -> Float {
    Float(next() >> 40) * 0x1.0p-24
  }

  /// A uniform integer in `0..<bound`, by Lemire's method ("Fast random
  /// integer generation in an interval", ACM TOMACS 2019).
  ///
  /// - Precondition: `bound > 0`.
  public mutating func nextIndex(below bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    let range = UInt64(bound)
    var product = next().multipliedFullWidth(by: range)
    if product.low < range {
      let threshold = (0 &- range) % range
      while product.low < threshold {
        product = next().multipliedFullWidth(by: range)
      }
    }
    return Int(product.high)
  }

  /// A standard normal number (mean 0, variance 1), by Box–Muller.
  public mutating func nextNormal() -> Double {
    let u1 = 1 - nextDouble()
    let u2 = nextDouble()
    return (-2 * ElementaryFunctions.log(u1)).squareRoot() * ElementaryFunctions.cosTwoPi(u2)
  }

  /// Shuffles `indices` in place by Fisher–Yates from the back (see the type's
  /// documentation for the exact steps).
  public mutating func shuffle(_ indices: inout [Int]) {
    guard indices.count > 1 else { return }
    for i in stride(from: indices.count - 1, through: 1, by: -1) {
      indices.swapAt(i, nextIndex(below: i + 1))
    }
  }
}
