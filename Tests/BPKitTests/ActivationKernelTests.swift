import Foundation
import Testing

@testable import BPKit

/// Keras 3's activations in bpkit's kernels: the values of their textbook
/// formulas (computed here with the C library), the same in Float and Double
/// to Float's precision, in place as out of place, and row by row the same as
/// in a batch.
@Suite struct ActivationKernelTests {
  static let added: [Activation] = [
    .gelu, .geluTanh, .silu, .softplus, .softsign, .selu, .hardSilu, .relu6, .exponential, .mish, .logSoftmax,
  ]

  /// The definition, element by element, in Double with Foundation's functions.
  static func reference(_ activation: Activation, _ x: Double) -> Double {
    let softplus = Foundation.log1p(Foundation.exp(x))
    switch activation {
    case .gelu: return x / 2 * (1 + Foundation.erf(x / 2.0.squareRoot()))
    case .geluTanh: return x / 2 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    case .silu: return x / (1 + Foundation.exp(-x))
    case .softplus: return softplus
    case .softsign: return x / (1 + abs(x))
    case .selu:
      return 1.0507009873554804934193349852946 * (x > 0 ? x : 1.6732632423543772848170429916717 * Foundation.expm1(x))
    case .hardSilu: return x * min(max(x + 3, 0), 6) / 6
    case .relu6: return min(max(x, 0), 6)
    case .exponential: return Foundation.exp(x)
    case .mish: return x * Foundation.tanh(softplus)
    default: preconditionFailure("row-wise")
    }
  }

  static let inputs: [Double] = stride(from: -7.5, through: 7.5, by: 0.37).map { $0 } + [-3, 3, 0, 6, -1e-9, 1e-9]

  @Test(arguments: added.filter { !$0.isRowWise })
  func elementwiseValuesAreTheFormulas(activation: Activation) {
    var y = [Double](repeating: 0, count: Self.inputs.count)
    Self.inputs.withUnsafeBufferPointer { z in
      y.withUnsafeMutableBufferPointer { out in
        activation.forward(z.baseAddress!, into: out.baseAddress!, rows: 1, width: z.count, stride: z.count)
      }
    }
    for (x, value) in zip(Self.inputs, y) {
      let truth = Self.reference(activation, x)
      #expect(abs(value - truth) <= 1e-14 * max(1, abs(truth)), "\(activation.name)(\(x)) = \(value), not \(truth)")
    }
  }

  @Test func logSoftmaxIsTheLogarithmOfSoftmaxRowByRow() {
    let rows = 3
    let width = 5
    let z = (0..<(rows * width)).map { Double($0 % 7) * 1.3 - 4 + Double($0 / width) * 40 }
    var y = [Double](repeating: 0, count: z.count)
    var probabilities = y
    z.withUnsafeBufferPointer { zp in
      y.withUnsafeMutableBufferPointer {
        Activation.logSoftmax.forward(zp.baseAddress!, into: $0.baseAddress!, rows: rows, width: width, stride: width)
      }
      probabilities.withUnsafeMutableBufferPointer {
        Activation.softmax.forward(zp.baseAddress!, into: $0.baseAddress!, rows: rows, width: width, stride: width)
      }
    }
    for (logp, p) in zip(y, probabilities) { #expect(abs(logp - Foundation.log(p)) <= 1e-13) }
  }

  /// Float's kernels agree with Double's to Float's precision (fastTanh and
  /// the Float polynomials allow a few units in the last place).
  @Test(arguments: added)
  func floatAgreesWithDouble(activation: Activation) {
    let z = Self.inputs.prefix(40).map { $0 }
    var yd = [Double](repeating: 0, count: z.count)
    var yf = [Float](repeating: 0, count: z.count)
    let zf = z.map(Float.init)
    z.withUnsafeBufferPointer { zp in
      yd.withUnsafeMutableBufferPointer {
        activation.forward(zp.baseAddress!, into: $0.baseAddress!, rows: 5, width: 8, stride: 8)
      }
    }
    zf.withUnsafeBufferPointer { zp in
      yf.withUnsafeMutableBufferPointer {
        activation.forward(zp.baseAddress!, into: $0.baseAddress!, rows: 5, width: 8, stride: 8)
      }
    }
    for (f, d) in zip(yf, yd) {
      #expect(abs(Double(f) - d) <= 4e-6 * max(1, abs(d)), "\(activation.name): \(f) against \(d)")
    }
  }

  /// In place (z and y one buffer) gives the bits of out of place, forward
  /// and backward, and a row computed alone gives the bits it has in a batch
  /// or as a step inside a sequence buffer.
  @Test(arguments: added)
  func inPlaceAndRowByRowGiveTheSameBits(activation: Activation) {
    let rows = 4
    let width = 6
    let z = (0..<(rows * width)).map { Float(($0 * 37) % 23) * 0.41 - 4.5 }
    let dy = (0..<(rows * width)).map { Float(($0 * 11) % 13) * 0.1 - 0.6 }
    var y = [Float](repeating: 0, count: z.count)
    var dz = y
    z.withUnsafeBufferPointer { zp in
      y.withUnsafeMutableBufferPointer { yp in
        activation.forward(zp.baseAddress!, into: yp.baseAddress!, rows: rows, width: width, stride: width)
        dy.withUnsafeBufferPointer { dyp in
          dz.withUnsafeMutableBufferPointer {
            activation.backward(
              dyp.baseAddress!, z: zp.baseAddress!, y: UnsafePointer(yp.baseAddress!), into: $0.baseAddress!,
              rows: rows, width: width, stride: width)
          }
        }
      }
    }
    var inPlace = z
    inPlace.withUnsafeMutableBufferPointer {
      activation.forward(UnsafePointer($0.baseAddress!), into: $0.baseAddress!, rows: rows, width: width, stride: width)
    }
    #expect(inPlace.map(\.bitPattern) == y.map(\.bitPattern))
    var gradientInPlace = dy
    z.withUnsafeBufferPointer { zp in
      y.withUnsafeBufferPointer { yp in
        gradientInPlace.withUnsafeMutableBufferPointer {
          activation.backward(
            UnsafePointer($0.baseAddress!), z: zp.baseAddress!, y: yp.baseAddress!, into: $0.baseAddress!, rows: rows,
            width: width, stride: width)
        }
      }
    }
    #expect(gradientInPlace.map(\.bitPattern) == dz.map(\.bitPattern))
    // Row 2 alone, and as one step of a [rows, 2, width] buffer.
    var alone = [Float](repeating: 0, count: width)
    Array(z[(2 * width)..<(3 * width)]).withUnsafeBufferPointer { zp in
      alone.withUnsafeMutableBufferPointer {
        activation.forward(zp.baseAddress!, into: $0.baseAddress!, rows: 1, width: width, stride: width)
      }
    }
    #expect(alone.map(\.bitPattern) == y[(2 * width)..<(3 * width)].map(\.bitPattern))
    var sequence = [Float](repeating: 0, count: rows * 2 * width)
    for r in 0..<rows { for j in 0..<width { sequence[r * 2 * width + width + j] = z[r * width + j] } }
    sequence.withUnsafeMutableBufferPointer {
      let step = $0.baseAddress! + width
      activation.forward(UnsafePointer(step), into: step, rows: rows, width: width, stride: 2 * width)
    }
    for r in 0..<rows {
      #expect(
        sequence[(r * 2 * width + width)..<(r * 2 * width + 2 * width)].map(\.bitPattern)
          == y[(r * width)..<((r + 1) * width)].map(\.bitPattern))
    }
  }

  @Test func namesRoundTripAndKerasAliasesAreAccepted() {
    for activation in Activation.allDefaults { #expect(Activation(name: activation.name) == activation) }
    #expect(Activation(name: "swish") == .silu)
    #expect(Activation(name: "hard_swish") == .hardSilu)
    #expect(Activation.names.count == Set(Activation.names).count)
  }
}
