internal import CBLAS

/// The BLAS library bpkit computes matrix products with.
///
/// bpkit loads OpenBLAS at run time, after choosing its kernel family from the
/// CPU's feature flags (see the README's "BLAS" section). Every engine entry
/// point calls ``load()`` first, so a missing library becomes a
/// ``BLASError`` rather than a crash.
public enum BLAS {
  /// Loads the library once; later calls return at once.
  ///
  /// - Throws: ``BLASError/unavailable(_:)`` when no usable BLAS is installed.
  public static func load() throws(BLASError) {
    guard bpk_blas_load() == 0 else {
      throw .unavailable(bpk_blas_error().map { String(cString: $0) } ?? "unknown reason")
    }
  }

  /// The kernel family in use, as OpenBLAS names it (for example `SkylakeX`),
  /// or `unknown`.
  public static var coreName: String { String(cString: bpk_blas_core_name()) }

  /// The file name of the loaded library, or `none`.
  public static var libraryName: String { String(cString: bpk_blas_library()) }

  /// The `OPENBLAS_CORETYPE` bpkit chose for this CPU, or `nil` when it kept
  /// the user's value or the CPU needed none.
  public static var chosenCoreType: String? { bpk_blas_chosen_core_type().map { String(cString: $0) } }

  /// Sets the number of threads BLAS uses for one product and returns the
  /// number in effect. OpenBLAS's setting is process-wide.
  @discardableResult
  public static func setThreads(_ threads: Int) -> Int {
    Int(bpk_blas_set_threads(Int32(max(1, threads))))
  }
}
