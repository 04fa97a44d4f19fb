internal import CKernels

/// The kernels of a network's dense layers packed once for one kernel path,
/// so that a ``Predictor``'s batch products read them packed instead of
/// packing them again on every call.
///
/// Packing only copies numbers into the order the path's products read them.
/// A product reads a packed copy only on the path it was packed for, and B
/// where it lies on any other; each output element is the same chain of fused
/// multiply-adds either way (see ``Kernels``).
final class PackedKernels {
  /// The path the copies are packed for.
  let path: Int32
  /// Per step of the plan: a dense layer's kernel, packed; `nil` where the
  /// path reads the kernel where it lies (small layers) and for other layers.
  private let buffers: [ScalarBuffer<Float>?]

  /// Packs every dense kernel of `plan` in `parameters` for the calling
  /// thread's path.
  init(plan: NetworkPlan, parameters: UnsafePointer<Float>) {
    let path = bpk_kernels_current_path()
    self.path = path
    buffers = plan.steps.map { step in
      guard case .dense(let d) = step else { return nil }
      let units = Int32(d.units)
      let inputs = Int32(d.inputWidth)
      let count = bpk_sgemm_packed_b_count(path, units, inputs)
      guard count > 0 else { return nil }
      let buffer = ScalarBuffer<Float>(capacity: count)
      bpk_sgemm_pack_b(path, units, inputs, parameters + d.kernel, units, buffer.pointer)
      return buffer
    }
  }

  /// out = (accumulate ? out : 0) + x·W for dense step `step`, whose kernel W
  /// ([inputs, units]) is at `kernel`: the same numbers as
  /// ``BLASScalar/gemm(transposeA:transposeB:m:n:k:a:lda:b:ldb:accumulate:c:ldc:)``.
  func multiply(
    step: Int, x: UnsafePointer<Float>, rows: Int, inputs: Int, units: Int, kernel: UnsafePointer<Float>,
    accumulate: Bool, into out: UnsafeMutablePointer<Float>
  ) {
    bpk_sgemm_prepacked(
      0, Int32(rows), Int32(units), Int32(inputs), x, Int32(inputs), kernel, Int32(units),
      buffers[step].map { UnsafePointer($0.pointer) }, path, accumulate ? 1 : 0, out, Int32(units))
  }
}
