internal import CKernels

/// The large dense kernels of a network cut by columns into one part per
/// thread, each part stored apart, so that a single sample's products run on
/// every thread at once with each core streaming only its own part of the
/// weights, from its own cache (a batch of one reads every weight once, so
/// its speed is that of the stream).
///
/// Each output is still one thread's chain of fused multiply-adds over all of
/// its inputs, the same numbers as on one thread (see ``Kernels``).
///
/// On one thread (`alone`), a kernel is cut in two halves that run one after
/// the other, in the opposite order at each call: a sample then starts with
/// the half it read last, still in the cache, instead of the half out of use
/// longest, which weights of nearly the cache's size have evicted.
final class SplitKernels {
  /// The threads, and parts of each kernel.
  let parts: Int
  /// Whether the parts run one after another on the calling thread.
  let alone: Bool
  /// Per step of the plan: a dense layer's kernel in parts; `nil` for layers
  /// too small to gain from a second thread, and for other layers.
  private let buffers: [WeightBuffer?]
  /// Per step, alone: whether the next call runs the parts last to first.
  private var reversed: [Bool]

  /// One thread cuts the large kernels in halves only when they take at
  /// least this many weights in all (512 KiB, half of a 1 MiB L2): below,
  /// they stay in a core's cache read in any order, and the copy would cost
  /// memory for nothing.
  static let minimumAloneWeights = 1 << 17

  /// The weights of `plan`'s kernels that would be cut.
  static func cutWeights(plan: NetworkPlan) -> Int {
    plan.steps.reduce(0) { total, step in
      guard case .dense(let d) = step, isCut(d) else { return total }
      return total + d.units * d.inputWidth
    }
  }

  static func isCut(_ d: NetworkPlan.DenseStep) -> Bool {
    d.units * d.inputWidth >= minimumWeights && d.units >= 32
  }

  /// Kernels below this many weights run on one thread: handing a product
  /// over costs about as much as streaming 64 KB.
  static let minimumWeights = 16_384

  /// Cuts every large dense kernel of `plan` in `parameters` into `parts`
  /// parts, run over the threads or, `alone`, on the calling thread.
  init(plan: NetworkPlan, parameters: UnsafePointer<Float>, parts: Int, alone: Bool = false) {
    self.parts = parts
    self.alone = alone
    reversed = Array(repeating: false, count: plan.steps.count)
    buffers = plan.steps.map { step in
      guard case .dense(let d) = step, Self.isCut(d) else { return nil }
      let buffer = WeightBuffer(count: d.units * d.inputWidth)
      bpk_split_pack(
        Int32(d.units), Int32(d.inputWidth), parameters + d.kernel, Int32(d.units), Int32(parts), buffer.pointer)
      return buffer
    }
  }

  /// Dense step `step`'s kernel in parts (bpk_split_pack's layout), or `nil`
  /// when that step's kernel is not cut.
  func kernel(step: Int) -> UnsafePointer<Float>? {
    buffers[step].map { UnsafePointer($0.pointer) }
  }

  /// out = b + x·W (0 + x·W without a bias) for dense step `step` over the
  /// threads, then out = max(out, 0) with `rectify`; `false` when that step's
  /// kernel is not cut (nothing is computed then).
  func multiply(
    step: Int, x: UnsafePointer<Float>, rows: Int, inputs: Int, units: Int, bias: UnsafePointer<Float>?,
    rectify: Bool, into out: UnsafeMutablePointer<Float>
  ) -> Bool {
    guard let buffer = buffers[step] else { return false }
    if alone {
      bpk_sgemm_split_rows_alone(
        Int32(rows), Int32(units), Int32(inputs), x, Int32(inputs), buffer.pointer, Int32(parts), bias, 0,
        rectify ? 1 : 0, out, Int32(units), reversed[step] ? 1 : 0)
      reversed[step].toggle()
      return true
    }
    bpk_sgemm_split_rows(
      Int32(rows), Int32(units), Int32(inputs), x, Int32(inputs), buffer.pointer, Int32(parts), bias, 0,
      rectify ? 1 : 0, out, Int32(units))
    return true
  }
}
