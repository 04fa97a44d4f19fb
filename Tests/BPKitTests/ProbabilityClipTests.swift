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
    let engine = try TrainingEngine<Float>(
      model: keras.model, optimizer: optimizer, loss: loss, probabilityClip: clip)
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

  /// Float64 gradient checks of networks trained with the clip on, where
  /// nothing reaches a bound: within 1e-6, as without it.
  @Test(arguments: [
    ("3,5:tanh,4:softmax", Loss.categoricalCrossEntropy, true), ("3,5:tanh,4:softmax", .categoricalCrossEntropy, false),
    ("3,5:tanh,4:softmax", .sparseCategoricalCrossEntropy, true), ("3,5:relu,2:sigmoid", .binaryCrossEntropy, false),
    ("3x4,rnn5,3:softmax", .categoricalCrossEntropy, true),
  ])
  func gradientChecksWithTheClipOn(specification: String, loss: Loss, labels: Bool) throws {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: specification), seed: 7)
    var check = GradientCheck(model: model, loss: loss, batch: 5, useLabels: labels, seed: 7)
    check.probabilityClip = ProbabilityClip.kerasEpsilon
    let results = try check.run()
    #expect(!results.isEmpty)
    for result in results {
      #expect(result.worstRelativeError <= 1e-6, "\(specification): \(result.key) \(result.worstRelativeError)")
    }
  }

  /// The clipped gradient's exact value where the clip is active: a row
  /// whose true class's probability is below ε adds nothing, and a soft
  /// target's clipped class leaves T = Σ t_j k_j and the gradient.
  @Test func theClippedGradientIsExactlyYTMinusTK() throws {
    // Row 0: the label's probability ≈ e^-40 < ε: no loss gradient at all.
    // Row 1: soft targets, class 2's probability ≈ e^-40 clipped: T = t_0 + t_1.
    let z: [Double] = [20, -20, -20, 20, 20, -20]
    let t: [Double] = [0, 1, 0, 0.5, 0.25, 0.25]
    let clipped = Self.evaluate(.categoricalCrossEntropy, z: z, t: t, labels: nil, width: 3, clip: 0.05)
    let y = Self.probabilities(z, width: 3, binary: false)
    #expect(y[1] < 0.05 && y[5] < 0.05 && y[0] > 0.95)
    // Row 0: class 0 is clipped above (y > 1 − ε) and class 1 below: T = 0, nothing flows.
    #expect(Array(clipped.gradient[0..<3]) == [0, 0, 0])
    // Row 1: k = (1, 1, 0), T = 0.75: ∂L/∂z_j = (y_j·T − t_j·k_j) / rows.
    let expected = [y[3] * 0.75 - 0.5, y[4] * 0.75 - 0.25, y[5] * 0.75 - 0].map { $0 / 2 }
    for j in 0..<3 {
      #expect(abs(clipped.gradient[3 + j] - expected[j]) <= 1e-15, "\(j): \(clipped.gradient[3 + j]) \(expected[j])")
    }
    // The loss: row 0 −log(ε), row 1 −Σ t_j log(clip(y_j)).
    let rowOne = -(0.5 * Foundation.log(y[3]) + 0.25 * Foundation.log(y[4]) + 0.25 * Foundation.log(0.05))
    #expect(abs(clipped.rows[0] - -Foundation.log(0.05)) <= 1e-12)
    #expect(abs(clipped.rows[1] - rowOne) <= 1e-12)
    // Binary: σ(30) > 1 − ε with target 0 is clipped: loss −log(ε), no gradient.
    let binary = Self.evaluate(.binaryCrossEntropy, z: [30.0, 0.5], t: [0, 1], labels: nil, width: 1, clip: 0.05)
    #expect(binary.gradient[0] == 0)
    #expect(abs(binary.gradient[1] - (1 / (1 + Foundation.exp(-0.5)) - 1) / 2) <= 1e-15)
    #expect(abs(binary.rows[0] - -Foundation.log(0.05)) <= 1e-12)
  }

  @Test func theEngineRefusesAClipThatMeansNothing() throws {
    let network = try NetworkDescription(layerSpecification: "3,4:tanh,2")
    let model = try Model(initializing: network, seed: 3)
    let sgd = OptimizerState(configuration: OptimizerConfiguration(kind: .sgd))
    for (loss, epsilon) in [
      (Loss.meanSquaredError, 1e-7), (.categoricalCrossEntropyFromLogits, 1e-7), (.huber, 0.1),
    ] {
      let error = #expect(throws: BPKitError.self) {
        try TrainingEngine<Float>(model: model, optimizer: sgd, loss: loss, probabilityClip: epsilon)
      }
      #expect(error?.code == .invalidSetting, "\(loss)")
      #expect(error?.message.contains("--clip-probabilities") == true, "\(error?.message ?? "")")
    }
    let softmax = try Model(
      initializing: try NetworkDescription(layerSpecification: "3,4:tanh,2:softmax"), seed: 3)
    for epsilon in [0, 0.5, -1e-7, .nan, .infinity] {
      let error = #expect(throws: BPKitError.self) {
        try TrainingEngine<Float>(
          model: softmax, optimizer: sgd, loss: .categoricalCrossEntropy, probabilityClip: epsilon)
      }
      #expect(error?.code == .invalidSetting, "\(epsilon)")
    }
  }

  @Test func specifications() throws {
    #expect(try ProbabilityClip(specification: "keras") == .epsilon(1e-7))
    #expect(try ProbabilityClip(specification: "none") == .off)
    #expect(try ProbabilityClip(specification: "0.001") == .epsilon(0.001))
    for bad in ["0", "0.5", "-1e-7", "nan", "inf", "", "tensorflow"] {
      let error = #expect(throws: BPKitError.self) { try ProbabilityClip(specification: bad) }
      #expect(error?.code == .invalidSetting, "\(bad)")
      #expect(error?.message.contains("--clip-probabilities") == true, "\(bad)")
    }
  }

  /// HDF5 and JSON keep ε; HDF5 spells the loss with `_clipped` so that a
  /// 1.6 bpkit, which knows no such loss, refuses the run, and a run
  /// without the clip is written as before.
  @Test(arguments: ["h5", "json"])
  func theCheckpointKeepsTheClip(format: String) throws {
    let folder = try TemporaryDirectory()
    var checkpoint = FormatSamples.checkpoint(try FormatSamples.model(FormatSamples.denseNetwork()))
    checkpoint.configuration.loss = .categoricalCrossEntropy
    checkpoint.configuration.probabilityClip = 1e-7
    let path = folder.path("run.\(format)")
    let plainPath = folder.path("plain.\(format)")
    var plain = checkpoint
    plain.configuration.probabilityClip = nil
    if format == "json" {
      try checkpoint.writeJSON(toPath: path)
      try plain.writeJSON(toPath: plainPath)
      #expect(try Checkpoint(jsonContentsOf: path).configuration == checkpoint.configuration)
      #expect(try Checkpoint(jsonContentsOf: plainPath).configuration == plain.configuration)
      JSONOutputs.keep(fileAtPath: path, kind: "checkpoint", name: "probability-clip.json")
      let text = try String(contentsOfFile: path, encoding: .utf8)
      #expect(
        text.contains("\"probability_clip\": 1e-07") || text.contains("\"probability_clip\":1e-07"),
        "\(text.prefix(400))")
      #expect(!(try String(contentsOfFile: plainPath, encoding: .utf8)).contains("probability_clip"))
    } else {
      try checkpoint.write(to: URL(fileURLWithPath: path))
      try plain.write(to: URL(fileURLWithPath: plainPath))
      #expect(try Checkpoint(contentsOf: URL(fileURLWithPath: path)).configuration == checkpoint.configuration)
      #expect(try Checkpoint(contentsOf: URL(fileURLWithPath: plainPath)).configuration == plain.configuration)
      let file = try HDF5File(openingAtPath: path)
      let training = try file.root.openGroup("training")
      #expect(try training.stringAttribute("loss") == "cross_entropy_clipped")
      #expect(Loss(rawValue: try training.stringAttribute("loss")) == nil)
      #expect(try training.attribute("probability_clip", as: Double.self) == 1e-7)
      let plainFile = try HDF5File(openingAtPath: plainPath)
      let plainTraining = try plainFile.root.openGroup("training")
      #expect(try plainTraining.stringAttribute("loss") == "cross_entropy")
      #expect(try !plainTraining.hasAttribute("probability_clip"))
    }
  }

  /// A JSON document that clips a loss reading no probabilities is refused at the member.
  @Test func jsonRefusesAClipOfALossWithoutProbabilities() throws {
    let folder = try TemporaryDirectory()
    var checkpoint = FormatSamples.checkpoint(try FormatSamples.model(FormatSamples.denseNetwork()))
    checkpoint.configuration.loss = .categoricalCrossEntropy
    checkpoint.configuration.probabilityClip = 1e-7
    let path = folder.path("run.json")
    try checkpoint.writeJSON(toPath: path)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    for (index, (from, to)) in [
      ("\"cross_entropy\"", "\"mse\""), ("\"probability_clip\": 1e-07", "\"probability_clip\": 0.5"),
    ].enumerated() {
      let changed = folder.path("changed.json")
      try text.replacingOccurrences(of: from, with: to).write(toFile: changed, atomically: false, encoding: .utf8)
      JSONOutputs.keep(fileAtPath: changed, kind: "invalid-checkpoint", name: "probability-clip-\(index).json")
      let error = #expect(throws: (any Error).self) { try Checkpoint(jsonContentsOf: changed) }
      #expect("\(error.map { "\($0)" } ?? "")".contains("probability_clip"), "\(String(describing: error))")
    }
  }
}
