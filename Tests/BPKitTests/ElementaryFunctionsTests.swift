import Foundation
import Testing

@testable import BPKit

/// bpkit's own e^x, log x and log(1 + x) for Float: accurate to about one
/// unit in the last place, exact at the special values.
@Suite struct ElementaryFunctionsTests {
  /// The distance in units in the last place between `value` and the Float
  /// nearest to `truth`.
  static func ulps(_ value: Float, _ truth: Double) -> Int {
    let rounded = Float(truth)
    if value == rounded { return 0 }
    let a = Int64(value.bitPattern), b = Int64(rounded.bitPattern)
    return Int(abs(a - b))
  }

  @Test func expIsWithinOneUnitInTheLastPlace() {
    var worst = 0
    var x: Float = -103
    while x < 88.7 {
      worst = max(worst, Self.ulps(ElementaryFunctions.exp(x), Foundation.exp(Double(x))))
      x += 0.000_731
    }
    #expect(worst <= 1, "worst error \(worst) ulp")
  }

  @Test func expSpecialValues() {
    #expect(ElementaryFunctions.exp(Float(0)) == 1)
    #expect(ElementaryFunctions.exp(Float(89)) == .infinity)
    #expect(ElementaryFunctions.exp(Float.infinity) == .infinity)
    #expect(ElementaryFunctions.exp(-Float.infinity) == 0)
    #expect(ElementaryFunctions.exp(-Float(200)) == 0)
    #expect(ElementaryFunctions.exp(Float.nan).isNaN)
    // Subnormal results are rounded once.
    #expect(Self.ulps(ElementaryFunctions.exp(-100), Foundation.exp(-100.0)) <= 1)
    #expect(ElementaryFunctions.exp(88.72) < .infinity)
  }

  @Test func logIsWithinOneUnitInTheLastPlace() {
    var worst = 0
    var bits: UInt32 = 1
    // Every 4099th positive finite Float, subnormals included.
    while bits < Float.infinity.bitPattern {
      let x = Float(bitPattern: bits)
      worst = max(worst, Self.ulps(ElementaryFunctions.log(x), Foundation.log(Double(x))))
      bits += 4099
    }
    #expect(worst <= 1, "worst error \(worst) ulp")
  }

  @Test func logSpecialValues() {
    #expect(ElementaryFunctions.log(Float(1)) == 0)
    #expect(ElementaryFunctions.log(Float(0)) == -.infinity)
    #expect(ElementaryFunctions.log(Float.infinity) == .infinity)
    #expect(ElementaryFunctions.log(-Float(1)).isNaN)
    #expect(ElementaryFunctions.log(Float.nan).isNaN)
  }

  @Test func log1pIsAccurateForSmallAndLargeArguments() {
    var worst = 0
    var x: Float = 1e-30
    while x < 1e30 {
      worst = max(worst, Self.ulps(ElementaryFunctions.log1p(x), Foundation.log1p(Double(x))))
      worst = max(worst, Self.ulps(ElementaryFunctions.log1p(-x / (1 + x)), Foundation.log1p(Double(-x / (1 + x)))))
      x *= 1.0137
    }
    #expect(worst <= 2, "worst error \(worst) ulp")
    #expect(ElementaryFunctions.log1p(Float(0)) == 0)
    #expect(ElementaryFunctions.log1p(-Float(1)) == -.infinity)
  }
}
