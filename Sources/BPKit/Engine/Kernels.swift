internal import CKernels

/// bpkit's matrix kernels: which path computes the products, and on how many
/// threads.
///
/// Every product the engine computes gives each output element as one chain
/// of fused multiply-adds over the shared dimension, in order, with vectors
/// across outputs only. So a number does not depend on the batch it was
/// computed in, on the number of threads, or on the path: the AVX-512, the
/// AVX2+FMA and the portable path give bitwise equal results (see the
/// README's "Reproducibility" section). The paths differ only in speed.
///
/// The path is the fastest the CPU runs unless the environment variable
/// `BPKIT_KERNELS` names another (`avx512`, `avx2`, `portable` or `auto`)
/// when the process starts, or ``path`` is set.
public enum Kernels {
  /// A way of computing the products.
  public enum Path: String, CaseIterable, Sendable, CustomStringConvertible {
    /// 16 outputs per instruction (x86-64 with AVX-512 F, VL, BW and DQ).
    case avx512
    /// 8 outputs per instruction (x86-64 with AVX2 and FMA).
    case avx2
    /// Scalar fused multiply-adds from the C library, for any CPU.
    case portable

    /// The path's name, as `BPKIT_KERNELS` takes it.
    public var description: String { rawValue }

    var code: Int32 {
      switch self {
      case .avx512: Int32(bpk_path_avx512.rawValue)
      case .avx2: Int32(bpk_path_avx2.rawValue)
      case .portable: Int32(bpk_path_portable.rawValue)
      }
    }

    init(code: Int32) {
      switch code {
      case Int32(bpk_path_avx512.rawValue): self = .avx512
      case Int32(bpk_path_avx2.rawValue): self = .avx2
      default: self = .portable
      }
    }

    /// Whether this CPU can run the path.
    public var isSupported: Bool { bpk_kernels_supports(code) != 0 }
  }

  /// The fastest path this CPU runs.
  public static var best: Path { Path(code: bpk_kernels_best_path()) }

  /// The paths this CPU runs, fastest first.
  public static var supported: [Path] { Path.allCases.filter(\.isSupported) }

  /// The path of every product the process computes, unless a thread chose
  /// its own with ``with(path:threads:_:)``.
  public static var path: Path { Path(code: bpk_kernels_path()) }

  /// Makes `path` the process-wide path.
  ///
  /// - Throws: ``BPKitError/Code/unsupportedKernelPath`` when this CPU cannot run it.
  public static func use(_ path: Path) throws(BPKitError) {
    do {
      guard bpk_kernels_set_path(path.code) == 0 else { throw KernelError.unsupportedPath(path) }

    } catch {
      throw BPKitError(error)
    }
  }

  /// Runs `body` with every product it starts on this thread computed on
  /// `path` (when given) and with `threads` threads (when given), then
  /// restores the thread's previous choices. Other threads are unaffected.
  ///
  /// - Throws: ``BPKitError/Code/unsupportedKernelPath`` when this CPU cannot run
  ///   the path, or what `body` throws.
  public static func with<T>(path: Path? = nil, threads: Int? = nil, _ body: () throws -> T) throws -> T {
    do {
      if let path, !path.isSupported { throw KernelError.unsupportedPath(path) }
      let previousPath = currentThreadPathChoice
      let previousThreads = bpk_kernels_set_thread_threads(threads.map { Int32(clamping: max(1, $0)) } ?? 0)
      if threads == nil { bpk_kernels_set_thread_threads(previousThreads) }
      if let path { bpk_kernels_set_thread_path(path.code) }
      defer {
        bpk_kernels_set_thread_path(previousPath)
        bpk_kernels_set_thread_threads(previousThreads)
      }
      return try body()

    } catch let error as any BPKitErrorReason {
      throw BPKitError(error)
    }
  }

  /// The calling thread's own choice of path, or 0 when it follows the process.
  static var currentThreadPathChoice: Int32 {
    let current = bpk_kernels_current_path()
    return current == bpk_kernels_path() ? 0 : current
  }

  /// The number of threads one product may use. By default, the number of
  /// processors the process may run on. It changes the time taken, never a
  /// number.
  public static var threads: Int {
    get { Int(bpk_kernels_threads()) }
    set { bpk_kernels_set_threads(Int32(clamping: max(1, newValue))) }
  }

  /// The number of processors this process may run on.
  public static var availableProcessors: Int { Int(bpk_kernels_available_processors()) }

  /// Checks the environment's choice of path; every engine entry point calls it.
  ///
  /// - Throws: ``BPKitError/Code/unsupportedKernelPath`` when `BPKIT_KERNELS`
  ///   names no path this CPU runs.
  public static func validateEnvironment() throws(BPKitError) {
    do {
      if let value = bpk_kernels_rejected_environment() { throw KernelError.invalidEnvironment(String(cString: value)) }

    } catch {
      throw BPKitError(error)
    }
  }
}
