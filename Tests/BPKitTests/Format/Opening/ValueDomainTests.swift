import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// Values outside their domain, in bpkit HDF5 files and JSON documents
/// alike: each is refused on load, naming the value, by both readers.
@Suite struct ValueDomainTests {
  let folder: TemporaryDirectory
  let base: Checkpoint

  init() throws {
    folder = try TemporaryDirectory()
    var checkpoint = FormatSamples.checkpoint(try FormatSamples.model(FormatSamples.denseNetwork()))
    // The slot names Adam really uses, so the velocity rule applies.
    checkpoint.optimizer.slots = [
      "momentum": checkpoint.optimizer.slots["m"]!, "velocity": checkpoint.optimizer.slots["v"]!,
    ]
    base = checkpoint
  }

  /// One change that takes a value out of its domain, where it shows in each format.
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var hdf5Path: String
    var jsonPath: String
    var change: @Sendable (inout Checkpoint) -> Void
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "iterations Int64.max", hdf5Path: "/optimizer@iterations", jsonPath: "$.optimizer.iterations") {
      $0.optimizer.iterations = .max
    },
    Case(name: "epoch_samples Int64.max", hdf5Path: "/progress@epoch_samples", jsonPath: "$.progress.epoch_samples") {
      $0.progress.epochSamples = .max
    },
    Case(name: "epoch_correct over judged", hdf5Path: "/progress@epoch_correct", jsonPath: "$.progress.epoch_correct") {
      $0.progress.epochCorrect = $0.progress.epochJudged + 1
    },
    Case(name: "step_in_epoch Int64.max", hdf5Path: "/progress@step_in_epoch", jsonPath: "$.progress.step_in_epoch") {
      $0.progress.stepInEpoch = .max
    },
    Case(name: "batch_size Int64.max", hdf5Path: "/training@batch_size", jsonPath: "$.training.batch_size") {
      $0.configuration.batchSize = .max
    },
    Case(name: "epoch Int64.max", hdf5Path: "/progress@epoch", jsonPath: "$.progress.epoch") {
      $0.progress.epoch = .max
    },
    Case(
      name: "elapsed_seconds 1e19", hdf5Path: "/progress@elapsed_seconds", jsonPath: "$.progress.elapsed_seconds"
    ) { $0.progress.elapsedSeconds = 1e19 },
    Case(name: "epoch_loss_sum NaN", hdf5Path: "/progress@epoch_loss_sum", jsonPath: "$.progress.epoch_loss_sum") {
      $0.progress.epochLossSum = .nan
    },
    Case(name: "order holding -1", hdf5Path: "/progress/order", jsonPath: "$.progress.order[3]") {
      $0.progress.order[3] = -1
    },
    Case(name: "order holding a repeat", hdf5Path: "/progress/order", jsonPath: "$.progress.order[4]") {
      $0.progress.order[3] = $0.progress.order[4]
    },
    Case(
      name: "validation_split 1e300", hdf5Path: "/training@validation_split", jsonPath: "$.training.validation_split"
    ) { $0.configuration.validationSplit = 1e300 },
    Case(
      name: "validation_split -0.1", hdf5Path: "/training@validation_split", jsonPath: "$.training.validation_split"
    ) { $0.configuration.validationSplit = -0.1 },
    Case(
      name: "validation rows descending", hdf5Path: "/training/validation_rows",
      jsonPath: "$.training.validation_rows"
    ) {
      $0.configuration.validationSplit = 0.2
      $0.configuration.validationSplitSeed = 3
      $0.configuration.validationRows = [4, 9, 2]
    },
    Case(
      name: "validation rows without a seed", hdf5Path: "/training/validation_rows",
      jsonPath: "$.training.validation_rows"
    ) {
      $0.configuration.validationSplit = 0.2
      $0.configuration.validationRows = [1, 2]
    },
    Case(
      name: "split seed without rows", hdf5Path: "/training@validation_split_seed",
      jsonPath: "$.training.validation_split_seed"
    ) {
      $0.configuration.validationSplit = 0.2
      $0.configuration.validationSplitSeed = 3
    },
    Case(
      name: "split seed with a split of 0", hdf5Path: "/training@validation_split_seed",
      jsonPath: "$.training.validation_split_seed"
    ) {
      $0.configuration.validationSplit = 0
      $0.configuration.validationSplitSeed = 3
      $0.configuration.validationRows = []
    },
    Case(
      name: "learning rate NaN", hdf5Path: "/optimizer@learning_rate",
      jsonPath: "$.optimizer.configuration.learning_rate"
    ) { $0.optimizer.configuration.learningRate = .nan },
    Case(name: "history loss 1.7e308", hdf5Path: "/history/train_loss", jsonPath: "$.progress.history[0].train_loss") {
      $0.progress.history[0].trainLoss = 1.7e308
    },
    Case(name: "history epochs repeated", hdf5Path: "/history/epoch", jsonPath: "$.progress.history[1].epoch") {
      $0.progress.history[1].epoch = $0.progress.history[0].epoch
    },
    Case(name: "history epoch negative", hdf5Path: "/history/epoch", jsonPath: "$.progress.history[0].epoch") {
      $0.progress.history[0].epoch = -1
    },
  ]

  @Test(arguments: cases)
  func outOfDomainValuesAreRefusedByBothReaders(_ change: Case) throws {
    var checkpoint = base
    change.change(&checkpoint)
    let hdf5 = folder.path("bad.h5")
    try checkpoint.write(to: URL(fileURLWithPath: hdf5))
    #expect {
      try Checkpoint(contentsOf: URL(fileURLWithPath: hdf5))
    } throws: { error in
      guard case .invalidValue(hdf5, let path, _) = reason(of: error) as? FormatError else { return false }
      return path == change.hdf5Path || (change.hdf5Path.contains("@") == false && path.hasPrefix(change.hdf5Path))
    }
    let json = folder.path("bad.json")
    try checkpoint.writeJSON(toPath: json)
    #expect {
      try Checkpoint(jsonContentsOf: json)
    } throws: { error in
      guard case .schemaViolation(json, let path, _) = reason(of: error) as? BPKitJSONError else { return false }
      return path == change.jsonPath
    }
  }

  @Test func theUnchangedCheckpointLoadsFromBothFormats() throws {
    let hdf5 = folder.path("good.h5")
    try base.write(to: URL(fileURLWithPath: hdf5))
    _ = try Checkpoint(contentsOf: URL(fileURLWithPath: hdf5))
    let json = folder.path("good.json")
    try base.writeJSON(toPath: json)
    _ = try Checkpoint(jsonContentsOf: json)
  }

  @Test(arguments: [Float.nan, .infinity, -.infinity])
  func nonFiniteWeightsAreRefusedByBothReaders(value: Float) throws {
    var model = base.model
    let key = model.orderedParameters[0].spec.key
    var tensor = model.parameters[key]!
    tensor.scalars[1] = value
    try model.setParameter(tensor, for: key)
    let hdf5 = folder.path("weights.h5")
    try model.write(to: URL(fileURLWithPath: hdf5))
    #expect {
      try Model(contentsOf: URL(fileURLWithPath: hdf5))
    } throws: { error in
      guard
        case .invalidValue(hdf5, "/weights/\(key.layer)/\(key.name)", let reason) = reason(of: error) as? FormatError
      else {
        return false
      }
      return reason.hasPrefix("element 1 is")
    }
    let json = folder.path("weights.json")
    try model.writeJSON(toPath: json)
    expectReason(BPKitJSONError.self) { try Model(jsonContentsOf: json) }
  }

  @Test func aNegativeAdamVelocityIsRefused() throws {
    var checkpoint = base
    let key = checkpoint.optimizer.slots["velocity"]!.keys.sorted { "\($0)" < "\($1)" }[0]
    checkpoint.optimizer.slots["velocity"]![key]!.scalars[0] = -0.5
    let hdf5 = folder.path("velocity.h5")
    try checkpoint.write(to: URL(fileURLWithPath: hdf5))
    #expect {
      try Checkpoint(contentsOf: URL(fileURLWithPath: hdf5))
    } throws: { error in
      guard
        case .invalidValue(hdf5, "/optimizer/slots/velocity/\(key.layer)/\(key.name)", let reason) =
          reason(of: error) as? FormatError
      else { return false }
      return reason.contains("cannot be negative")
    }
  }

  @Test(arguments: [(OptimizerKind.adagrad, "accumulator"), (.adam, "velocity_hat")])
  func aNegativeAccumulatorOrRunningMaximumIsRefused(kind: OptimizerKind, slot: String) throws {
    var checkpoint = base
    let keys = checkpoint.optimizer.slots["velocity"]!.keys
    checkpoint.optimizer.configuration = OptimizerConfiguration(kind: kind, amsgrad: kind == .adam)
    var tensors = checkpoint.optimizer.slots["velocity"]!
    let key = keys.sorted { "\($0)" < "\($1)" }[0]
    tensors[key]!.scalars[0] = -0.5
    checkpoint.optimizer.slots =
      kind == .adam ? ["momentum": tensors, "velocity": tensors, slot: tensors] : [slot: tensors]
    checkpoint.optimizer.slots["velocity"]?[key]!.scalars[0] = 0.5
    let hdf5 = folder.path("\(slot).h5")
    try checkpoint.write(to: URL(fileURLWithPath: hdf5))
    #expect {
      try Checkpoint(contentsOf: URL(fileURLWithPath: hdf5))
    } throws: { error in
      guard
        case .invalidValue(hdf5, "/optimizer/slots/\(slot)/\(key.layer)/\(key.name)", let reason) =
          reason(of: error) as? FormatError
      else { return false }
      return reason.contains("cannot be negative")
    }
  }

  @Test func aNegativeClipNormIsRefused() throws {
    var checkpoint = base
    checkpoint.optimizer.configuration.clipNorm = -1
    let hdf5 = folder.path("clip.h5")
    try checkpoint.write(to: URL(fileURLWithPath: hdf5))
    #expect {
      try Checkpoint(contentsOf: URL(fileURLWithPath: hdf5))
    } throws: { error in
      guard case .invalidValue(hdf5, "/optimizer@clipnorm", _) = reason(of: error) as? FormatError else { return false }
      return true
    }
  }
}
