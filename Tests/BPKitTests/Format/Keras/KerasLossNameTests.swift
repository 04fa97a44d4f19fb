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
}
