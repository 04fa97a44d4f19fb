import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Exported Keras files carry a compile configuration Keras accepts: every
/// float hyperparameter is a JSON float (Keras refuses SGD's `"momentum": 0`).
/// The files are left in `.build/keras-outputs`, where `make test` loads each
/// in real Keras with `compile=True` and trains it one step.
@Suite struct KerasExportCompileTests {
  static let models = [
    "dense_every_activation", "elman_stack", "elman_per_step", "rnn_variable_length", "lstm_stack_sequences",
    "gru_stack_last", "mlp_layers_folded",
  ]
  /// The models taken from Keras-made files rather than bpkit JSON (`mlp_layers_folded` has a Dropout layer).
  static let kerasMade: Set = ["rnn_variable_length", "lstm_stack_sequences", "gru_stack_last", "mlp_layers_folded"]
  static let optimizers: [OptimizerConfiguration] = [
    .init(kind: .sgd), .init(kind: .momentum, learningRate: 0.1), .init(kind: .nesterov, momentum: 0.5),
    .init(kind: .adam, learningRate: 1), .init(kind: .rmsprop), .init(kind: .rmsprop, momentum: 0.25),
    .init(kind: .adamw, amsgrad: true, clipNorm: 1), .init(kind: .nadam, weightDecay: 0.01),
    .init(kind: .adagrad, initialAccumulatorValue: 0.2, clipValue: 0.5),
    .init(kind: .rmsprop, momentum: 0.5, centered: true, globalClipNorm: 2),
  ]
  static let floatKeys = [
    "learning_rate", "momentum", "beta_1", "beta_2", "epsilon", "rho", "ema_momentum", "weight_decay", "clipnorm",
    "clipvalue", "global_clipnorm", "initial_accumulator_value",
  ]

  static func model(_ name: String) throws -> Model {
    Self.kerasMade.contains(name)
      ? try KerasModel(contentsOfFile: Fixtures.path("keras/\(name).keras")).model
      : try Model(jsonContentsOf: Fixtures.path("keras-export/\(name).json"))
  }

  static func loss(for model: Model) throws -> Loss {
    switch try model.network.outputKind() {
    case .classes: .categoricalCrossEntropy
    case .binary, .multiLabel: .binaryCrossEntropy
    case .logits: .categoricalCrossEntropyFromLogits
    case .binaryLogit, .multiLabelLogits: .binaryCrossEntropyFromLogits
    case .regression: .meanSquaredError
    }
  }

  /// The value token after each `"key":` in compact JSON text.
  static func tokens(after key: String, in text: String) -> [Substring] {
    text.components(separatedBy: "\"\(key)\":").dropFirst().map { rest in
      rest.prefix { $0 != "," && $0 != "}" && $0 != "]" }[...]
    }
  }

  @Test(arguments: models, [KerasModel.Format.legacyHDF5, .archive])
  func everyFloatHyperparameterIsAJSONFloat(name: String, format: KerasModel.Format) throws {
    let model = try Self.model(name)
    let loss = try Self.loss(for: model)
    // Every optimizer on the first model; plain SGD (the one Keras refused) and
    // one other on each of the rest, to keep Keras' share of `make test` short.
    let index = Self.models.firstIndex(of: name)!
    let optimizers = index == 0 ? Self.optimizers : [Self.optimizers[0], Self.optimizers[index + 1]]
    for configuration in optimizers {
      let label =
        configuration.kind.rawValue + (configuration.momentum > 0 ? "-m" : "") + (configuration.centered ? "-c" : "")
      let path = KerasOutputs.path("\(name).\(label).\(format == .archive ? "keras" : "keras.h5")")
      let state = OptimizerState(configuration: configuration, iterations: 3)
      try KerasModel(model: model, optimizer: state, loss: loss).write(toPath: path, format: format)

      let text: String
      if format == .legacyHDF5 {
        text = try HDF5File(openingAtPath: path).root.stringAttribute("training_config")
      } else {
        // config.json is stored uncompressed in the archive.
        text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
      }
      let optimizerText = text.components(separatedBy: "\"optimizer").dropFirst().joined()
      for key in Self.floatKeys {
        for token in Self.tokens(after: key, in: optimizerText) where token != "null" {
          #expect(token.contains(".") || token.contains("e"), "\(name) \(label) \(format): \"\(key)\": \(token)")
        }
      }
      #expect(Self.tokens(after: "learning_rate", in: optimizerText).count == 1)

      let back = try KerasModel(contentsOfFile: path)
      #expect(back.optimizer?.configuration == state.configuration, "\(name) \(label) \(format)")
      #expect(back.loss == loss)
      let className = [
        "sgd": "SGD", "momentum": "SGD", "nesterov": "SGD", "adam": "Adam", "adamw": "AdamW", "nadam": "Nadam",
        "adagrad": "Adagrad", "rmsprop": "RMSprop",
      ][configuration.kind.rawValue]!
      var hyperparameters = ["learning_rate": configuration.learningRate]
      switch configuration.kind {
      case .sgd, .momentum, .nesterov: hyperparameters["momentum"] = configuration.momentum
      case .adam, .adamw, .nadam:
        hyperparameters.merge(["beta_1": configuration.beta1, "beta_2": configuration.beta2]) { $1 }
        if configuration.kind != .nadam { hyperparameters["amsgrad"] = configuration.amsgrad ? 1 : 0 }
      case .adagrad: hyperparameters["initial_accumulator_value"] = configuration.initialAccumulatorValue
      case .rmsprop:
        hyperparameters.merge([
          "rho": configuration.rho, "momentum": configuration.momentum, "centered": configuration.centered ? 1 : 0,
        ]) { $1 }
      case .rprop: break
      }
      for (key, value) in [
        ("weight_decay", configuration.weightDecay), ("clipnorm", configuration.clipNorm),
        ("clipvalue", configuration.clipValue), ("global_clipnorm", configuration.globalClipNorm),
      ] where value != 0 {
        hyperparameters[key] = value
      }
      KerasOutputs.expect(
        path, optimizer: className, hyperparameters: hyperparameters,
        loss: [
          "mse": "mean_squared_error", "cross_entropy": "categorical_crossentropy",
          "binary_cross_entropy": "binary_crossentropy",
        ][loss.rawValue]!)
    }
  }
}
