internal import CHDF5Probe

extension HDF5Probe {
  /// The probe program: walks the structure of the HDF5 file named by the
  /// last argument and reads its attributes and small datasets, under limits
  /// on processor time and memory, so that the parent learns whether libhdf5
  /// can parse the file without crashing.
  ///
  /// The walk is C (the `CHDF5Probe` target), and the `bpkit-probe` program
  /// is that walk and libhdf5 alone, so it starts in about a millisecond. A
  /// program that wants to be its own probe calls this function when
  /// started with its probe arguments; it runs the same walk.
  ///
  /// A last argument of `-` alone means the file is held in memory by the
  /// parent, which sends its bytes as standard input
  /// (``HDF5Probe/check(image:name:)``): the probe opens them as a file image.
  ///
  /// - Returns: The exit status: 0 when the walk finished, 1 when libhdf5
  ///   reported an error, 2 without a file argument, 3 when an attribute
  ///   message does not hold the parts it declares. The parent refuses the
  ///   file for a signal (a crash), for running out of time, for an error
  ///   of libhdf5 and for a damaged attribute message (``HDF5Probe/check(_:)``).
  public static func runChild(arguments: [String]) -> Int32 {
    guard let path = arguments.last else { return 2 }
    return bpk_probe_run(path)
  }
}
