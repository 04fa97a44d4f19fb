internal import CHDF5Probe
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
/// ``memoryBytes`` of address space and killed after ``timeout`` seconds of
/// processor time.
/// If the probe dies of a signal or runs out of time, the file is refused.
///
/// The probe is the `bpkit-probe` executable this package builds (its whole
/// program is ``runChild(arguments:)``). Programs that embed BPKit ship it
/// beside their own executable, where it is found by default, or name it
/// with ``use(_:)`` or the `BPKIT_PROBE` environment variable. The `bpkit`
/// command-line tool runs the `bpkit-probe` beside it, and is its own probe
/// (`bpkit probe-hdf5 FILE`) when there is none.
public struct HDF5Probe: Sendable, Hashable {
  /// The probe program.
  public var executable: URL
  /// Arguments before the file's path.
  public var arguments: [String]
  /// Seconds of processor time the probe may use before it is killed and
  /// the file counts as one that makes libhdf5 loop. Processor time, not
  /// wall-clock time: on a loaded machine the probe waits its turn without
  /// using any of it.
  public var timeout: Double = 10
  /// Seconds of wall-clock time after which a probe that still has not
  /// finished is killed however little processor time it used: one blocked
  /// in the kernel.
  public var wallClockLimit: Double = 600
  /// The probe's processor-time limit (`RLIMIT_CPU`).
  public static let cpuSeconds = Int(BPK_PROBE_CPU_SECONDS)
  /// The probe's address-space limit (`RLIMIT_AS`).
  public static let memoryBytes = Int(BPK_PROBE_MEMORY_BYTES)
  /// Datasets up to this size are read whole by the probe, so their chunk
  /// indexes and filters are exercised, while big data stays unread.
  public static let readLimit = Int(BPK_PROBE_READ_LIMIT)

  /// A probe program run as `executable arguments... FILE`.
  public init(executable: URL, arguments: [String] = []) {
    self.executable = executable
    self.arguments = arguments
  }

  /// The probes ``use(_:)`` and ``useWhenNoneIsFound(_:)`` named.
  private struct Choice {
    var chosen: HDF5Probe?
    var fallback: HDF5Probe?
  }

  private static let configured = Mutex(Choice())

  /// Makes `probe` the one this process runs for every untrusted HDF5 file.
  public static func use(_ probe: HDF5Probe) {
    configured.withLock { $0.chosen = probe }
  }

  /// Makes `probe` the one this process runs when no other is found: no
  /// probe given to ``use(_:)``, no `BPKIT_PROBE`, no `bpkit-probe` beside the
  /// main executable. Nothing is looked for until a file is first probed,
  /// so a program that opens no untrusted HDF5 file pays nothing for it.
  public static func useWhenNoneIsFound(_ probe: HDF5Probe) {
    configured.withLock { $0.fallback = probe }
  }

  /// The probe this process runs: the one given to ``use(_:)``, else the
  /// program named by `BPKIT_PROBE`, else `bpkit-probe` beside the main
  /// executable, else the one given to ``useWhenNoneIsFound(_:)``; `nil`
  /// when there is none of those.
  public static var current: HDF5Probe? {
    let choice = configured.withLock { $0 }
    if let chosen = choice.chosen { return chosen }
    if let path = getenv("BPKIT_PROBE").map({ String(cString: $0) }), !path.isEmpty {
      return HDF5Probe(executable: URL(fileURLWithPath: path))
    }
    return besideMainExecutable ?? choice.fallback
  }

  /// `bpkit-probe` beside the main executable, when it is there: looked
  /// for once.
  private static let besideMainExecutable: HDF5Probe? = {
    guard let main = mainExecutable else { return nil }
    let beside = main.deletingLastPathComponent().appendingPathComponent("bpkit-probe")
    return access(beside.path, X_OK) == 0 ? HDF5Probe(executable: beside) : nil
  }()

  /// The running program's executable, symbolic links resolved. Read from
  /// `/proc/self/exe` where there is one: `Bundle.main` lists the folder
  /// the executable is in, which costs milliseconds at every start in a
  /// folder of many files (`/usr/bin`, `/tmp`).
  private static var mainExecutable: URL? {
    if let path = realpath("/proc/self/exe", nil) {
      defer { free(path) }
      return URL(fileURLWithPath: String(cString: path))
    }
    return Bundle.main.executableURL?.resolvingSymlinksInPath()
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

  /// Runs the current probe on an HDF5 file held in memory.
  ///
  /// - Throws: The errors of ``contain(_:)``.
  static func contain(image: UnsafeRawBufferPointer, name: String) throws(BPKitError) {
    guard let probe = current else {
      throw BPKitError(
        OpeningError.probeUnavailable(file: name, reason: "no bpkit-probe beside the program and no BPKIT_PROBE"))
    }
    try probe.check(image: image, name: name)
  }

  /// Parses the file at `path` in a child process.
  ///
  /// The probe exits 0 when it walked the whole file, 1 when libhdf5
  /// failed to read part of the structure within the probe's limits, and 3
  /// when an attribute message does not hold the parts it declares (checked
  /// on the file's bytes before libhdf5 decodes it). The
  /// probe is another process, so a name that means something only in this
  /// one (`/proc/self/fd/3`, `/dev/fd/3`) is resolved to the file's own
  /// name first.
  ///
  /// - Throws: ``BPKitError/Code/refused`` when the probe dies of a signal,
  ///   ``BPKitError/Code/refused`` when it runs out of time,
  ///   ``BPKitError/Code/refused`` when libhdf5 cannot read the structure,
  ///   ``BPKitError/Code/refused`` when an attribute message is damaged,
  ///   ``BPKitError/Code/readFailed`` when it cannot be started.
  public func check(_ path: String) throws(BPKitError) {
    var name = path
    if let resolved = realpath(path, nil) {
      name = String(cString: resolved)
      free(resolved)
    }
    do {
      // The probe's last argument is a path; `-` alone means standard input.
      try run(argument: name.hasPrefix("-") ? "./" + name : name, input: nil, file: path)
    } catch {
      throw BPKitError(error)
    }
  }

  /// Parses an HDF5 file held in memory (`HDF5File(image:name:)`) in a
  /// child process, which reads its bytes from its standard input, a socket
  /// this process writes them into: nothing goes through a file system.
  ///
  /// - Parameters:
  ///   - image: The file's bytes.
  ///   - name: What errors call the file.
  /// - Throws: The errors of ``check(_:)``.
  public func check(image: UnsafeRawBufferPointer, name: String) throws(BPKitError) {
    var ends: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
      throw BPKitError(
        OpeningError.probeUnavailable(file: name, reason: "socketpair: \(String(cString: strerror(errno)))"))
    }
    defer { close(ends[0]) }
    _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
    do {
      try run(argument: "-", input: (child: ends[1], parent: ends[0], bytes: image), file: name)
    } catch {
      throw BPKitError(error)
    }
  }

  /// Runs the probe on `argument`; with `input`, the child's standard input
  /// is `child` (one end of a socket pair, closed here once the child has
  /// it) and the bytes are written into `parent`, the other end, as it reads.
  private func run(
    argument: String, input: (child: Int32, parent: Int32, bytes: UnsafeRawBufferPointer)?, file path: String
  ) throws(OpeningError) {
    let pid: pid_t
    do {
      pid = try spawn(arguments + [argument], input: input?.child)
    } catch {
      if let input { close(input.child) }
      throw .probeUnavailable(file: path, reason: "\(executable.path): \(String(cString: strerror(error.code)))")
    }
    var feeder = input.map { ImageFeeder(socket: $0.parent, bytes: $0.bytes) }
    if let input { close(input.child) }
    let deadline = Date().addingTimeInterval(wallClockLimit)
    var status: Int32 = 0
    var wakes = 0
    let ending = ChildEnding(pid)
    while true {
      let done = waitpid(pid, &status, WNOHANG)
      if done == pid || (done < 0 && errno != EINTR) { break }
      // Bytes the child can take now are sent without waiting.
      if feeder?.send() == true { continue }
      wakes += 1
      // Reading the child's times costs more than a wait: after a sleep
      // that ran out, or every 16th wake.
      if !ending.sleep(feeding: feeder.flatMap { $0.finished ? nil : $0.socket }) || wakes % 16 == 0 {
        let overTime = Self.processorSeconds(of: pid) > timeout
        if overTime || Date() > deadline {
          kill(pid, SIGKILL)
          while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
          throw .libraryHung(file: path, seconds: Int((overTime ? timeout : wallClockLimit).rounded(.up)))
        }
      }
    }
    // WIFSIGNALED, WTERMSIG and WEXITSTATUS, which Swift does not import.
    let signal = status & 0x7f
    if signal == 0 {
      switch (status >> 8) & 0xff {
      case 1: throw .libraryFailed(file: path)
      case BPK_PROBE_DAMAGED_ATTRIBUTE: throw .damagedAttributeMessage(file: path)
      default: break
      }
      return
    }
    guard signal != 0x7f else { return }
    if signal == SIGXCPU { throw .libraryHung(file: path, seconds: Self.cpuSeconds) }
    throw .libraryCrashed(file: path, signal: signal)
  }

  /// Sleeps until the probe ends: on a descriptor of the child that becomes
  /// readable when it exits (`pidfd_open`), so the parent wakes the moment
  /// the probe is done, or, where the kernel has none, for a millisecond at
  /// a time.
  private final class ChildEnding {
    /// The child's descriptor; -1 without `pidfd_open`.
    let descriptor: Int32

    init(_ pid: pid_t) { descriptor = bpk_probe_wait_descriptor(pid) }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Sleeps until the child ends, `socket` (when given) takes bytes, or
    /// ``interval`` milliseconds have passed; `false` when the whole interval
    /// passed. Without a descriptor, sleeps a millisecond and returns `true`.
    func sleep(feeding socket: Int32?) -> Bool {
      guard descriptor >= 0 else {
        usleep(1000)
        return true
      }
      var watched = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
      if let socket { watched.append(pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)) }
      return poll(&watched, nfds_t(watched.count), Self.interval) != 0
    }

    /// How long a sleep lasts at most before the child's time is checked.
    static let interval: Int32 = 16
  }

  /// Writes an image into a non-blocking socket as the child reads it, and
  /// ends the stream once all is written. A child that stops reading (it
  /// died) ends the writing without a signal (`MSG_NOSIGNAL`).
  private struct ImageFeeder {
    var socket: Int32
    var bytes: UnsafeRawBufferPointer
    var sent = 0
    var finished = false

    /// Sends what the socket takes; `true` when it took something.
    mutating func send() -> Bool {
      guard !finished else { return false }
      if sent < bytes.count {
        let count = Glibc.send(socket, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
        if count > 0 {
          sent += count
          return true
        }
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return false }
      }
      shutdown(socket, Int32(SHUT_WR))
      finished = true
      return false
    }
  }

  /// The processor time, user and system, a running child has used so
  /// far: fields 14 and 15 of `/proc/PID/stat` (proc(5)), in clock ticks.
  static func processorSeconds(of pid: pid_t) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = text.lastIndex(of: ")")
    else { return 0 }
    // The command name (field 2) may hold spaces: count fields after its ')'.
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
  }

  private struct SpawnError: Error { var code: Int32 }

  /// Starts the probe with standard input (unless `input` is given) and
  /// output on `/dev/null` and no other descriptor of this process: an HDF5
  /// file this process has open keeps its lock, which a child holding the
  /// descriptor would keep alive after this process closes the file.
  private func spawn(_ arguments: [String], input: Int32?) throws(SpawnError) -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for descriptor: Int32 in 0...2 {
      if descriptor == 0, let input {
        posix_spawn_file_actions_adddup2(&actions, input, 0)
      } else {
        posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
      }
    }
    if bpk_probe_close_from(&actions, 3) != 0 {
      // Without glibc's addclosefrom_np: close what is open now.
      let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
      for descriptor in open.compactMap(Int32.init) where descriptor > 2 {
        posix_spawn_file_actions_addclose(&actions, descriptor)
      }
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
