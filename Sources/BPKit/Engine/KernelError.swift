/// A kernel path was asked for that cannot run here.
package enum KernelError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The CPU lacks the instructions of the path.
  case unsupportedPath(Kernels.Path)
  /// `BPKIT_KERNELS` names no path this CPU runs.
  case invalidEnvironment(String)

  /// The error as one line: what went wrong, where, and the way out.
  package var description: String {
    let supported = Kernels.supported.map(\.rawValue).joined(separator: ", ")
    switch self {
    case .unsupportedPath(let path):
      return "this CPU cannot run the \(path) kernels; it runs \(supported)"
    case .invalidEnvironment(let value):
      return
        "BPKIT_KERNELS=\(value) names no kernel path this CPU runs; set it to one of \(supported) or auto, or unset it"
    }
  }
}
