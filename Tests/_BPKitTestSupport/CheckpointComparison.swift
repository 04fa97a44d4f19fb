import BPKit
import Foundation

/// Bitwise comparisons of what training produced.
public enum CheckpointComparison {
  /// The names of the weights and optimizer slots whose bits differ between two checkpoints.
  public static func differences(_ a: Checkpoint, _ b: Checkpoint) -> [String] {
    var differing: [String] = []
    func bits(_ tensor: Tensor<Float>?) -> [UInt32]? { tensor?.scalars.map(\.bitPattern) }
    for key in Set(a.model.parameters.keys).union(b.model.parameters.keys).sorted()
    where bits(a.model.parameters[key]) != bits(b.model.parameters[key]) {
      differing.append("weights/\(key)")
    }
    for slot in Set(a.optimizer.slots.keys).union(b.optimizer.slots.keys).sorted() {
      let left = a.optimizer.slots[slot] ?? [:]
      let right = b.optimizer.slots[slot] ?? [:]
      for key in Set(left.keys).union(right.keys).sorted() where bits(left[key]) != bits(right[key]) {
        differing.append("optimizer/\(slot)/\(key)")
      }
    }
    // A float64 run's exact weights and slots, beside their Float32 copies compared above.
    func wide(_ tensor: Tensor<Double>?) -> [UInt64]? { tensor?.scalars.map(\.bitPattern) }
    if a.model.dtype != b.model.dtype { differing.append("dtype") }
    let (left, right) = (a.model.float64Parameters ?? [:], b.model.float64Parameters ?? [:])
    for key in Set(left.keys).union(right.keys).sorted() where wide(left[key]) != wide(right[key]) {
      differing.append("float64 weights/\(key)")
    }
    let (leftSlots, rightSlots) = (a.optimizer.float64Slots ?? [:], b.optimizer.float64Slots ?? [:])
    for slot in Set(leftSlots.keys).union(rightSlots.keys).sorted() {
      let left = leftSlots[slot] ?? [:]
      let right = rightSlots[slot] ?? [:]
      for key in Set(left.keys).union(right.keys).sorted() where wide(left[key]) != wide(right[key]) {
        differing.append("float64 optimizer/\(slot)/\(key)")
      }
    }
    if a.optimizer.iterations != b.optimizer.iterations { differing.append("optimizer/iterations") }
    if a.progress.random != b.progress.random { differing.append("progress/random") }
    if a.progress.epoch != b.progress.epoch { differing.append("progress/epoch") }
    let losses = { (c: Checkpoint) in c.progress.history.map { $0.trainLoss.bitPattern } }
    if losses(a) != losses(b) { differing.append("history/train_loss") }
    let rates = { (c: Checkpoint) in c.progress.history.map { $0.learningRate.bitPattern } }
    if rates(a) != rates(b) { differing.append("history/learning_rate") }
    if a.progress.earlyStopping != b.progress.earlyStopping { differing.append("progress/early_stopping") }
    if a.progress.plateau != b.progress.plateau { differing.append("progress/reduce_lr_on_plateau") }
    return differing
  }

  /// Loads a checkpoint file.
  public static func load(_ path: String) throws -> Checkpoint {
    try Checkpoint(contentsOf: URL(fileURLWithPath: path))
  }
}
