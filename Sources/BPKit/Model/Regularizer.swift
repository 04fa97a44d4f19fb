/// A weight penalty added to the training loss: Keras 3's `L1L2`
/// (`keras/src/regularizers/regularizers.py`), of which `L1` and `L2` are the
/// cases with one factor.
///
/// For a weight tensor w the penalty is l1·Σ|w| + l2·Σw², added to each
/// batch's loss as it is (not divided by the batch size), and its gradient
/// l1·sign(w) + 2·l2·w is added to the weights' gradient. L1's slope at 0 is
/// 0, as TensorFlow's and PyTorch's `sign(0)` are (JAX differentiates |w| at
/// 0 as 1).
public struct Regularizer: Hashable, Sendable {
  /// The L1 factor (Keras' `l1`), at least 0.
  public var l1: Double
  /// The L2 factor (Keras' `l2`), at least 0.
  public var l2: Double

  /// Creates a regularizer; the factors must be finite and at least 0.
  public init(l1: Double = 0, l2: Double = 0) {
    self.l1 = l1
    self.l2 = l2
  }

  /// Whether both factors are finite and at least 0.
  public var isValid: Bool { l1.isFinite && l2.isFinite && l1 >= 0 && l2 >= 0 }

  /// Whether the penalty is 0 for every weight (both factors 0).
  public var isZero: Bool { l1 == 0 && l2 == 0 }

  /// The name of the Keras class that writes this regularizer: `L1`, `L2` or `L1L2`.
  public var kerasClassName: String {
    if l2 == 0 && l1 != 0 { return "L1" }
    if l1 == 0 && l2 != 0 { return "L2" }
    return "L1L2"
  }

  /// As Keras writes it: `L2(0.01)`, `L1(0.001)` or `L1L2(l1=0.001, l2=0.01)`.
  public var summary: String {
    switch kerasClassName {
    case "L1": "L1(\(l1))"
    case "L2": "L2(\(l2))"
    default: "L1L2(l1=\(l1), l2=\(l2))"
    }
  }
}

/// The regularizers of one layer's weights, by Keras' names: `kernel_regularizer`,
/// `recurrent_regularizer` (the recurrent kernel U of Elman, LSTM and GRU
/// layers) and `bias_regularizer`. `nil` is none.
public struct LayerRegularizers: Hashable, Sendable {
  /// The penalty on `kernel` (Keras' `kernel_regularizer`).
  public var kernel: Regularizer?
  /// The penalty on `recurrent_kernel` (Keras' `recurrent_regularizer`).
  public var recurrentKernel: Regularizer?
  /// The penalty on `bias` (Keras' `bias_regularizer`).
  public var bias: Regularizer?

  /// Creates a layer's regularizers; by default none.
  public init(kernel: Regularizer? = nil, recurrentKernel: Regularizer? = nil, bias: Regularizer? = nil) {
    self.kernel = kernel
    self.recurrentKernel = recurrentKernel
    self.bias = bias
  }

  /// No regularizer on any weight.
  public static let none = LayerRegularizers()

  /// Whether no weight of the layer has a regularizer.
  public var isEmpty: Bool { kernel == nil && recurrentKernel == nil && bias == nil }

  /// The regularizer of the weight named `weight` (`kernel`, `recurrent_kernel`, `bias`), if any.
  public func regularizer(ofWeight weight: String) -> Regularizer? {
    switch weight {
    case "kernel": kernel
    case "recurrent_kernel": recurrentKernel
    case "bias": bias
    default: nil
    }
  }

  /// Each regularizer with its weight's name and Keras' setting name, in the order kernel, recurrent kernel, bias.
  public var entries: [(weight: String, setting: String, regularizer: Regularizer)] {
    var result: [(weight: String, setting: String, regularizer: Regularizer)] = []
    if let kernel { result.append(("kernel", "kernel_regularizer", kernel)) }
    if let recurrentKernel { result.append(("recurrent_kernel", "recurrent_regularizer", recurrentKernel)) }
    if let bias { result.append(("bias", "bias_regularizer", bias)) }
    return result
  }

  /// `kernel L2(0.01), bias L1(0.001)`: each regularized weight and its regularizer.
  public var summary: String {
    entries.map { "\($0.weight) \($0.regularizer.summary)" }.joined(separator: ", ")
  }

  /// Keras' setting names, as the JSON members of a layer: `kernel_regularizer`,
  /// `recurrent_regularizer`, `bias_regularizer`.
  public static let settingNames = ["kernel_regularizer", "recurrent_regularizer", "bias_regularizer"]
}

extension Regularizer: Codable {
  private enum CodingKeys: String, CodingKey { case l1, l2 }

  /// Decodes `{"l1": A, "l2": B}` (either member may be absent, meaning 0).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    l1 = try container.decodeIfPresent(Double.self, forKey: .l1) ?? 0
    l2 = try container.decodeIfPresent(Double.self, forKey: .l2) ?? 0
  }

  /// Encodes `{"l1": A, "l2": B}`, both members always.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(l1, forKey: .l1)
    try container.encode(l2, forKey: .l2)
  }
}
