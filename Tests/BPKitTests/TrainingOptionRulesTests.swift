import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// What ``TrainingRun`` does with options that mean nothing for the run, that
/// a resume would ignore, or that cannot be honoured from a file: it refuses
/// them naming the option, before anything is written, and says what it
/// drops in ``TrainingPlan/warnings``.
@Suite struct TrainingOptionRulesTests {
  static let iris = Fixtures.path("datasets/iris.csv")
  static let digits = Fixtures.path("datasets/digits.h5")
  let folder: TemporaryDirectory

  init() throws {
    folder = try TemporaryDirectory(prefix: "bpkit-rules")
  }

  func irisOptions(layers: String = "4,8:tanh,3:softmax", checkpoint: String = "run.h5") -> TrainingOptions {
    TrainingOptions(
      start: .init(layers: layers), data: .init(data: Self.iris, target: "species"),
      schedule: .init(epochs: 1, batchSize: 10), output: .init(checkpoint: folder.path(checkpoint)))
  }

  /// The message of the ``TrainingError/invalidSetting(_:)`` that starting the run throws.
  func refusal(_ options: TrainingOptions) -> String? {
    do {
      _ = try TrainingRun(options)
      return nil
    } catch {
      guard case .invalidSetting(let message) = error.underlying as? TrainingError else {
        return "another error: \(error)"
      }
      #expect(error.code == .invalidSetting && error.category == .usage)
      return message
    }
  }

  static let meaningless: [(String, String, @Sendable (inout TrainingOptions) -> Void, String)] = [
    ("momentum with adam", "4,3:softmax", { $0.schedule.momentum = 0.5 }, "--momentum is a setting of"),
    (
      "momentum with rprop", "4,3:softmax",
      {
        $0.schedule.optimizer = .rprop
        $0.schedule.momentum = 0.5
        $0.schedule.batchSize = nil
      }, "--momentum is a setting of"
    ),
    (
      "learning rate with rprop", "4,3:softmax",
      {
        $0.schedule.optimizer = .rprop
        $0.schedule.learningRate = 0.1
        $0.schedule.batchSize = nil
      }, "rprop adapts a step size"
    ),
    ("batch size with rprop", "4,3:softmax", { $0.schedule.optimizer = .rprop }, "rprop is a full-batch method"),
    ("BPTT on a dense network", "4,3:softmax", { $0.schedule.bpttSteps = 2 }, "--bptt-steps truncates"),
    ("std without --standardize", "4,std,3:softmax", { _ in }, "the std layer is filled"),
    (
      "std after a hidden layer", "4,8:tanh,std,3:softmax", { $0.data.standardize = true },
      "a std layer standardizes the network's input"
    ),
  ]

  @Test(arguments: meaningless.indices)
  func meaninglessOptionsAreRefusedBeforeAnythingIsWritten(index: Int) throws {
    let (name, layers, change, expected) = Self.meaningless[index]
    var options = irisOptions(layers: layers)
    change(&options)
    let message = refusal(options)
    #expect(message?.hasPrefix(expected) == true, "\(name): \(message ?? "accepted")")
    #expect(!FileManager.default.fileExists(atPath: folder.path("run.h5")), "\(name)")
  }

  @Test func theOptionsTheRulesRefuseAloneAreAcceptedWhereTheyMeanSomething() throws {
    var options = irisOptions()
    options.schedule.optimizer = .momentum
    options.schedule.momentum = 0.5
    #expect(refusal(options) == nil)
    options = irisOptions(layers: "4,std,3:softmax", checkpoint: "std.h5")
    options.data.standardize = true
    #expect(refusal(options) == nil)
    options = irisOptions(checkpoint: "rprop.h5")
    options.schedule.optimizer = .rprop
    options.schedule.batchSize = nil
    #expect(refusal(options) == nil)
  }

  @Test(arguments: ["out.json", "out.keras", "out.onnx", "out.safetensors"])
  func aCheckpointNamedForAnotherFormatIsRefused(name: String) throws {
    let message = refusal(irisOptions(checkpoint: name))
    #expect(message?.hasPrefix("checkpoints are bpkit HDF5 files, but '\(folder.path(name))' names a") == true)
    #expect(message?.contains("bpkit convert out.h5 \(name)") == true, "\(message ?? "accepted")")
    #expect(!FileManager.default.fileExists(atPath: folder.path(name)))
  }

  @Test func aCheckpointInAMissingFolderIsRefusedBeforeTheDataIsRead() throws {
    var options = irisOptions(checkpoint: "missing/run.h5")
    // Data that does not exist: the folder is checked first.
    options.data.data = folder.path("absent.csv")
    #expect {
      try TrainingRun(options)
    } throws: { error in
      guard case OutputFileError.failed(let file, "checking its folder", let reason) = reason(of: error) else {
        return false
      }
      return file == folder.path("missing/run.h5")
        && reason.hasPrefix("the folder '\(folder.path("missing"))' does not exist")
    }
  }

  @Test func aResumeRefusesTheDataOptionsItWouldIgnore() throws {
    var options = irisOptions()
    options.data.validationSplit = 0.2
    try TrainingRun(options).run()
    var resume = TrainingOptions(start: .init(resume: folder.path("run.h5")), schedule: .init(epochs: 2))
    resume.data.validationSplit = 0.5
    #expect(refusal(resume)?.hasPrefix("the run holds out 0.2 of its data for validation") == true)
    resume.data.validationSplit = 0.2
    #expect(refusal(resume) == nil)
    resume.data.validationSplit = nil
    resume.data.validation = Self.iris
    #expect(refusal(resume)?.contains("--validation would train on those samples") == true)
    resume.data.validation = nil
    resume.data.standardize = true
    #expect(refusal(resume)?.hasPrefix("the run's model does not standardize its inputs") == true)
    resume.data.standardize = false
    resume.schedule.momentum = 0.5
    #expect(refusal(resume)?.hasPrefix("the momentum cannot change on resume") == true)
    let history = try Checkpoint(contentsOf: URL(fileURLWithPath: folder.path("run.h5"))).progress.history
    #expect(history.count == 1, "a refused resume trained")
  }

  @Test func aResumeWithValidationDataNotesTheChange() throws {
    try TrainingRun(irisOptions()).run()
    var resume = TrainingOptions(start: .init(resume: folder.path("run.h5")), schedule: .init(epochs: 2))
    resume.data.validation = Self.iris
    resume.data.target = "species"
    try TrainingRun(resume).run()
    let history = try Checkpoint(contentsOf: URL(fileURLWithPath: folder.path("run.h5"))).progress.history
    #expect(history.last?.notes == ["validation data changed: none -> \(Self.iris)"])
    #expect(history.last?.validationLoss != nil)
  }

  @Test func aSplitOfDataSortedByClassIsNamedInTheWarnings() throws {
    var options = irisOptions()
    options.data.validationSplit = 0.1
    let run = try TrainingRun(options)
    #expect(
      run.plan.warnings == [
        "the validation split holds out the last 15 samples, of the class 2, but trains on the classes 0, 1, 2: the "
          + "data looks sorted by class. Hold out samples drawn at random with --split-seed N, or give validation "
          + "data of its own with --validation"
      ])
    let mixed = TrainingOptions(
      start: .init(layers: "64,10:softmax"), data: .init(data: Self.digits, validationSplit: 0.2),
      schedule: .init(epochs: 1), output: .init(checkpoint: folder.path("digits.h5")))
    #expect(try TrainingRun(mixed).plan.warnings == [])
  }

  @Test func aKerasFileWhoseOptimizerCannotBeTakenNeedsOne() throws {
    let file = Fixtures.path("keras/mlp_tanh_softmax.keras")
    var options = TrainingOptions(
      start: .init(model: file), data: .init(data: Self.iris, target: "species"), schedule: .init(epochs: 1),
      output: .init(checkpoint: folder.path("keras.h5")))
    // The fixture takes 4 inputs, as iris has: see Fixtures/keras/README.md.
    #expect(
      refusal(options)
        == "\(file) was compiled with an optimizer bpkit cannot continue (the file does not record the "
        + "optimizer's configuration); choose one with --optimizer")
    options.schedule.optimizer = .sgd
    // Trained as TensorFlow computes the loss, said explicitly: no note on the unrecorded backend.
    options.schedule.probabilityClip = .off
    let run = try TrainingRun(options)
    #expect(run.plan.checkpoint.optimizer.configuration.kind == .sgd)
    #expect(
      run.plan.warnings == [
        "\(file): not kept: optimizer state not imported: the file does not record the optimizer's configuration"
      ])
  }

  @Test func aKerasFileKeepsItsDropoutLayer() throws {
    let file = Fixtures.path("keras/mlp_layers_folded.keras")
    let data = folder.path("five.csv")
    try ("a,b,c,d,e,label\n" + (0..<20).map { "\($0 % 3),1,2,3,4,\($0 % 3)" }.joined(separator: "\n"))
      .write(toFile: data, atomically: true, encoding: .utf8)
    let run = try TrainingRun(
      TrainingOptions(
        start: .init(model: file), data: .init(data: data), schedule: .init(epochs: 1, probabilityClip: .off),
        output: .init(checkpoint: folder.path("folded.h5"))))
    // Its Dropout layer is kept: training drops nothing.
    #expect(run.plan.warnings == [])
    #expect(run.plan.checkpoint.model.network.layers.contains { $0.kind == .dropout(rate: 0.3) })
    #expect(run.plan.checkpoint.optimizer.configuration.kind == .nesterov)
  }

  @Test func aCheckpointAsModelContinuesItsOptimizerAndLoss() throws {
    var options = irisOptions(layers: "4,8:tanh,1:linear")
    options.schedule.optimizer = .rmsprop
    options.schedule.loss = .meanSquaredError
    try TrainingRun(options).run()
    let run = try TrainingRun(
      TrainingOptions(
        start: .init(model: folder.path("run.h5")), data: .init(data: Self.iris, target: "species"),
        output: .init(checkpoint: folder.path("next.h5"))))
    #expect(run.plan.checkpoint.optimizer.configuration.kind == .rmsprop)
    #expect(run.plan.checkpoint.configuration.loss == .meanSquaredError)
  }

  @Test func divergenceNamesTheCheckpointKeptOrSaysThereIsNone() throws {
    let data = folder.path("huge.csv")
    // Inputs near Float's largest value overflow the very first forward pass.
    try ("a,b,c,d,y\n" + String(repeating: "3e38,3e38,3e38,3e38,1\n", count: 20))
      .write(toFile: data, atomically: true, encoding: .utf8)
    let fresh = TrainingOptions(
      start: .init(layers: "4,16:relu,1:linear"), data: .init(data: data, target: "y"),
      schedule: .init(epochs: 2, loss: .meanSquaredError, optimizer: .sgd),
      output: .init(checkpoint: folder.path("fresh.h5")))
    #expect {
      try TrainingRun(fresh).run()
    } throws: { error in
      guard case TrainingError.diverged(0, 0, _, nil) = reason(of: error) else { return false }
      return String(describing: error).contains("; no checkpoint was written before it. Lower the learning rate")
    }
    #expect(!FileManager.default.fileExists(atPath: folder.path("fresh.h5")))

    var options = irisOptions(layers: "4,16:relu,1:linear")
    options.schedule.optimizer = .sgd
    options.schedule.loss = .meanSquaredError
    try TrainingRun(options).run()
    let resume = TrainingOptions(
      start: .init(resume: folder.path("run.h5")), schedule: .init(epochs: 50, learningRate: 1e30))
    #expect {
      try TrainingRun(resume).run()
    } throws: { error in
      guard case TrainingError.diverged(_, _, _, let kept) = reason(of: error) else { return false }
      return kept == folder.path("run.h5")
        && String(describing: error).contains(
          "the last checkpoint written before it, \(folder.path("run.h5")), is kept")
    }
  }
}

/// `TrainingOptions.validate(naming:)`: one set of checks, which an app's
/// messages name in words and `bpkit train`'s by its flags.
@Suite struct TrainingOptionsValidationTests {
  static func options(_ change: (inout TrainingOptions) -> Void) -> TrainingOptions {
    var options = TrainingOptions(start: .init(layers: "4,3:softmax"), data: .init(data: "iris.csv"))
    change(&options)
    return options
  }

  static let cases: [(String, @Sendable (inout TrainingOptions) -> Void, String)] = [
    ("momentum", { $0.schedule.momentum = 2 }, "%momentum% must be in [0, 1], not 2.0"),
    ("epochs", { $0.schedule.epochs = 0 }, "%epochs% must be at least 1"),
    ("batch", { $0.schedule.batchSize = 1 << 25 }, "%batch-size% must be at most 16777216"),
    ("lr", { $0.schedule.learningRate = -1 }, "%lr% must be a positive number, not -1.0"),
    ("clip", { $0.schedule.clipValue = -1 }, "%clipvalue% must be a number >= 0, not -1.0"),
    ("keep", { $0.output.keep = 0 }, "%keep% must be at least 1"),
    ("two starts", { $0.start.model = "m.h5" }, "give exactly one of %layers%, %model% or %resume% to start from"),
  ]

  @Test(arguments: cases.indices)
  func aRefusalNamesTheSettingAsTheCallerSpellsIt(index: Int) throws {
    let (_, change, template) = Self.cases[index]
    let options = Self.options(change)
    func expected(_ name: (TrainingOptions.Setting) -> String) -> String {
      var message = template
      for setting in TrainingOptions.Setting.allCases {
        message = message.replacingOccurrences(of: "%\(setting.rawValue)%", with: name(setting))
      }
      return message
    }
    expectReason(TrainingError.invalidSetting(expected(\.phrase))) { try options.validate() }
    expectReason(TrainingError.invalidSetting(expected { "--\($0.rawValue)" })) {
      try options.validate { "--\($0.rawValue)" }
    }
  }

  @Test func aZeroClippingIsOffAndDoesNotCountAsASecondOne() throws {
    try Self.options {
      $0.schedule.clipNorm = 0
      $0.schedule.clipValue = 1
    }.validate()
    expectReason(
      TrainingError.invalidSetting("give only one of clipnorm, clipvalue and global clipnorm, as Keras allows one")
    ) {
      try Self.options {
        $0.schedule.clipNorm = 0.5
        $0.schedule.clipValue = 1
      }.validate()
    }
  }
}
