public import BPKit
internal import CMPI
import Foundation

/// The ranks of an MPI job (`MPI_COMM_WORLD`) as a BPKit ``Communicator``.
///
/// ```swift
/// let communicator = try MPICommunicator.world()
/// let run = try TrainingRun(options, communicator: communicator)
/// try run.run()
/// ```
///
/// Start the program with `mpirun -np N`; every rank runs the same code.
/// Messages are MPI's point-to-point and collective operations on bytes, so
/// any MPI transport (shared memory, TCP, InfiniBand) carries them.
public final class MPICommunicator: Communicator, Sendable {
  public let rank: Int
  public let size: Int

  private init(rank: Int, size: Int) {
    self.rank = rank
    self.size = size
  }

  /// The job's ranks, initialising MPI on the first call; MPI is finalised
  /// when the process exits.
  ///
  /// Errors return to the caller as ``DistributedError`` rather than ending
  /// the job at once, so a rank can say what went wrong before it calls
  /// ``abort(exitCode:)``. A rank that dies ends the job: `mpirun` stops the others.
  ///
  /// - Throws: ``DistributedError/transport(operation:reason:)`` when MPI cannot start.
  public static func world() throws -> MPICommunicator {
    var initialized: Int32 = 0
    try MPILibrary.call("MPI_Initialized") { MPI_Initialized(&initialized) }
    if initialized == 0 {
      var provided: Int32 = 0
      try MPILibrary.call("MPI_Init_thread") {
        MPI_Init_thread(nil, nil, bpk_MPI_THREAD_SERIALIZED(), &provided)
      }
      atexit {
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
      }
      try MPILibrary.call("MPI_Comm_set_errhandler") {
        MPI_Comm_set_errhandler(bpk_MPI_COMM_WORLD(), bpk_MPI_ERRORS_RETURN())
      }
    }
    var rank: Int32 = 0
    var size: Int32 = 0
    try MPILibrary.call("MPI_Comm_rank") { MPI_Comm_rank(bpk_MPI_COMM_WORLD(), &rank) }
    try MPILibrary.call("MPI_Comm_size") { MPI_Comm_size(bpk_MPI_COMM_WORLD(), &size) }
    return MPICommunicator(rank: Int(rank), size: Int(size))
  }

  /// Whether this process was started by Open MPI's `mpirun` (which sets
  /// `OMPI_COMM_WORLD_SIZE`), so that a program run alone does not start MPI.
  public static var isLaunchedByMPI: Bool { getenv("OMPI_COMM_WORLD_SIZE") != nil }

  public func send(_ bytes: UnsafeRawBufferPointer, to destination: Int) throws {
    for (offset, count) in Self.pieces(bytes.count) {
      try MPILibrary.call("MPI_Send to rank \(destination)") {
        MPI_Send(
          bytes.baseAddress.map { $0 + offset }, Int32(count), bpk_MPI_BYTE(), Int32(destination), 0,
          bpk_MPI_COMM_WORLD())
      }
    }
  }

  public func receive(into bytes: UnsafeMutableRawBufferPointer, from source: Int) throws {
    for (offset, count) in Self.pieces(bytes.count) {
      var received: Int32 = 0
      try MPILibrary.call("MPI_Recv from rank \(source)") {
        bpk_mpi_receive_bytes(bytes.baseAddress.map { $0 + offset }, Int32(count), Int32(source), &received)
      }
      guard Int(received) == count else {
        throw DistributedError.messageSize(from: source, expected: count, actual: Int(received))
      }
    }
  }

  public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws {
    for (offset, count) in Self.pieces(bytes.count) {
      try MPILibrary.call("MPI_Bcast from rank \(root)") {
        MPI_Bcast(
          bytes.baseAddress.map { $0 + offset }, Int32(count), bpk_MPI_BYTE(), Int32(root), bpk_MPI_COMM_WORLD())
      }
    }
  }

  public func gather(_ bytes: UnsafeRawBufferPointer, to root: Int) throws -> [UInt8] {
    // Sizes first, then the bytes in pieces MPI's Int32 counts can address.
    var mine = Int64(bytes.count)
    var sizes = [Int64](repeating: 0, count: size)
    try sizes.withUnsafeMutableBytes { all in
      try MPILibrary.call("MPI_Gather of sizes to rank \(root)") {
        MPI_Gather(
          &mine, 1, bpk_MPI_INT64_T(), all.baseAddress, 1, bpk_MPI_INT64_T(), Int32(root), bpk_MPI_COMM_WORLD())
      }
    }
    guard rank == root else {
      try send(bytes, to: root)
      return []
    }
    var joined = [UInt8](repeating: 0, count: Int(sizes.reduce(0, +)))
    try joined.withUnsafeMutableBytes { all in
      var offset = 0
      for source in 0..<size {
        let part = UnsafeMutableRawBufferPointer(rebasing: all[offset..<(offset + Int(sizes[source]))])
        if source == root {
          part.copyMemory(from: bytes)
        } else {
          try receive(into: part, from: source)
        }
        offset += Int(sizes[source])
      }
    }
    return joined
  }

  public func abort(exitCode: Int32) -> Never {
    MPI_Abort(bpk_MPI_COMM_WORLD(), exitCode)
    exit(exitCode)
  }

  /// Splits `count` bytes into messages of at most 2³⁰ bytes, since MPI counts are 32-bit.
  private static func pieces(_ count: Int) -> [(offset: Int, count: Int)] {
    let most = 1 << 30
    if count == 0 { return [(0, 0)] }
    return stride(from: 0, to: count, by: most).map { ($0, min(most, count - $0)) }
  }
}
