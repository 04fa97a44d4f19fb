/// How bpkit writes a model or checkpoint file.
public struct FileWriteOptions: Hashable, Sendable {
  /// Whether to `fsync` the new file and its folder before returning, so that
  /// the file survives a power failure, not only a crash of the writer.
  /// Turning it off is for benchmarks and scratch files.
  public var synchronize: Bool

  /// Creates options; by default writes are durable.
  public init(synchronize: Bool = true) {
    self.synchronize = synchronize
  }
}
