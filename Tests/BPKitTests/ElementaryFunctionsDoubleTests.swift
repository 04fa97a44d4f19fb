import Crypto
import Foundation
import Testing

@testable import BPKit

/// bpkit's own e^x, log x, log(1 + x), tanh x and cos 2πu for Double:
/// within about one unit in the last place of the C library's, exact at the
/// special values, and pinned to their bits through the normal draws of
/// ``Xoshiro256StarStar``, which a fresh initialisation uses.
@Suite struct ElementaryFunctionsDoubleTests {
  /// The distance in units in the last place between two Doubles of the same sign.
  static func ulps(_ value: Double, _ truth: Double) -> Int64 {
    if value == truth { return 0 }
    return abs(Int64(bitPattern: value.bitPattern) &- Int64(bitPattern: truth.bitPattern))
  }

  @Test func expIsWithinOneUnitInTheLastPlace() {
    var worst: Int64 = 0
    var x = -745.0
    while x < 709.7 {
      worst = max(worst, Self.ulps(ElementaryFunctions.exp(x), Foundation.exp(x)))
      x += 0.007_31
    }
    var small = 1e-300
    while small < 1 {
      worst = max(worst, Self.ulps(ElementaryFunctions.exp(small), Foundation.exp(small)))
      worst = max(worst, Self.ulps(ElementaryFunctions.exp(-small), Foundation.exp(-small)))
      small *= 1.37
    }
    #expect(worst <= 1, "worst error \(worst) ulp")
  }

  @Test func erfIsWithinTwoUnitsInTheLastPlace() {
    var worst: Int64 = 0
    var x = -7.0
    while x < 7 {
      worst = max(worst, Self.ulps(ElementaryFunctions.erf(x), Foundation.erf(x)))
      x += 0.001_37
    }
    var small = 1e-300
    while small < 1 {
      worst = max(worst, Self.ulps(ElementaryFunctions.erf(small), Foundation.erf(small)))
      worst = max(worst, Self.ulps(ElementaryFunctions.erf(-small), Foundation.erf(-small)))
      small *= 1.37
    }
    #expect(worst <= 2, "worst error \(worst) ulp")
    #expect(ElementaryFunctions.erf(0.0) == 0)
    #expect(ElementaryFunctions.erf(6.0) == 1)
    #expect(ElementaryFunctions.erf(-Double.infinity) == -1)
    #expect(ElementaryFunctions.erf(Double.nan).isNaN)
  }

  @Test func expSpecialValues() {
    #expect(ElementaryFunctions.exp(0.0) == 1)
    #expect(ElementaryFunctions.exp(710.0) == .infinity)
    #expect(ElementaryFunctions.exp(Double.infinity) == .infinity)
    #expect(ElementaryFunctions.exp(-Double.infinity) == 0)
    #expect(ElementaryFunctions.exp(-800.0) == 0)
    #expect(ElementaryFunctions.exp(Double.nan).isNaN)
    #expect(ElementaryFunctions.exp(709.78) < .infinity)
    // Subnormal results are rounded once.
    #expect(Self.ulps(ElementaryFunctions.exp(-740.0), Foundation.exp(-740.0)) <= 1)
  }

  @Test func logIsWithinOneUnitInTheLastPlace() {
    var worst: Int64 = 0
    var bits: UInt64 = 1
    // About 52,000 positive finite Doubles spread over every binade, subnormals included.
    while bits < Double.infinity.bitPattern {
      let x = Double(bitPattern: bits)
      worst = max(worst, Self.ulps(ElementaryFunctions.log(x), Foundation.log(x)))
      bits += 0x0000_9FFF_FFFF_FFF1
    }
    // Near 1, where log is small and each form of fdlibm's is used.
    var x = 0.5
    while x < 2 {
      worst = max(worst, Self.ulps(ElementaryFunctions.log(x), Foundation.log(x)))
      x += 0.000_013_7
    }
    #expect(worst <= 1, "worst error \(worst) ulp")
  }

  @Test func logSpecialValues() {
    #expect(ElementaryFunctions.log(1.0) == 0)
    #expect(ElementaryFunctions.log(2.0) == Foundation.log(2.0))
    #expect(ElementaryFunctions.log(0.0) == -.infinity)
    #expect(ElementaryFunctions.log(Double.infinity) == .infinity)
    #expect(ElementaryFunctions.log(-1.0).isNaN)
    #expect(ElementaryFunctions.log(Double.nan).isNaN)
  }

  @Test func log1pAndTanhAreAccurate() {
    var worstLog1p: Int64 = 0
    var worstTanh: Int64 = 0
    var x = 1e-300
    while x < 1e300 {
      worstLog1p = max(worstLog1p, Self.ulps(ElementaryFunctions.log1p(x), Foundation.log1p(x)))
      let negative = -x / (1 + x)
      worstLog1p = max(worstLog1p, Self.ulps(ElementaryFunctions.log1p(negative), Foundation.log1p(negative)))
      worstTanh = max(worstTanh, Self.ulps(ElementaryFunctions.tanh(x), Foundation.tanh(x)))
      worstTanh = max(worstTanh, Self.ulps(ElementaryFunctions.tanh(-x), Foundation.tanh(-x)))
      x *= 1.013_7
    }
    #expect(worstLog1p <= 2, "log1p: worst error \(worstLog1p) ulp")
    #expect(worstTanh <= 3, "tanh: worst error \(worstTanh) ulp")
    #expect(ElementaryFunctions.log1p(0.0) == 0)
    #expect(ElementaryFunctions.log1p(-1.0) == -.infinity)
    #expect(ElementaryFunctions.tanh(0.0) == 0)
    #expect(ElementaryFunctions.tanh(30.0) == 1)
    #expect(ElementaryFunctions.tanh(-Double.infinity) == -1)
    #expect(ElementaryFunctions.tanh(Double.nan).isNaN)
  }

  @Test func cosTwoPiIsCosineOfTwoPiTimesItsArgument() {
    var worst = 0.0
    var u = 0.0
    while u < 1 {
      worst = max(worst, abs(ElementaryFunctions.cosTwoPi(u) - Foundation.cos(2 * Double.pi * u)))
      u += 0.000_007_3
    }
    // The C library's cos(2π·u) itself errs by up to 2π·u's rounding, 7·10⁻¹⁶.
    #expect(worst < 1.5e-15, "worst difference \(worst)")
    #expect(ElementaryFunctions.cosTwoPi(0) == 1)
    #expect(ElementaryFunctions.cosTwoPi(0.5) == -1)
    #expect(ElementaryFunctions.cosTwoPi(0.25) == 0)
    #expect(ElementaryFunctions.cosTwoPi(0.75) == 0)
    #expect(ElementaryFunctions.cosTwoPi(3) == 1)
    #expect(ElementaryFunctions.cosTwoPi(.infinity).isNaN)
  }

  /// The first 4,096 normal draws from seed 1, as bit patterns: they depend
  /// on bpkit's own log and cos 2π· only, so this fingerprint holds with any
  /// C library. It changes only when those functions change on purpose.
  @Test func normalDrawsHaveTheirCommittedBits() {
    var random = Xoshiro256StarStar(seed: 1)
    var bytes: [UInt8] = []
    for _ in 0..<4096 { withUnsafeBytes(of: random.nextNormal().bitPattern.littleEndian) { bytes += $0 } }
    let hash = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    #expect(hash == Self.normalDrawsHash)
  }

  static let normalDrawsHash = "69ea822c30375af2ed4f501e31b98fb19ca6624a7b842e0ae211976b6fc874f5"
}
