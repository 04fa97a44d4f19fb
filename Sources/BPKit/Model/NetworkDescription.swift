/// A network: the shape of its input and its layers in order.
///
/// This is the vocabulary shared by the file format, the JSON schema and the
/// engine. It holds no weights; ``Model`` pairs a description with them.
public struct NetworkDescription: Codable, Hashable, Sendable {
  /// The shape of one input sample.
  public var input: InputShape
  /// The layers, from input to output.
  public var layers: [Layer]

  /// Creates a description.
  public init(input: InputShape, layers: [Layer]) {
    self.input = input
    self.layers = layers
  }
}

/// Where a weight tensor lives: its layer and its name within the layer.
public struct ParameterKey: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The layer's name.
  public var layer: String
  /// The weight's name in the layer: `kernel`, `recurrent_kernel`, `bias`, `mean`, `std`.
  public var name: String

  /// Creates a key.
  public init(layer: String, name: String) {
    self.layer = layer
    self.name = name
  }

  /// `layer/name`, the path of the weight under a model's weights group.
  public var description: String { "\(layer)/\(name)" }

  /// Orders keys by layer, then by name.
  public static func < (lhs: ParameterKey, rhs: ParameterKey) -> Bool {
    (lhs.layer, lhs.name) < (rhs.layer, rhs.name)
  }
}

/// The declared shape of one weight tensor.
public struct ParameterSpec: Hashable, Sendable {
  /// Where the weight lives.
  public var key: ParameterKey
  /// Its shape.
  public var shape: [Int]
  /// Whether training changes it (`mean` and `std` of a standardize layer do not).
  public var trainable: Bool
}
