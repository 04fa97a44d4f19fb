/// Everything that differs between two models or checkpoints: the proof that
/// a resumed run or a conversion changed nothing, or the list of what it changed.
///
/// Weights and optimizer slots are compared tensor by tensor; for two
/// checkpoints also the optimizer's configuration and update count, the
/// run's configuration, its position (epoch, step, sample order and cursor,
/// random generator state, the running sums of the unfinished epoch), its
/// per-epoch history and the fingerprints of its data. Wall-clock facts
/// (elapsed and per-epoch seconds, creation time, the writing bpkit's
/// version, data paths) are not compared: an identical run at another time
/// or place differs in them.
///
/// ```swift
/// let difference = FileDifference(try BPKitFile.open(a), try BPKitFile.open(b))
/// if difference.isIdentical { print(difference.identicalSummary) }
/// ```
public struct FileDifference: Sendable {
  /// One value that differs, outside the tensors.
  public struct Field: Hashable, Sendable {
    /// What differs: `epoch`, `optimizer iterations`, `history`, …
    public var name: String
    /// Its value in the first file.
    public var first: String
    /// Its value in the second file.
    public var second: String
  }

  /// How the networks differ (input shape, layer count, a layer's name or
  /// kind); when not empty, weights and state were not compared. Layers that
  /// differ only in their regularizers have the same architecture: their
  /// weights are compared, and the regularizers listed in ``state``.
  public var architecture: [Field]
  /// Every weight tensor of the two models, in key order.
  public var weights: [TensorDifference]
  /// Every optimizer slot tensor, when both files hold optimizer state
  /// (checkpoints, and Keras files saved with their optimizer).
  public var optimizerSlots: [TensorDifference]
  /// The differing settings: the layers' regularizers, and for two
  /// checkpoints the optimizer and training-state values.
  public var state: [Field]
  /// Whether the training state was compared (both files are checkpoints).
  public var comparedTrainingState: Bool
  /// What one file holds and the other lacks, left uncompared:
  /// "training state: only in the first file".
  public var notCompared: [String]
  /// The largest absolute difference two tensors may have and still agree; 0 asks for identical bits.
  public var tolerance: Double

  /// Compares two opened files.
  ///
  /// - Parameters:
  ///   - first: The file compared against.
  ///   - second: The file compared.
  ///   - tolerance: Tensors whose elements all differ by at most this much agree.
  public init(_ first: BPKitFile, _ second: BPKitFile, tolerance: Double = 0) {
    self.tolerance = tolerance
    architecture = Self.compare(first.model.network, second.model.network)
    weights = []
    optimizerSlots = []
    state = []
    notCompared = []
    comparedTrainingState = false
    guard architecture.isEmpty else { return }
    state = Self.compareRegularizers(first.model.network, second.model.network)
    if first.model.dtype != second.model.dtype || first.model.dtype == .float64 {
      // Float64 weights are compared as they are stored; a float32 file's widened exactly beside them.
      if first.model.dtype != second.model.dtype {
        state.append(
          Field(name: "dtype", first: first.model.dtype.rawValue, second: second.model.dtype.rawValue))
      }
      let (a, b) = (first.model.widenedParameters, second.model.widenedParameters)
      weights = Set(a.keys).union(b.keys).sorted().map { TensorDifference(name: $0.description, a[$0], b[$0]) }
    } else {
      let (a, b) = (first.model.parameters, second.model.parameters)
      weights = Set(a.keys).union(b.keys).sorted().map { TensorDifference(name: $0.description, a[$0], b[$0]) }
    }

    // A Keras file may hold the optimizer state it was compiled and trained
    // with; only checkpoints hold a training run's state.
    switch (first.optimizer, second.optimizer) {
    case (let a?, let b?): compareOptimizers(a, b)
    case (.some, nil): noteUncompared("optimizer state", in: "first")
    case (nil, .some): noteUncompared("optimizer state", in: "second")
    case (nil, nil): break
    }
    switch (first, second) {
    case (.checkpoint(let a), .checkpoint(let b)):
      comparedTrainingState = true
      state += Self.compare(a, b)
    case (.checkpoint, _): noteUncompared("training state", in: "first")
    case (_, .checkpoint): noteUncompared("training state", in: "second")
    default: break
    }
  }

  /// Whether nothing compared differs (tensors within the tolerance).
  public var isIdentical: Bool {
    architecture.isEmpty && state.isEmpty
      && (weights + optimizerSlots).allSatisfy { $0.agrees(tolerance: tolerance) }
  }

  /// The tensors that do not agree.
  public var differingTensors: [TensorDifference] {
    (weights
      + optimizerSlots.map { slot in
        TensorDifference(name: "optimizer " + slot.name, outcome: slot.outcome)
      }).filter { !$0.agrees(tolerance: tolerance) }
  }

  /// Notes what only one file holds, in one line per file:
  /// "optimizer state and training state: only in the first file".
  private mutating func noteUncompared(_ what: String, in file: String) {
    let suffix = ": only in the \(file) file"
    if let index = notCompared.firstIndex(where: { $0.hasSuffix(suffix) }) {
      notCompared[index] = notCompared[index].dropLast(suffix.count) + " and \(what)\(suffix)"
    } else {
      notCompared.append(what + suffix)
    }
  }

  private mutating func compareOptimizers(_ a: OptimizerState, _ b: OptimizerState) {
    let (first, second) = (Self.describe(a.configuration), Self.describe(b.configuration))
    if first != second { state.append(Field(name: "optimizer", first: first, second: second)) }
    if a.iterations != b.iterations {
      state.append(Field(name: "optimizer iterations", first: "\(a.iterations)", second: "\(b.iterations)"))
    }
    let float64 = a.dtype == .float64 || b.dtype == .float64
    for slot in Set(a.slots.keys).union(b.slots.keys).sorted() {
      let (left, right) = (a.slots[slot] ?? [:], b.slots[slot] ?? [:])
      for key in Set(left.keys).union(right.keys).sorted() {
        guard float64 else {
          optimizerSlots.append(TensorDifference(name: "\(slot)/\(key)", left[key], right[key]))
          continue
        }
        optimizerSlots.append(
          TensorDifference(name: "\(slot)/\(key)", a.widenedSlot(slot, key), b.widenedSlot(slot, key)))
      }
    }
  }

  static func describe(_ configuration: OptimizerConfiguration) -> String {
    let values = configuration.usedHyperparameters.map { "\($0.name) \($0.value)" }.joined(separator: ", ")
    let schedule = configuration.schedule.map { ", learning rate schedule \($0.summary)" } ?? ""
    return "\(configuration.kind.rawValue) (\(values))\(schedule)"
  }
}

extension TensorDifference {
  init(name: String, outcome: Outcome) {
    self.name = name
    self.outcome = outcome
  }
}
