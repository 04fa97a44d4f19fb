/// A growable block of numbers owned by one engine, reused across steps so
/// that the hot loops allocate nothing once the largest batch has been seen.
final class ScalarBuffer<Scalar: BLASScalar> {
  private(set) var pointer: UnsafeMutablePointer<Scalar>
  private(set) var capacity: Int

  init(capacity: Int = 0) {
    self.capacity = max(capacity, 1)
    pointer = .allocate(capacity: self.capacity)
    pointer.initialize(repeating: 0, count: self.capacity)
  }

  deinit { pointer.deallocate() }

  /// Makes room for `count` numbers; the contents are lost when it grows.
  @inline(__always)
  func reserve(_ count: Int) {
    guard count > capacity else { return }
    pointer.deallocate()
    capacity = count
    pointer = .allocate(capacity: count)
    pointer.initialize(repeating: 0, count: count)
  }

  /// Sets the first `count` numbers to zero.
  @inline(__always)
  func zero(_ count: Int) {
    pointer.update(repeating: 0, count: count)
  }
}
