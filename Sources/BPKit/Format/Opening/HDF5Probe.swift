import Foundation
import HDF5
import Synchronization

/// Parses HDF5 files in a child process before libhdf5 parses them in this one.
///
/// libhdf5 trusts the structure of the files it opens, and damaged or
/// crafted metadata makes it crash or loop forever (h5py#1183, h5py#2569,
/// HDFGroup/hdf5#1707; RELIABILITY.md lists the inputs bpkit's suite found).
/// So before an untrusted HDF5 file (``FileTrust/untrusted``) is opened, a
/// probe program walks its structure and reads its small datasets in a
/// separate process, limited to ``cpuSeconds`` of processor time and
/// ``memoryBytes`` of address space and killed after ``timeout`` seconds.
/// If the probe dies of a signal or runs out of time, the file is refused.
///
/// The probe is the `bpkit-probe` executable this package builds (its whole
/// program is ``runChild(arguments:)``). Programs that embed BPKit ship it
/// beside their own executable, where it is found by default, or name it
/// with ``use(_:)`` or the `BPKIT_PROBE` environment variable. The `bpkit`
/// command-line tool is its own probe (`bpkit probe-hdf5 FILE`).
public struct HDF5Probe: Sendable, Hashable {
  /// The probe program.
  public var executable: URL
  /// Arguments before the file's path.
  public var arguments: [String]
  /// Seconds of wall-clock time before the probe is killed and the file counts as one that makes libhdf5 loop.
  public var timeout: Double = 10
  /// The probe's processor-time limit (`RLIMIT_CPU`).
  public static let cpuSeconds = 20
  /// The probe's address-space limit (`RLIMIT_AS`).
  public static let memoryBytes = 4 << 30
  /// Datasets up to this size are read whole by the probe, so their chunk
  /// indexes and filters are exercised, while big data stays unread.
  public static let readLimit = 16 << 20

  /// A probe program run as `executable arguments... FILE`.
  public init(executable: URL, arguments: [String] = []) {
    self.executable = executable
    self.arguments = arguments
  }

  private static let configured = Mutex<HDF5Probe?>(nil)

  /// Makes `probe` the one this process runs for every untrusted HDF5 file.
  public static func use(_ probe: HDF5Probe) {
    configured.withLock { $0 = probe }
  }

  /// The probe this process runs: the one given to ``use(_:)``, else the
  /// program named by `BPKIT_PROBE`, else `bpkit-probe` beside the main
  /// executable; `nil` when none of those exists.
  public static var current: HDF5Probe? {
    if let probe = configured.withLock({ $0 }) { return probe }
    if let path = ProcessInfo.processInfo.environment["BPKIT_PROBE"], !path.isEmpty {
      return HDF5Probe(executable: URL(fileURLWithPath: path))
    }
    guard let main = Bundle.main.executableURL else { return nil }
    let beside = main.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("bpkit-probe")
    return FileManager.default.isExecutableFile(atPath: beside.path) ? HDF5Probe(executable: beside) : nil
  }

  /// Runs the current probe on `path`.
  ///
  /// - Throws: ``OpeningError`` when there is no probe, or the probe crashes or hangs on the file.
  static func contain(_ path: String) throws(BPKitError) {
    guard let probe = current else {
      throw BPKitError(
        OpeningError.probeUnavailable(file: path, reason: "no bpkit-probe beside the program and no BPKIT_PROBE"))
    }
    try probe.check(path)
  }

  /// Parses the file at `path` in a child process.
  ///
  /// The probe exits 0 when it walked the whole file, and 1 when libhdf5
  /// failed to read part of the structure within the probe's limits.
  ///
  /// - Throws: ``OpeningError/libraryCrashed(file:signal:)`` when the probe dies of a signal,
  ///   ``OpeningError/libraryHung(file:seconds:)`` when it runs out of time,
  ///   ``OpeningError/libraryFailed(file:)`` when libhdf5 cannot read the structure,
  ///   ``OpeningError/probeUnavailable(file:reason:)`` when it cannot be started.
  public func check(_ path: String) throws(BPKitError) {
    do {
      let pid: pid_t
      do {
        pid = try spawn(arguments + [path])
      } catch {
        throw OpeningError.probeUnavailable(
          file: path, reason: "\(executable.path): \(String(cString: strerror(error.code)))")
      }
      let deadline = Date().addingTimeInterval(timeout)
      var status: Int32 = 0
      while true {
        let done = waitpid(pid, &status, WNOHANG)
        if done == pid || (done < 0 && errno != EINTR) { break }
        if Date() > deadline {
          kill(pid, SIGKILL)
          while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
          throw OpeningError.libraryHung(file: path, seconds: Int(timeout))
        }
        usleep(1000)
      }
      // WIFSIGNALED, WTERMSIG and WEXITSTATUS, which Swift does not import.
      let signal = status & 0x7f
      if signal == 0 {
        if (status >> 8) & 0xff == 1 { throw OpeningError.libraryFailed(file: path) }
        return
      }
      guard signal != 0x7f else { return }
      if signal == SIGXCPU { throw OpeningError.libraryHung(file: path, seconds: Self.cpuSeconds) }
      throw OpeningError.libraryCrashed(file: path, signal: signal)

    } catch {
      throw BPKitError(error)
    }
  }

  private struct SpawnError: Error { var code: Int32 }

  /// Starts the probe with standard input and output on `/dev/null` and no
  /// other descriptor of this process: an HDF5 file this process has open
  /// keeps its lock, which a child holding the descriptor would keep alive
  /// after this process closes the file.
  private func spawn(_ arguments: [String]) throws(SpawnError) -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for descriptor: Int32 in 0...2 {
      posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
    }
    // glibc's addclosefrom_np is not visible to Swift: close what is open now.
    let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    for descriptor in open.compactMap(Int32.init) where descriptor > 2 {
      posix_spawn_file_actions_addclose(&actions, descriptor)
    }
    let argv = ([executable.path] + arguments).map { strdup($0) }
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let result = (argv + [nil]).withUnsafeBufferPointer { arguments in
      posix_spawn(&pid, executable.path, &actions, nil, arguments.baseAddress!, environ)
    }
    guard result == 0 else { throw SpawnError(code: result) }
    return pid
  }
}
