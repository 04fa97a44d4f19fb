/// BLAS cannot be used.
public enum BLASError: Error, Hashable, Sendable, CustomStringConvertible {
  /// No BLAS library could be loaded; the text says why and what to install.
  case unavailable(String)

  public var description: String {
    switch self {
    case .unavailable(let reason): "BLAS is unavailable: \(reason)"
    }
  }
}
