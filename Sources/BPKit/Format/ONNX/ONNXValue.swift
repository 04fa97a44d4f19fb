/// What the importer knows of one value of an ONNX graph.
///
/// A graph that bpkit imports is a chain: the input flows through layers,
/// and everything else is either a weight or arithmetic on shapes that
/// exporters leave behind. So a value is a constant (folded as far as it
/// is static), a shape whose entries may be the batch size or the sequence
/// length (only known when the model runs), a tensor of zeros (an initial
/// state), the data flowing through the network, described by the role
/// of each of its axes, or a step of a recurrence an exporter unrolled.
enum ONNXValue {
  /// A constant tensor: floats or integers, with its shape.
  case constant(ONNXConstant)
  /// A 1-D integer vector whose entries may be symbolic (from `Shape`).
  case shape([ONNXSymbolicSize])
  /// Zeros of a shape that may be symbolic (`ConstantOfShape`, `Expand` of 0).
  case zeros
  /// The data flowing through the network.
  case data(ONNXData)
  /// A step of an Elman layer that an exporter unrolled over time (``ONNXRecurrence``).
  case recurrence(ONNXRecurrence)
  /// A boolean known only at run time: the first condition of a `Loop`
  /// (`Less` and `And` of the step count), see `ONNXImporter.loop`.
  case condition
}

/// A constant's numbers.
struct ONNXConstant {
  var shape: [Int]
  /// The numbers of a floating-point tensor (a DOUBLE tensor's rounded).
  var floats: [Float]?
  /// The numbers of an integer tensor.
  var integers: [Int64]?
  /// A DOUBLE tensor's numbers as stored, and what moving them (transposing,
  /// gathering rows) or folding them in Double made of them; `nil` for
  /// tensors of other types, and after operations that do not keep them.
  var doubles: [Double]? = nil

  init(shape: [Int], floats: [Float]? = nil, integers: [Int64]? = nil, doubles: [Double]? = nil) {
    self.shape = shape
    self.floats = floats
    self.integers = integers
    self.doubles = doubles
  }

  var count: Int { floats?.count ?? integers?.count ?? 0 }

  /// The numbers as integers, when they all are whole.
  var asIntegers: [Int64]? {
    if let integers { return integers }
    guard let floats, floats.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e15 }) else { return nil }
    return floats.map { Int64($0) }
  }
}

/// One entry of a symbolic shape.
enum ONNXSymbolicSize: Hashable {
  case known(Int)
  case batch
  case steps
}

/// The data flowing through the network, as the roles of its axes.
struct ONNXData {
  /// What an axis of the data is.
  enum Axis: Hashable {
    /// The samples of a batch.
    case batch
    /// The time steps of a sequence.
    case time
    /// A size-1 axis (an RNN's direction, a kept last step, an inserted axis).
    case unit
    /// The features of a sample or step, of this many.
    case feature(Int)
  }

  var axes: [Axis]
  /// The index of the layer whose output this is before an activation was
  /// applied, when it is a dense layer's: the next activation is that layer's.
  var openDense: Int?
  /// Whether a bias may still be added to the dense layer `openDense` (after `MatMul`).
  var awaitsBias = false
  /// The index of the Elman layer whose sequence output the time axis
  /// comes from, when it does (nil for the network's input).
  var sequenceSource: Int?
  /// A standardize layer being assembled: `Sub` gave its mean, `Div` gives its std.
  var openStandardize: Int?

  /// The data with the same axes and no open layer.
  var closed: ONNXData {
    ONNXData(axes: axes, sequenceSource: sequenceSource)
  }

  var hasTime: Bool { axes.contains(.time) }

  /// The feature width, when the data has one feature axis.
  var features: Int? {
    for case .feature(let count) in axes { return count }
    return nil
  }
}
