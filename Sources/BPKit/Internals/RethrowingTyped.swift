/// Runs `body`, whose only errors are `E`s thrown through a standard-library
/// function declared `rethrows` rather than with typed throws
/// (`withUnsafeBytes`, `init(unsafeUninitializedCapacity:)`), and gives the
/// errors their static type back.
func rethrowing<E: Error, R>(_: E.Type, _ body: () throws -> R) throws(E) -> R {
  do {
    return try body()
  } catch let error as E {
    throw error
  } catch {
    preconditionFailure("only \(E.self) is thrown here, not \(error)")
  }
}
