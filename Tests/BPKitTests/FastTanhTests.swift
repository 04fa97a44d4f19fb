import Foundation
import Testing

@testable import BPKit

@Suite struct FastTanhTests {
  @Test func agreesWithLibmAcrossTheRange() {
    var worst: Float = 0
    var x: Float = -12
    while x <= 12 {
      worst = max(worst, abs(fastTanh(x) - Foundation.tanh(x)))
      x += 0.000_37
    }
    #expect(worst < 3e-7, "worst absolute error \(worst)")
    #expect(fastTanh(0) == 0)
    #expect(fastTanh(1e-5) == 1e-5)
    #expect(fastTanh(100) == 1 && fastTanh(-100) == -1)
  }
}
