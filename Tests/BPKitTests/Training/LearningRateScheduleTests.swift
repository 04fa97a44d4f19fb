import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Each schedule gives the rates of Keras 3's `learning_rate_schedule.py`
/// formulas (computed here with the C library's pow and cos), reads from its
/// `--lr-schedule` spelling, and refuses values Keras refuses.
@Suite struct LearningRateScheduleTests {
  static let cases: [(String, LearningRateSchedule, @Sendable (Double) -> Double)] = [
    (
      "exponential", .exponentialDecay(initialLearningRate: 0.2, decaySteps: 5, decayRate: 0.8, staircase: false),
      { 0.2 * pow(0.8, $0 / 5) }
    ),
    (
      "exponential staircase",
      .exponentialDecay(initialLearningRate: 0.3, decaySteps: 4, decayRate: 0.5, staircase: true),
      { 0.3 * pow(0.5, ($0 / 4).rounded(.down)) }
    ),
    (
      "piecewise", .piecewiseConstantDecay(boundaries: [6, 12], values: [0.02, 0.01, 0.004]),
      { $0 <= 6 ? 0.02 : $0 <= 12 ? 0.01 : 0.004 }
    ),
    (
      "inverse time", .inverseTimeDecay(initialLearningRate: 0.01, decaySteps: 2, decayRate: 0.5, staircase: false),
      { 0.01 / (1 + 0.5 * $0 / 2) }
    ),
    (
      "inverse time staircase",
      .inverseTimeDecay(initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.7, staircase: true),
      { 0.1 / (1 + 0.7 * ($0 / 3).rounded(.down)) }
    ),
    (
      "polynomial",
      .polynomialDecay(initialLearningRate: 0.02, decaySteps: 14, endLearningRate: 0.001, power: 2, cycle: false),
      { (0.02 - 0.001) * pow(1 - min($0, 14) / 14, 2) + 0.001 }
    ),
    (
      "polynomial cycle",
      .polynomialDecay(initialLearningRate: 0.3, decaySteps: 4, endLearningRate: 0.01, power: 0.5, cycle: true),
      { step in
        let horizon = 4 * (step == 0 ? 1 : (step / 4).rounded(.up))
        return (0.3 - 0.01) * pow(1 - step / horizon, 0.5) + 0.01
      }
    ),
    (
      "cosine", .cosineDecay(initialLearningRate: 0.02, decaySteps: 20, alpha: 0, warmupTarget: nil, warmupSteps: 0),
      { 0.02 * (0.5 * (1 + cos(Double.pi * min($0, 20) / 20))) }
    ),
    (
      "cosine warmup",
      .cosineDecay(initialLearningRate: 0.001, decaySteps: 8, alpha: 0.1, warmupTarget: 0.02, warmupSteps: 4),
      { step in
        let s = min(step, 12)
        if s < 4 { return (0.02 - 0.001) * (s / 4) + 0.001 }
        return 0.02 * (0.9 * (0.5 * (1 + cos(Double.pi * (s - 4) / 8))) + 0.1)
      }
    ),
  ]

  @Test(arguments: cases.map(\.0))
  func theRatesAreKerasFormulas(name: String) {
    let (_, schedule, formula) = Self.cases.first { $0.0 == name }!
    for step in 0..<40 {
      let expected = formula(Double(step))
      let rate = schedule.learningRate(atStep: Int64(step))
      #expect(abs(rate - expected) <= 1e-15 * max(1, abs(expected)), "\(name) at step \(step): \(rate) vs \(expected)")
    }
  }

  @Test(arguments: cases.map(\.0))
  func theSummaryReadsBackAsTheSameSchedule(name: String) throws {
    let schedule = Self.cases.first { $0.0 == name }!.1
    #expect(try LearningRateSchedule(specification: schedule.summary, learningRate: 1) == schedule)
    var settings: [String: LearningRateSchedule.Setting] = [:]
    for (key, value) in schedule.kerasSettings { if let value { settings[key] = value } }
    #expect(try LearningRateSchedule(kerasClassName: schedule.kerasClassName, settings: settings) == schedule)
  }

  @Test func aSpecificationTakesItsFirstRateFromTheLearningRate() throws {
    #expect(
      try LearningRateSchedule(
        specification: "exponential_decay:decay_steps=100,decay_rate=0.96,staircase", learningRate: 0.05)
        == .exponentialDecay(initialLearningRate: 0.05, decaySteps: 100, decayRate: 0.96, staircase: true))
    #expect(
      try LearningRateSchedule(specification: "CosineDecay:decay_steps=10", learningRate: 0.1)
        == .cosineDecay(initialLearningRate: 0.1, decaySteps: 10, alpha: 0, warmupTarget: nil, warmupSteps: 0))
    #expect(
      try LearningRateSchedule(specification: "polynomial_decay:decay_steps=10", learningRate: 0.1)
        == .polynomialDecay(initialLearningRate: 0.1, decaySteps: 10, endLearningRate: 0.0001, power: 1, cycle: false))
  }

  @Test(arguments: [
    (
      "step_decay:decay_steps=3",
      "--lr-schedule step_decay is not a schedule bpkit has; give one of exponential_decay, "
        + "piecewise_constant_decay, inverse_time_decay, polynomial_decay, cosine_decay"
    ),
    ("exponential_decay:decay_rate=0.5", "ExponentialDecay needs decay_steps"),
    ("exponential_decay:decay_steps=0,decay_rate=0.5", "ExponentialDecay decay_steps must be a number > 0, not 0.0"),
    (
      "exponential_decay:decay_steps=3,decay_rate=0.5,power=2",
      "ExponentialDecay has no setting power; its settings are initial_learning_rate, decay_steps, decay_rate, staircase"
    ),
    (
      "piecewise_constant_decay:boundaries=5/3,values=1/2/3",
      "PiecewiseConstantDecay boundaries must increase strictly: [5.0, 3.0]"
    ),
    (
      "piecewise_constant_decay:boundaries=5,values=1",
      "PiecewiseConstantDecay needs one more value than boundaries, and at least one boundary; it has 1 boundaries and 1 values"
    ),
    ("cosine_decay:decay_steps=10,alpha=2", "CosineDecay alpha must be in [0, 1], not 2.0"),
    ("cosine_decay:decay_steps=ten", "--lr-schedule decay_steps must be a number, not ten"),
    ("inverse_time_decay:decay_steps=1,decay_rate=1,decay_rate=2", "--lr-schedule gives decay_rate twice"),
  ])
  func aScheduleThatCannotBeIsRefusedByName(specification: String, message: String) {
    expectReason(TrainingError.invalidSetting(message)) {
      try LearningRateSchedule(specification: specification, learningRate: 0.1)
    }
  }

  @Test func keras3ScheduleClassesBpkitLacksAreRefusedByName() {
    expectReason(
      TrainingError.invalidSetting(
        "bpkit has no CosineDecayRestarts learning-rate schedule; it has ExponentialDecay, "
          + "PiecewiseConstantDecay, InverseTimeDecay, PolynomialDecay, CosineDecay")
    ) {
      try LearningRateSchedule(kerasClassName: "CosineDecayRestarts", settings: [:])
    }
  }

  @Test(arguments: cases.map(\.0))
  func theScheduleSurvivesTheCheckpointFileAndJSON(name: String) throws {
    let schedule = Self.cases.first { $0.0 == name }!.1
    let folder = try TemporaryDirectory(prefix: "bpkit-schedule")
    let options = TrainingOptions(
      start: .init(layers: "64,8:tanh,10:softmax"), data: .init(data: Fixtures.path("datasets/digits.h5")),
      schedule: .init(epochs: 1, batchSize: 200, optimizer: .sgd, learningRateSchedule: schedule.summary),
      output: .init(checkpoint: folder.path("run.h5"), stopAfterSteps: 2))
    _ = try TrainingRun(options).run()
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.h5"))
    #expect(checkpoint.optimizer.configuration.schedule == schedule)
    #expect(checkpoint.optimizer.configuration.learningRate == schedule.initialLearningRate)
    let back = try Checkpoint(jsonData: try checkpoint.jsonData())
    #expect(back.optimizer == checkpoint.optimizer)
  }
}
