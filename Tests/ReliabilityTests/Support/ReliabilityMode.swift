import Foundation
import _BPKitTestSupport

/// How deep the reliability suite goes: `quick` inside `make test`, `long`
/// with `BPKIT_RELIABILITY=long` (`make reliability-long`).
enum ReliabilityMode: String {
  case quick
  case long

  /// The mode this run asked for through the environment.
  static let current: ReliabilityMode =
    ProcessInfo.processInfo.environment["BPKIT_RELIABILITY"].flatMap(ReliabilityMode.init(rawValue:)) ?? .quick

  /// The seed of every random choice the suite makes (kill moments, byte
  /// flips, random files): `BPKIT_RELIABILITY_SEED`, or a fixed default, so a
  /// failure can be replayed exactly.
  static let seed: UInt64 =
    ProcessInfo.processInfo.environment["BPKIT_RELIABILITY_SEED"].flatMap { UInt64($0) } ?? 20_261_129

  /// The seconds after which a bpkit run counts as hung.
  static let timeout: Double = 20

  /// The same for runs on inputs that make libhdf5 loop. bpkit's probe
  /// stops those after 10 s of its processor time, however long the machine
  /// makes it wait for that time (minutes under load), so the outcome does
  /// not depend on the load; only bpkit itself never ending reaches this.
  static let containmentTimeout: Double = 900

  /// Picks the figure for this mode.
  func pick<T>(quick: T, long: T) -> T { self == .quick ? quick : long }
}

/// Appends one line of figures to the suite's report, and prints it, so the
/// last run's numbers can be read back for RELIABILITY.md.
enum ReliabilityReport {
  static let path = Fixtures.repositoryRoot.appendingPathComponent(".build/reliability-report.txt").path
  private static let lock = NSLock()

  static func record(_ line: String) {
    let text = "[\(ReliabilityMode.current.rawValue)] \(line)\n"
    print("reliability: \(line)")
    lock.withLock {
      if let handle = FileHandle(forWritingAtPath: path) {
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try? handle.close()
      } else {
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
      }
    }
  }
}
