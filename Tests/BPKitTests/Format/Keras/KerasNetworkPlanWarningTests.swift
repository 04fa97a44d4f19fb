import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

/// What bpkit drops from a Keras model's layers is said in its warnings:
/// regularizers and constraints, dropout, a dtype policy other than float32
/// and float64.
/// A frozen layer is kept frozen, without a warning.
@Suite struct KerasNetworkPlanWarningTests {
  static func plan(_ layers: [[String: Any]]) throws -> KerasNetworkPlan {
    let input: [String: Any] = [
      "class_name": "InputLayer", "config": ["name": "input", "batch_shape": [NSNull(), 5, 4]],
    ]
    return try KerasNetworkPlan.make(
      config: ["class_name": "Sequential", "config": ["layers": [input] + layers]], file: "m.keras")
  }

  static func dense(_ name: String, _ extra: [String: Any]) -> [String: Any] {
    ["class_name": "Dense", "config": ["name": name, "units": 3, "activation": "tanh"].merging(extra) { $1 }]
  }

  @Test func everyDroppedSettingIsNamed() throws {
    let plan = try Self.plan([
      [
        "class_name": "SimpleRNN",
        "config": ["name": "rnn", "units": 2, "activation": "tanh", "dropout": 0.1, "recurrent_dropout": 0.0],
      ],
      Self.dense("frozen", ["trainable": false]),
      Self.dense(
        "regular",
        [
          "kernel_regularizer": ["class_name": "L2", "config": ["l2": 0.01]], "bias_regularizer": NSNull(),
          "kernel_constraint": ["class_name": "MaxNorm", "config": [:] as [String: Any]],
        ]),
      Self.dense("half", ["dtype": "mixed_bfloat16"]),
      ["class_name": "Dropout", "config": ["name": "drop", "rate": 0.25, "seed": 7]],
    ])
    #expect(plan.warnings.count == 4, "\(plan.warnings)")
    #expect(plan.network.layers.last?.kind == .dropout(rate: 0.25))
    #expect(plan.network.layers.filter { !$0.trainable }.map(\.name) == ["frozen"])
    #expect(plan.warnings[1].hasPrefix("layer 'regular' (Dense): kernel_constraint "))
    // An L2 kernel regularizer is taken (format 1.5), not dropped.
    #expect(plan.network.layers[2].regularizers == LayerRegularizers(kernel: Regularizer(l2: 0.01)))
    #expect(
      plan.warnings[2] == "layer 'half' (Dense): dtype policy mixed_bfloat16 becomes float32, which bpkit computes in")
    #expect(plan.warnings[3] == "layer 'drop' (Dropout): seed 7 is dropped; bpkit draws its masks from the run's seed")
    #expect(
      plan.warnings[0]
        == "layer 'rnn' (SimpleRNN): dropout 0.1 is dropped; bpkit has no dropout inside recurrent layers (a Dropout "
        + "layer before or after one is kept)")
  }

  /// A float64 dtype policy on every layer makes a float64 model, without a
  /// warning; float64 beside any other policy is refused, naming the layers.
  @Test func float64PoliciesAreTakenWholeOrRefusedByName() throws {
    let float64: [String: Any] = ["dtype": ["class_name": "DTypePolicy", "config": ["name": "float64"]]]
    let plan = try Self.plan([
      ["class_name": "SimpleRNN", "config": ["name": "rnn", "units": 2, "dtype": "float64"]],
      Self.dense("double", float64),
      ["class_name": "Dropout", "config": ["name": "drop", "rate": 0.25, "dtype": "float64"]],
    ])
    #expect(plan.dtype == .float64)
    #expect(plan.warnings.isEmpty, "\(plan.warnings)")
    #expect(try Self.plan([Self.dense("single", [:])]).dtype == .float32)
    expectReason(
      KerasError.invalidConfiguration(
        file: "m.keras",
        detail: "the layers mix dtype policies: 'double' (float64) against 'single' (float32), 'half' "
          + "(mixed_bfloat16); bpkit computes a whole model in one precision and imports it only when every layer "
          + "has the same policy: set one in Keras (keras.config.set_floatx(\"float64\") before building the "
          + "model, or dtype=\"float64\" on every layer) and save it again")
    ) {
      try Self.plan([
        Self.dense("double", float64), Self.dense("single", [:]), Self.dense("half", ["dtype": "mixed_bfloat16"]),
      ])
    }
  }

  /// What bpkit cannot take (an activity regularizer, another regularizer
  /// class) is named, never applied silently; L1, L2 and L1L2 in Keras 3's
  /// and tf.keras 2's forms, and the names 'l1' and 'l2', are taken.
  @Test func regularizersBPKitLacksAreNamed() throws {
    let plan = try Self.plan([
      Self.dense(
        "d",
        [
          "kernel_regularizer": [
            "module": "keras.regularizers", "class_name": "OrthogonalRegularizer",
            "config": ["factor": 0.01, "mode": "rows"],
          ] as [String: Any],
          "activity_regularizer": ["module": "keras.regularizers", "class_name": "L2", "config": ["l2": 0.01]],
          "bias_regularizer": ["class_name": "L1", "config": ["l1": 0.5]],
        ]),
      Self.dense("e", ["kernel_regularizer": "l2", "bias_regularizer": ["class_name": "L2", "config": ["l2": -1.0]]]),
      Self.dense(
        "f",
        [
          "kernel_regularizer": [
            "module": "keras.regularizers", "class_name": "L1L2", "config": ["l1": 0.25, "l2": 0.125],
            "registered_name": NSNull(),
          ] as [String: Any],
          "use_bias": false, "bias_regularizer": "l1",
        ]),
    ])
    #expect(
      plan.network.layers.map(\.regularizers) == [
        LayerRegularizers(bias: Regularizer(l1: 0.5)), LayerRegularizers(kernel: Regularizer(l2: 0.01)),
        LayerRegularizers(kernel: Regularizer(l1: 0.25, l2: 0.125)),
      ])
    #expect(plan.warnings.count == 3, "\(plan.warnings)")
    #expect(plan.warnings[0].hasPrefix("layer 'd' (Dense): activity_regularizer "))
    #expect(
      plan.warnings[1].hasPrefix("layer 'd' (Dense): kernel_regularizer ")
        && plan.warnings[1].hasSuffix("is dropped; bpkit has L1, L2 and L1L2 with factors of at least 0"))
    #expect(plan.warnings[2].hasPrefix("layer 'e' (Dense): bias_regularizer "))
  }

  @Test func aPlainModelHasNoWarnings() throws {
    let plan = try Self.plan([
      ["class_name": "SimpleRNN", "config": ["name": "rnn", "units": 2, "dropout": 0.0]],
      Self.dense("a", ["trainable": true, "dtype": ["class_name": "DTypePolicy", "config": ["name": "float32"]]]),
      ["class_name": "Dropout", "config": ["name": "off", "rate": 0.0]],
    ])
    #expect(plan.warnings == [])
    #expect(plan.network.layers.map(\.kind.typeName) == ["elman", "dense", "dropout"])
  }

  @Test func aDropoutLayerBPKitCannotComputeIsRefusedByName() {
    expectReason(
      KerasError.unsupportedLayers(
        file: "m.keras",
        layers: [
          "'shaped' (Dropout: noise_shape [null,1,4] is not supported; bpkit drops each value on its own)",
          "'all' (Dropout: rate 1 is not a number from 0 up to (not including) 1)",
        ])
    ) {
      try Self.plan([
        ["class_name": "SimpleRNN", "config": ["name": "rnn", "units": 4, "return_sequences": true]],
        ["class_name": "Dropout", "config": ["name": "shaped", "rate": 0.5, "noise_shape": [NSNull(), 1, 4]]],
        ["class_name": "Dropout", "config": ["name": "all", "rate": 1]],
      ])
    }
  }
}
