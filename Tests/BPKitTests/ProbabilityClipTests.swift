import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@testable import BPKit

/// Keras' probability clip in the cross-entropies on probabilities
/// (`Loss.evaluate(probabilityClip:)`): bitwise the unclipped figures when
/// nothing is clipped, the clipped loss's exact gradient where something is,
/// and Keras' own continuation of a saturated run.
@Suite struct ProbabilityClipTests {
  /// Softmax rows (or sigmoids, `binary`) of `z`, in S, as the output layer computes them.
  static func probabilities<S: BLASScalar>(_ z: [S], width: Int, binary: Bool) -> [S] {
    if binary { return z.map { 1 / (1 + S.exp(-$0)) } }
    var y = z
    for r in 0..<(z.count / width) {
      let row = z[(r * width)..<((r + 1) * width)]
      let m = row.max()!
      let e = row.map { S.exp($0 - m) }
      let sum = e.reduce(0, +)
      for j in 0..<width { y[r * width + j] = e[j] / sum }
    }
    return y
  }

  /// The mean loss and its gradient with respect to z.
  static func evaluate<S: BLASScalar>(
    _ loss: Loss, z: [S], t: [S], labels: [Int]?, width: Int, clip: Double?
  ) -> (loss: Double, rows: [Double], gradient: [S]) {
    let binary = loss == .binaryCrossEntropy
    let y = probabilities(z, width: width, binary: binary)
    let rows = z.count / width
    var gradient = [S](repeating: .nan, count: z.count)
    var rowLosses = [Double](repeating: .nan, count: rows)
    let totals = y.withUnsafeBufferPointer { yp in
      z.withUnsafeBufferPointer { zp in
        t.withUnsafeBufferPointer { tp in
          (labels ?? []).withUnsafeBufferPointer { lp in
            gradient.withUnsafeMutableBufferPointer { g in
              rowLosses.withUnsafeMutableBufferPointer { rl in
                loss.evaluate(
                  y: yp.baseAddress!, z: zp.baseAddress!, zStride: width, rows: rows, width: width,
                  targets: labels == nil ? .values(tp.baseAddress!) : .labels(lp.baseAddress!),
                  gradient: g.baseAddress!, rowLosses: rl.baseAddress!, probabilityClip: clip)
              }
            }
          }
        }
      }
    }
    return (totals.sum / Double(rows), rowLosses, gradient)
  }

  /// Logits, one-hot (or soft) targets and labels, drawn from bpkit's generator.
  static func batch<S: BLASScalar>(
    rows: Int, width: Int, spread: Double, soft: Bool, seed: UInt64
  ) -> (z: [S], t: [S], labels: [Int]) {
    var random = Xoshiro256StarStar(seed: seed)
    let z = (0..<(rows * width)).map { _ in S(spread * (2 * random.nextDouble() - 1)) }
    var t = [S](repeating: 0, count: rows * width)
    var labels = [Int](repeating: 0, count: rows)
    for r in 0..<rows {
      labels[r] = random.nextIndex(below: width)
      if width == 1 {
        t[r] = S(random.nextDouble())
      } else if soft {
        let raw = (0..<width).map { _ in random.nextDouble() }
        let sum = raw.reduce(0, +)
        for j in 0..<width { t[r * width + j] = S(raw[j] / sum) }
      } else {
        t[r * width + labels[r]] = 1
      }
    }
    return (z, t, labels)
  }

  static let cases: [(Loss, soft: Bool, useLabels: Bool)] = [
    (.categoricalCrossEntropy, false, false), (.categoricalCrossEntropy, true, false),
    (.categoricalCrossEntropy, false, true), (.sparseCategoricalCrossEntropy, false, true),
    (.binaryCrossEntropy, true, false),
  ]

  @Test(arguments: 0..<cases.count)
  func nothingClippedIsBitwiseTheUnclippedLoss(index: Int) throws {
    let (loss, soft, useLabels) = Self.cases[index]
    let width = loss == .binaryCrossEntropy ? 1 : 4
    let (z, t, labels): ([Float], [Float], [Int]) = Self.batch(
      rows: 16, width: width, spread: 4, soft: soft, seed: 7)
    let y = Self.probabilities(z, width: width, binary: loss == .binaryCrossEntropy)
    try #require(y.allSatisfy { $0 >= Float(1e-7) && $0 <= Float(1 - 1e-7) })
    let plain = Self.evaluate(loss, z: z, t: t, labels: useLabels ? labels : nil, width: width, clip: nil)
    let clipped = Self.evaluate(loss, z: z, t: t, labels: useLabels ? labels : nil, width: width, clip: 1e-7)
    #expect(plain.loss.bitPattern == clipped.loss.bitPattern)
    #expect(plain.rows.map(\.bitPattern) == clipped.rows.map(\.bitPattern))
    #expect(plain.gradient.map(\.bitPattern) == clipped.gradient.map(\.bitPattern))
  }

  /// Fourth-order central differences of the clipped loss in Float64 against its gradient,
  /// with ε = 0.05 so that many probabilities are clipped, none within 1e-3 of a bound.
  @Test(arguments: 0..<cases.count)
  func clippedGradientMatchesCentralDifferences(index: Int) throws {
    let (loss, soft, useLabels) = Self.cases[index]
    let binary = loss == .binaryCrossEntropy
    let width = binary ? 1 : 4
    let epsilon = 0.05
    var z: [Double] = []
    var t: [Double] = []
    var labels: [Int] = []
    // The first seed whose probabilities all stay clear of the bounds.
    for seed in UInt64(1)...200 {
      (z, t, labels) = Self.batch(rows: 24, width: width, spread: 5, soft: soft, seed: seed)
      let y = Self.probabilities(z, width: width, binary: binary)
      if y.allSatisfy({ abs($0 - epsilon) > 1e-3 && abs($0 - (1 - epsilon)) > 1e-3 }) { break }
    }
    let y = Self.probabilities(z, width: width, binary: binary)
    try #require(y.allSatisfy { abs($0 - epsilon) > 1e-3 && abs($0 - (1 - epsilon)) > 1e-3 })
    let active = y.indices.filter { y[$0] < epsilon || y[$0] > 1 - epsilon }
    let mattering = active.filter { useLabels ? labels[$0 / width] == $0 % width : t[$0] != 0 }
    try #require(mattering.count >= 3, "the batch clips probabilities that the loss reads")
    let targetLabels = useLabels ? labels : nil
    let analytic = Self.evaluate(loss, z: z, t: t, labels: targetLabels, width: width, clip: epsilon).gradient
    let unclipped = Self.evaluate(loss, z: z, t: t, labels: targetLabels, width: width, clip: nil).gradient
    #expect(analytic != unclipped)
    let h = 1e-3
    var worst = 0.0
    // The fourth-order central difference (−L(z+2h) + 8L(z+h) − 8L(z−h) + L(z−2h))/12h.
    func lossValue(at i: Int, shift: Double) -> Double {
      var moved = z
      moved[i] += shift
      return Self.evaluate(loss, z: moved, t: t, labels: targetLabels, width: width, clip: epsilon).loss
    }
    for i in z.indices {
      let numerical =
        (-lossValue(at: i, shift: 2 * h) + 8 * lossValue(at: i, shift: h) - 8 * lossValue(at: i, shift: -h)
          + lossValue(at: i, shift: -2 * h)) / (12 * h)
      worst = max(worst, abs(numerical - analytic[i]) / max(abs(numerical), abs(analytic[i]), 1e-6))
    }
    #expect(worst <= 1e-6, "worst relative error \(worst)")
  }

  /// Continues the `saturated` Keras run (Fixtures/keras-logits) through the
  /// engine with ε = 1e-7 as Keras' JAX backend clips, and returns the
  /// largest difference from Keras' predictions.
  static func continueSaturated(_ suffix: String, epochs: Int, reference: String, clip: Double?) throws -> Float {
    let fixture = KerasContinuation(folder: "keras-logits", name: "saturated")
    let keras = try KerasModel(contentsOfFile: fixture.model(suffix))
    let optimizer = try #require(keras.optimizer)
    let loss = try #require(keras.loss)
    #expect(loss == .categoricalCrossEntropy)
    let engine = try TrainingEngine<Float>(model: keras.model, optimizer: optimizer, loss: loss)
    engine.probabilityClip = clip
    let x = try fixture.read("x")
    let y = try fixture.read("y")
    let samples = x.count / 4
    for _ in 0..<epochs {
      for start in stride(from: 0, to: samples, by: 8) {
        let count = min(8, samples - start)
        _ = try engine.step(
          inputs: Array(x[(start * 4)..<((start + count) * 4)]),
          targets: Array(y[(start * 3)..<((start + count) * 3)]), count: count)
      }
    }
    let predicted = try engine.model.predict(Tensor(shape: [samples, 4], scalars: x))
    return KerasContinuation.worst(predicted.scalars, try fixture.read(reference))
  }

  @Test(arguments: [
    ("keras", 1, "continued"), ("h5", 1, "continued"), ("start.keras", 2, "trained"), ("start.h5", 2, "trained"),
  ])
  func saturatedKerasRunContinuesAsKerasClips(suffix: String, epochs: Int, reference: String) throws {
    let clipped = try Self.continueSaturated(suffix, epochs: epochs, reference: reference, clip: 1e-7)
    #expect(clipped <= 1e-4, "\(suffix): \(clipped) from Keras' predictions")
    let unclipped = try Self.continueSaturated(suffix, epochs: epochs, reference: reference, clip: nil)
    #expect(unclipped > 1e-2, "\(suffix): without the clip \(unclipped) from Keras' predictions")
  }
}
