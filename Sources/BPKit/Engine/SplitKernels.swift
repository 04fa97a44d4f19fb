internal import CKernels

/// The large dense kernels of a network cut by columns into one part per
/// thread, each part stored apart, so that a single sample's products run on
/// every thread at once with each core streaming only its own part of the
/// weights, from its own cache (a batch of one reads every weight once, so
/// its speed is that of the stream).
///
/// Each output is still one thread's chain of fused multiply-adds over all of
/// its inputs, the same numbers as on one thread (see ``Kernels``).
final class SplitKernels {
  /// The threads, and parts of each kernel.
  let parts: Int
  /// Per step of the plan: a dense layer's kernel in parts; `nil` for layers
  /// too small to gain from a second thread, and for other layers.
  private let buffers: [WeightBuffer?]

  /// Kernels below this many weights run on one thread: handing a product
  /// over costs about as much as streaming 64 KB.
  static let minimumWeights = 16_384

  /// Cuts every large dense kernel of `plan` in `parameters` into `parts` parts.
  init(plan: NetworkPlan, parameters: UnsafePointer<Float>, parts: Int) {
    self.parts = parts
    buffers = plan.steps.map { step in
      guard case .dense(let d) = step, d.units * d.inputWidth >= Self.minimumWeights, d.units >= 32 else { return nil }
      let buffer = WeightBuffer(count: d.units * d.inputWidth)
      bpk_split_pack(
        Int32(d.units), Int32(d.inputWidth), parameters + d.kernel, Int32(d.units), Int32(parts), buffer.pointer)
      return buffer
    }
  }

  /// out = b + x·W (0 + x·W without a bias) for dense step `step` over the
  /// threads, then out = max(out, 0) with `rectify`; `false` when that step's
  /// kernel is not cut (nothing is computed then).
  func multiply(
    step: Int, x: UnsafePointer<Float>, rows: Int, inputs: Int, units: Int, bias: UnsafePointer<Float>?,
    rectify: Bool, into out: UnsafeMutablePointer<Float>
  ) -> Bool {
    guard let buffer = buffers[step] else { return false }
    bpk_sgemm_split_rows(
      Int32(rows), Int32(units), Int32(inputs), x, Int32(inputs), buffer.pointer, Int32(parts), bias, 0,
      rectify ? 1 : 0, out, Int32(units))
    return true
  }
}
