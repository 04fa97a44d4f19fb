import Foundation
import Testing

@testable import BPKit

/// Keras' names and serialized objects for the losses bpkit has, and the
/// Huber losses it lacks (a delta other than its 1).
@Suite struct KerasLossNameTests {
  @Test func kerasNamesAndObjectsGiveBpkitsLosses() {
    for name in ["mae", "mean_absolute_error", "MeanAbsoluteError"] {
      #expect(KerasOptimizer.loss(name) == .meanAbsoluteError)
    }
    #expect(KerasOptimizer.loss(["class_name": "MeanAbsoluteError", "config": [:]]) == .meanAbsoluteError)
    for name in ["huber", "huber_loss", "Huber"] { #expect(KerasOptimizer.loss(name) == .huber) }
    #expect(KerasOptimizer.loss(["class_name": "Huber", "config": ["name": "huber_loss"]]) == .huber)
    #expect(KerasOptimizer.loss(["class_name": "Huber", "config": ["delta": 1.0]]) == .huber)
    #expect(KerasOptimizer.kerasName(.meanAbsoluteError, legacy: false) == "mae")
    #expect(KerasOptimizer.kerasName(.meanAbsoluteError, legacy: true) == "mean_absolute_error")
    #expect(KerasOptimizer.kerasName(.huber, legacy: true) == "huber")
  }

  @Test func aHuberWithAnotherDeltaIsNotBpkitsHuber() {
    let object: [String: Any] = ["class_name": "Huber", "config": ["delta": 2.0, "name": "huber_loss"]]
    #expect(KerasOptimizer.loss(object) == nil)
    #expect(KerasOptimizer.lossName(object) == "Huber with delta 2.0 (bpkit's huber has delta 1)")
  }

  /// `from_logits` on the cross-entropy objects chooses bpkit's logits
  /// forms, in Keras 3's serialized form and tf.keras 2's.
  @Test func fromLogitsAndSparseNamesAndObjects() {
    for name in ["sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"] {
      #expect(KerasOptimizer.loss(name) == .sparseCategoricalCrossEntropy)
    }
    let cases: [(String, Loss, Loss)] = [
      ("CategoricalCrossentropy", .categoricalCrossEntropy, .categoricalCrossEntropyFromLogits),
      ("SparseCategoricalCrossentropy", .sparseCategoricalCrossEntropy, .sparseCategoricalCrossEntropyFromLogits),
      ("BinaryCrossentropy", .binaryCrossEntropy, .binaryCrossEntropyFromLogits),
    ]
    for (className, plain, logits) in cases {
      let keras3: [String: Any] = [
        "module": "keras.losses", "class_name": className, "registered_name": NSNull(),
        "config": ["name": "x", "reduction": "sum_over_batch_size", "from_logits": true, "label_smoothing": 0.0],
      ]
      #expect(KerasOptimizer.loss(keras3) == logits)
      let tfKeras2: [String: Any] = ["class_name": className, "config": ["reduction": "auto", "from_logits": false]]
      #expect(KerasOptimizer.loss(tfKeras2) == plain)
      // Written back as the object Keras reads, and read again as the same loss.
      let written = KerasOptimizer.kerasLoss(logits, legacy: false)
      #expect(KerasOptimizer.loss(written) == logits)
      #expect((written as? [String: Any])?["class_name"] as? String == className)
    }
    #expect(
      KerasOptimizer.kerasLoss(.sparseCategoricalCrossEntropy, legacy: true) as? String
        == "sparse_categorical_crossentropy")
  }

  /// Label smoothing and an ignored class are losses bpkit lacks: refused by name, never dropped.
  @Test func smoothedOrIgnoringCrossEntropiesAreNotBpkits() {
    let smoothed: [String: Any] = ["class_name": "CategoricalCrossentropy", "config": ["label_smoothing": 0.1]]
    #expect(KerasOptimizer.loss(smoothed) == nil)
    #expect(KerasOptimizer.lossName(smoothed).hasPrefix("CategoricalCrossentropy with label_smoothing=0.1"))
    let ignoring: [String: Any] = ["class_name": "SparseCategoricalCrossentropy", "config": ["ignore_class": 0]]
    #expect(KerasOptimizer.loss(ignoring) == nil)
  }
}
