import Foundation

/// Character devices made with `mknod` in a temporary folder, so that tests
/// of writing into devices never touch the machine's own `/dev`.
///
/// Making device nodes needs root (CAP_MKNOD); ``available`` says whether
/// this process can, for `.enabled(if:)`.
public final class DeviceNodes: @unchecked Sendable {
  public let folder: TemporaryDirectory
  /// A node like `/dev/null` (character device 1, 3): takes every write.
  public let null: String
  /// A node like `/dev/full` (character device 1, 7): every write fails with
  /// "No space left on device".
  public let full: String

  /// Whether this process may make device nodes.
  public static let available: Bool = {
    guard getuid() == 0, let nodes = try? DeviceNodes() else { return false }
    return nodes.areCharacterDevices
  }()

  public init() throws {
    folder = try TemporaryDirectory(prefix: "bpkit-devices")
    null = folder.path("null")
    full = folder.path("full")
    guard mknod(null, S_IFCHR | 0o666, Self.device(1, 3)) == 0, mknod(full, S_IFCHR | 0o666, Self.device(1, 7)) == 0
    else {
      throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)
    }
  }

  /// Linux's device number for small major and minor numbers (`makedev`).
  static func device(_ major: UInt64, _ minor: UInt64) -> dev_t { dev_t(major << 8 | minor) }

  /// Whether both nodes are still character devices (nothing replaced them).
  public var areCharacterDevices: Bool {
    [null, full].allSatisfy { Self.isCharacterDevice($0) }
  }

  public static func isCharacterDevice(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR
  }
}
