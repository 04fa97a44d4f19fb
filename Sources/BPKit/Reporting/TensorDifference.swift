/// How one tensor in one file compares with the same tensor in another.
public struct TensorDifference: Hashable, Sendable {
  /// How the two tensors compare.
  public enum Outcome: Hashable, Sendable {
    /// Every element has the same bits.
    case identical
    /// Same shape, different values. `maxAbsolute` is max |a − b|;
    /// `maxRelative` is max |a − b| / max(|a|, |b|) over elements not both
    /// zero (so it lies in 0...2); `differing` counts the elements whose bits
    /// differ. A NaN facing a number counts as an infinite difference.
    case different(maxAbsolute: Double, maxRelative: Double, differing: Int, count: Int)
    /// The shapes differ, so the values are not compared.
    case shapes([Int], [Int])
    /// Only the first file holds the tensor.
    case onlyInFirst
    /// Only the second file holds the tensor.
    case onlyInSecond
  }

  /// Where the tensor lives: `dense_1/kernel`, or `momentum/dense_1/kernel` for an optimizer slot.
  public var name: String
  /// How it compares.
  public var outcome: Outcome

  /// Compares two tensors of the same name; `nil` stands for a tensor one file lacks.
  public init(name: String, _ first: Tensor<Float>?, _ second: Tensor<Float>?) {
    self.init(comparing: name, first, second)
  }

  /// Compares two float64 tensors (or a float32 one widened exactly) of the
  /// same name; `nil` stands for a tensor one file lacks.
  public init(name: String, _ first: Tensor<Double>?, _ second: Tensor<Double>?) {
    self.init(comparing: name, first, second)
  }

  private init<S: BinaryFloatingPoint>(comparing name: String, _ first: Tensor<S>?, _ second: Tensor<S>?) {
    self.name = name
    guard let first, let second else {
      outcome = first == nil ? .onlyInSecond : .onlyInFirst
      return
    }
    guard first.shape == second.shape else {
      outcome = .shapes(first.shape, second.shape)
      return
    }
    var maxAbsolute = 0.0
    var maxRelative = 0.0
    var differing = 0
    // Widening to Double keeps a Float's bits apart: equal bits stay equal, different bits stay different.
    for (a, b) in zip(first.scalars, second.scalars) where Double(a).bitPattern != Double(b).bitPattern {
      differing += 1
      let (x, y) = (Double(a), Double(b))
      guard !x.isNaN, !y.isNaN else {
        if !(x.isNaN && y.isNaN) { (maxAbsolute, maxRelative) = (.infinity, .infinity) }
        continue
      }
      let absolute = abs(x - y)
      maxAbsolute = max(maxAbsolute, absolute)
      // +0 and −0 differ in bits only; their relative difference is 0.
      let scale = max(abs(x), abs(y))
      if scale > 0 { maxRelative = max(maxRelative, absolute / scale) }
    }
    outcome =
      differing == 0
      ? .identical
      : .different(maxAbsolute: maxAbsolute, maxRelative: maxRelative, differing: differing, count: first.count)
  }

  /// Whether the tensors agree: bit for bit, or with every element within
  /// `tolerance` of the other in absolute value when `tolerance` is above 0.
  public func agrees(tolerance: Double) -> Bool {
    switch outcome {
    case .identical: true
    case .different(let maxAbsolute, _, _, _): maxAbsolute <= tolerance && tolerance > 0
    case .shapes, .onlyInFirst, .onlyInSecond: false
    }
  }
}
