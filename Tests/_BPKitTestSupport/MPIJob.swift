import Foundation

/// `mpirun` running the MPI-enabled `bpkit` that `make mpi-debug` builds in `.build-mpi`.
public enum MPIJob {
  /// The MPI-enabled bpkit: `BPKIT_MPI_BINARY` when set, otherwise `.build-mpi/debug/bpkit`.
  public static let binary: String =
    ProcessInfo.processInfo.environment["BPKIT_MPI_BINARY"]
    ?? Fixtures.repositoryRoot.appendingPathComponent(".build-mpi/debug/bpkit").path

  /// Open MPI's `mpirun` on the `PATH`, or `nil`.
  public static let mpirun: String? = {
    let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
    return folders.map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }
  }()

  /// Whether `mpirun` and the MPI-enabled bpkit are both there (`make test` installs and builds them).
  public static var isAvailable: Bool {
    mpirun != nil && FileManager.default.isExecutableFile(atPath: binary)
  }

  /// Runs `executable` (the MPI-enabled bpkit by default) as `ranks` ranks
  /// on this machine, allowed to run as root and on more ranks than cores.
  public static func run(ranks: Int, _ arguments: [String], executable: String = binary) throws -> ProcessResult {
    try runProcess(
      mpirun!, ["--oversubscribe", "-np", "\(ranks)", executable] + arguments, environment: environment)
  }

  /// What `mpirun` needs to run as root, and libhdf5's locking off as in every test.
  public static let environment = [
    "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "HDF5_USE_FILE_LOCKING": "FALSE",
  ]
}
