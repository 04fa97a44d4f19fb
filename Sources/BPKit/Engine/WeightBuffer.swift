internal import CKernels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A predictor's weights, which every call of one sample streams whole from
/// the core's cache: a buffer large enough for that to matter lies in 2 MiB
/// pages on Linux, contiguous in physical memory, so that a network of nearly
/// the L2 cache's size stays in it instead of evicting its own lines
/// (`bpk_weights_allocate`). Where the weights lie never changes a number.
final class WeightBuffer {
  /// The first weight.
  let pointer: UnsafeMutablePointer<Float>
  /// The number of weights.
  let count: Int

  /// Zeroed room for `count` weights.
  init(count: Int) {
    self.count = count
    // Out of memory ends the process, as Swift's own allocation does.
    guard let memory = bpk_weights_allocate(count) else { fatalError("out of memory for \(count) weights") }
    pointer = memory
  }

  deinit { free(pointer) }
}
