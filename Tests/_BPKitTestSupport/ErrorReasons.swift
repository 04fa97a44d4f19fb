import BPKit
import Testing

/// The specific reason inside `error`: a ``BPKitError``'s underlying error,
/// or `error` itself when a test reaches an internal call that throws the
/// reason directly.
public func reason(of error: any Error) -> any Error {
  (error as? BPKitError)?.underlying ?? error
}

/// Expects `body` to throw `expected` as the reason inside its error (or as
/// the error itself), as `#expect(throws:)` does for the error.
public func expectReason<E: Error & Equatable, R>(
  _ expected: E, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
  _ body: () throws -> R
) {
  do {
    _ = try body()
    Issue.record("expected \(expected) to be thrown", sourceLocation: sourceLocation)
  } catch {
    #expect(reason(of: error) as? E == expected, comment, sourceLocation: sourceLocation)
  }
}

/// Expects `body` to throw a reason of type `E` (inside a ``BPKitError`` or
/// as the error itself), and returns it.
@discardableResult public func expectReason<E: Error, R>(
  _: E.Type, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
  _ body: () throws -> R
) -> E? {
  do {
    _ = try body()
    Issue.record("expected \(E.self) to be thrown", sourceLocation: sourceLocation)
  } catch {
    let found = reason(of: error) as? E
    #expect(
      found != nil, "\(type(of: reason(of: error))) thrown, not \(E.self): \(error)", sourceLocation: sourceLocation)
    return found
  }
  return nil
}

/// The asynchronous form of `expectReason(_:_:sourceLocation:_:)`.
@discardableResult public func expectReason<E: Error, R>(
  _: E.Type, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
  _ body: () async throws -> R
) async -> E? {
  do {
    _ = try await body()
    Issue.record("expected \(E.self) to be thrown", sourceLocation: sourceLocation)
  } catch {
    let found = reason(of: error) as? E
    #expect(
      found != nil, "\(type(of: reason(of: error))) thrown, not \(E.self): \(error)", sourceLocation: sourceLocation)
    return found
  }
  return nil
}

/// The asynchronous form of the equality check.
public func expectReason<E: Error & Equatable, R>(
  _ expected: E, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
  _ body: () async throws -> R
) async {
  do {
    _ = try await body()
    Issue.record("expected \(expected) to be thrown", sourceLocation: sourceLocation)
  } catch {
    #expect(reason(of: error) as? E == expected, comment, sourceLocation: sourceLocation)
  }
}
