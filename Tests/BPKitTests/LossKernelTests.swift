import Testing

@testable import BPKit

/// The values and gradients of the regression losses, by hand: the mean over
/// rows of the mean over outputs, as Keras' `sum_over_batch_size` reduces.
@Suite struct LossKernelTests {
  static func evaluate(_ loss: Loss, y: [Double], t: [Double], width: Int) -> (Double, [Double]) {
    var gradient = [Double](repeating: .nan, count: y.count)
    let totals = y.withUnsafeBufferPointer { yp in
      t.withUnsafeBufferPointer { tp in
        gradient.withUnsafeMutableBufferPointer {
          loss.evaluate(
            y: yp.baseAddress!, z: yp.baseAddress!, zStride: width, rows: y.count / width, width: width,
            targets: .values(tp.baseAddress!), gradient: $0.baseAddress!)
        }
      }
    }
    return (totals.sum / Double(y.count / width), gradient)
  }

  @Test func meanAbsoluteError() {
    let (value, gradient) = Self.evaluate(.meanAbsoluteError, y: [1, 2, 0.5, -1], t: [0, 2, 1, 1], width: 2)
    // Rows: (1 + 0)/2 and (0.5 + 2)/2, averaged.
    #expect(value == (0.5 + 1.25) / 2)
    #expect(gradient == [0.25, 0, -0.25, -0.25])
  }

  @Test func huberIsQuadraticWithinDeltaAndLinearBeyond() {
    let (value, gradient) = Self.evaluate(.huber, y: [0.5, 3, -2, 1], t: [0, 0, 0, 0], width: 2)
    // h(0.5) = 0.125, h(3) = 3 − 0.5, h(−2) = 2 − 0.5, h(1) = 0.5.
    #expect(value == ((0.125 + 2.5) / 2 + (1.5 + 0.5) / 2) / 2)
    #expect(gradient == [0.125, 0.25, -0.25, 0.25])
  }
}
