import Foundation
import Synchronization
import Testing
import _BPKitTestSupport

/// One run of `bpkit` on a damaged or hostile input, and what a clean
/// refusal looks like: an exit (no signal, no hang), a documented exit code
/// and exactly one `bpkit: error:` line on standard error.
struct HostileRun: Sendable {
  /// What the case is, for messages: "infer on model.h5 truncated at 1234".
  var name: String
  /// The arguments after `bpkit`.
  var arguments: [String]
  /// Whether bpkit may accept the input (a flipped byte in space that holds
  /// nothing is harmless); otherwise it must refuse it.
  var mayLoad = false
  /// The exit codes of a successful run (`diff` exits 1 when it finds a difference).
  var successes: Set<Int32> = [0]
  /// The exit codes a refusal may have.
  var codes: Set<Int32> = [3, 4]
  /// Whether to run as the unprivileged user `nobody`, for permission cases.
  var unprivileged = false
  /// The working folder; the caller's by default. Hostile files that name
  /// relative paths outside themselves are run beside their targets.
  var currentDirectory: String?
  /// Seconds of wall-clock time after which the run counts as hung.
  var timeout = ReliabilityMode.timeout

  /// The way into bpkit this run tries: the reader's name, before " on ".
  var wayIn: String {
    name.range(of: " on ").map { String(name[..<$0.lowerBound]) } ?? name
  }

  /// What happened, judged.
  enum Verdict: Sendable, Equatable {
    case refused(Int32)
    case loaded
    case crashed(String)
    case hung
    case unclear(String)
  }

  /// The uid and gid of `nobody` on Debian.
  static let nobody = "65534"

  func run() throws -> (Verdict, GuardedResult) {
    let result =
      unprivileged
      ? try GuardedProcess.run(
        "/usr/bin/setpriv",
        ["--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups", "--", BPKitBinary.path] + arguments,
        timeout: timeout, currentDirectory: "/")
      : try GuardedProcess.run(BPKitBinary.path, arguments, timeout: timeout, currentDirectory: currentDirectory)
    return (judge(result), result)
  }

  func judge(_ result: GuardedResult) -> Verdict {
    switch result.ending {
    case .signaled: return .crashed("\(result.ending): \(result.error.suffix(400))")
    case .timedOut: return .hung
    case .exited(let code) where successes.contains(code):
      return mayLoad ? .loaded : .unclear("exit \(code) for an input that must be refused")
    case .exited(let code):
      let lines = result.errorLines
      guard codes.contains(code) else { return .unclear("exit \(code), expected one of \(codes.sorted()): \(lines)") }
      guard lines.count == 1, lines[0].hasPrefix("bpkit: error: "), lines[0].count > 30 else {
        return .unclear("exit \(code) with \(lines.count) lines on standard error, expected one error line: \(lines)")
      }
      return .refused(code)
    }
  }
}

/// Tallies of many hostile runs, for the report and the test's verdict.
struct HostileTally: CustomStringConvertible {
  var runs = 0
  var refused: [Int32: Int] = [:]
  var loaded = 0
  var crashes: [String] = []
  var hangs: [String] = []
  var unclear: [String] = []
  /// Runs per way in: how many, refused, loaded, and failures (crashes,
  /// hangs and unclear errors together).
  var ways: [String: (runs: Int, refused: Int, loaded: Int, failed: Int)] = [:]

  mutating func add(_ verdict: HostileRun.Verdict, for run: HostileRun) {
    runs += 1
    var way = ways[run.wayIn] ?? (0, 0, 0, 0)
    way.runs += 1
    switch verdict {
    case .refused: way.refused += 1
    case .loaded: way.loaded += 1
    default: way.failed += 1
    }
    ways[run.wayIn] = way
    switch verdict {
    case .refused(let code): refused[code, default: 0] += 1
    case .loaded: loaded += 1
    case .crashed(let detail): crashes.append("\(run.name): \(detail)")
    case .hung: hangs.append(run.name)
    case .unclear(let detail): unclear.append("\(run.name): \(detail)")
    }
  }

  mutating func merge(_ other: HostileTally) {
    runs += other.runs
    refused.merge(other.refused, uniquingKeysWith: +)
    loaded += other.loaded
    crashes += other.crashes
    hangs += other.hangs
    unclear += other.unclear
    for (name, way) in other.ways {
      let mine = ways[name] ?? (0, 0, 0, 0)
      ways[name] = (
        mine.runs + way.runs, mine.refused + way.refused, mine.loaded + way.loaded, mine.failed + way.failed
      )
    }
  }

  /// The runs per way in, for the report: `infer 12 (refused 11, loaded 1, failed 0); ...`.
  var waysDescription: String {
    ways.keys.sorted().map { name in
      let way = ways[name]!
      return "\(name) \(way.runs) (refused \(way.refused), loaded \(way.loaded), failed \(way.failed))"
    }.joined(separator: "; ")
  }

  var description: String {
    let codes = refused.keys.sorted().map { "exit \($0): \(refused[$0]!)" }.joined(separator: ", ")
    return "\(runs) runs: refused (\(codes)), loaded \(loaded), crashes \(crashes.count), hangs \(hangs.count), "
      + "unclear errors \(unclear.count)"
  }

  /// Runs every case, two at a time (the machine's two cores), and records
  /// each failure as a test issue.
  static func run(_ runs: [HostileRun], width: Int = 2) -> HostileTally {
    let shared = Mutex(HostileTally())
    let next = LockedCounter()
    DispatchQueue.concurrentPerform(iterations: width) { _ in
      while let index = next.take(below: runs.count) {
        let run = runs[index]
        let verdict: HostileRun.Verdict
        do {
          verdict = try run.run().0
        } catch {
          verdict = .unclear("could not run bpkit: \(error)")
        }
        shared.withLock { $0.add(verdict, for: run) }
      }
    }
    let tally = shared.withLock { $0 }
    ReliabilityReport.record("ways in: \(tally.waysDescription)")
    for crash in tally.crashes { Issue.record("crash: \(crash)") }
    for hang in tally.hangs { Issue.record("hang (over \(ReliabilityMode.timeout) s): \(hang)") }
    for unclear in tally.unclear.prefix(20) { Issue.record("unclear: \(unclear)") }
    return tally
  }
}

/// A counter shared by worker threads.
final class LockedCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0

  /// How many values have been taken.
  var taken: Int { lock.withLock { value } }

  func take(below limit: Int) -> Int? {
    lock.withLock {
      guard value < limit else { return nil }
      defer { value += 1 }
      return value
    }
  }
}
