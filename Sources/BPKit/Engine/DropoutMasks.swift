/// Where a training batch's dropout masks come from: a counter-based draw
/// that needs no generator state.
///
/// The mask bit of value `e` (its flat index within one sample's input to the
/// layer, `step · width + unit` for sequences) of the sample at position `p`
/// of epoch `epoch`, in dropout layer `layer` (its index in the network), is
///
/// ```
/// k = mix(mix(mix(mix(seed ⊕ D) ⊕ epoch) ⊕ p) ⊕ layer)
/// u = (mix(k + (e + 1)·γ) >> 11) · 2⁻⁵³
/// keep = u ≥ rate
/// ```
///
/// with `mix` SplitMix64's output function (Steele, Lea and Flood, "Fast
/// splittable pseudorandom number generators", 2014), γ = 0x9E3779B97F4A7C15
/// its increment and D = 0x44524F504F555421 ("DROPOUT!") keeping these draws
/// apart from the run's other uses of its seed. Each value's bit is a
/// function of the run's seed and of where the value is, never of the order
/// values are drawn in: a sample gets the same masks whatever batch, thread,
/// or MPI rank computes it, and a run resumed mid-epoch draws exactly the
/// masks the uninterrupted run draws, without storing any generator state.
public struct DropoutMasks: Hashable, Sendable {
  /// The run's seed (``TrainingConfiguration/seed``).
  public var seed: UInt64
  /// The epoch (0-based) being trained.
  public var epoch: Int
  /// The position in the epoch's order of the batch's first sample.
  public var position: Int

  /// Creates the draw of a batch whose first sample is at `position` of `epoch`.
  public init(seed: UInt64, epoch: Int = 0, position: Int = 0) {
    self.seed = seed
    self.epoch = epoch
    self.position = position
  }

  private static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15
  private static let domain: UInt64 = 0x4452_4F50_4F55_5421

  /// SplitMix64's output function.
  @inline(__always)
  static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The key of one sample's mask in one layer.
  func key(sample: Int, layer: Int) -> UInt64 {
    var k = Self.mix(seed ^ Self.domain)
    k = Self.mix(k ^ UInt64(bitPattern: Int64(epoch)))
    k = Self.mix(k ^ UInt64(bitPattern: Int64(position + sample)))
    return Self.mix(k ^ UInt64(bitPattern: Int64(layer)))
  }

  /// Which of `count` values a dropout layer of rate `rate` keeps, for sample
  /// `sample` of the batch (at position `position + sample` of the epoch) in
  /// the layer at index `layer` of the network: the masks training draws.
  ///
  /// - Parameters:
  ///   - sample: The sample's index in the batch.
  ///   - layer: The dropout layer's index in ``NetworkDescription/layers``.
  ///   - count: The number of values of one sample the layer receives (steps · width for sequences).
  ///   - rate: The layer's rate.
  /// - Returns: `true` for each value kept (and scaled by 1 / (1 − rate)), `false` for each dropped.
  public func kept(sample: Int, layer: Int, count: Int, rate: Double) -> [Bool] {
    var mask = [Float](repeating: 0, count: count)
    mask.withUnsafeMutableBufferPointer {
      if let base = $0.baseAddress { fill(base, count: count, sample: sample, layer: layer, rate: rate) }
    }
    return mask.map { $0 != 0 }
  }

  /// Writes 1 where a value is kept and 0 where it is dropped, for `count`
  /// values of sample `sample` of the batch (its position is `position + sample`).
  func fill<S: BLASScalar>(_ mask: UnsafeMutablePointer<S>, count: Int, sample: Int, layer: Int, rate: Double) {
    let k = key(sample: sample, layer: layer)
    for e in 0..<count {
      let bits = Self.mix(k &+ UInt64(e + 1) &* Self.gamma)
      let u = Double(bits >> 11) * 0x1p-53
      mask[e] = u >= rate ? 1 : 0
    }
  }
}
