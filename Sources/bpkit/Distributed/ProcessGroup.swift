import ArgumentParser
import BPKit
import Foundation

#if BPKIT_MPI
  import BPKitMPI
#endif

/// The ranks this bpkit runs among: the processes of `mpirun` in the
/// MPI-enabled build (`make mpi`), or this process alone.
enum ProcessGroup {
  /// The job's communicator when `mpirun` started more than one rank, else `nil`.
  ///
  /// - Throws: `ValidationError` when a build without MPI is started as
  ///   several ranks, which would each run the whole command on their own.
  static func communicator() throws -> (any Communicator)? {
    #if BPKIT_MPI
      guard MPICommunicator.isLaunchedByMPI else { return nil }
      let world = try MPICommunicator.world()
      return world.size > 1 ? world : nil
    #else
      // getenv: ProcessInfo's environment copies every variable into a dictionary.
      let ranks = getenv("OMPI_COMM_WORLD_SIZE").flatMap { Int(String(cString: $0)) } ?? 1
      guard ranks <= 1 else {
        throw ValidationError(
          "this bpkit was built without MPI, so its \(ranks) ranks would each run alone; build the MPI-enabled "
            + "bpkit with 'make mpi' and start .build-mpi/release/bpkit under mpirun")
      }
      return nil
    #endif
  }

  /// Runs a command's body as ``ExitStatus/reporting(_:)`` does; on several
  /// ranks an error, once printed, ends every rank of the job with its exit
  /// code, since the other ranks would wait for this one forever.
  static func reporting(_ communicator: (any Communicator)?, _ body: () throws -> Void) throws {
    guard let communicator else { return try ExitStatus.reporting(body) }
    do {
      try body()
    } catch let exit as ExitCode {
      throw exit
    } catch {
      do {
        try ExitStatus.reporting { throw error }
      } catch let exit as ExitCode {
        communicator.abort(exitCode: exit.rawValue)
      }
    }
  }
}
