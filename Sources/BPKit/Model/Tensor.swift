/// A dense n-dimensional array of numbers in row-major order.
public struct Tensor<Scalar: BinaryFloatingPoint & Sendable>: Hashable, Sendable {
  /// The dimensions; empty for a scalar.
  public var shape: [Int]
  /// The elements, row-major; `scalars.count` is the product of `shape`.
  public var scalars: [Scalar]

  /// Creates a tensor from its shape and elements.
  ///
  /// - Precondition: `scalars.count` equals the product of `shape`.
  public init(shape: [Int], scalars: [Scalar]) {
    precondition(
      scalars.count == shape.reduce(1, *),
      "\(scalars.count) scalars do not fill shape \(shape)")
    self.shape = shape
    self.scalars = scalars
  }

  /// A tensor of the given shape filled with `value`.
  public init(repeating value: Scalar, shape: [Int]) {
    self.shape = shape
    self.scalars = Array(repeating: value, count: shape.reduce(1, *))
  }

  /// A tensor of zeros.
  public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

  /// The number of elements.
  public var count: Int { scalars.count }
}
