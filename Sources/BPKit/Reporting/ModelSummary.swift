/// A network at a glance, as Keras' `model.summary()` shows it: one row per
/// layer with its output shape and weight count, and the totals.
public struct ModelSummary: Hashable, Sendable, Encodable {
  /// One layer's row.
  public struct LayerRow: Hashable, Sendable, Encodable {
    /// The layer's name, the key of its weights.
    public var name: String
    /// `dense`, `elman`, `lstm`, `gru`, `standardize` or `dropout`.
    public var kind: String
    /// One sample's shape after the layer, as Keras prints it with the batch
    /// dimension: `(None, 64)`, or `(None, 12, 8)` for sequences
    /// (`None` steps for sequences of any length).
    public var outputShape: String
    /// The activation's name, or `nil` for layers without one.
    public var activation: String?
    /// The number of weights the layer holds.
    public var parameters: Int
    /// Whether the layer is frozen (Keras' `trainable=False`).
    public var frozen: Bool
    /// A dropout layer's rate, or `nil` for other layers.
    public var rate: Double?
    /// The layer's regularizers (Keras' `kernel_regularizer`, `recurrent_regularizer`, `bias_regularizer`).
    public var regularizers: LayerRegularizers = .none

    enum CodingKeys: String, CodingKey {
      case name, kind, activation, parameters, frozen, rate, regularizers
      case outputShape = "output_shape"
    }

    /// Encodes the summary as `bpkit inspect --json` prints it.
    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(name, forKey: .name)
      try container.encode(kind, forKey: .kind)
      try container.encode(outputShape, forKey: .outputShape)
      try container.encode(activation, forKey: .activation)
      try container.encode(parameters, forKey: .parameters)
      try container.encode(frozen, forKey: .frozen)
      // Only dropout layers have a rate; other layers' objects stay as they were.
      try container.encodeIfPresent(rate, forKey: .rate)
      // By Keras' setting names, each {"l1", "l2"}; empty without regularizers.
      var settings: [String: Regularizer] = [:]
      for entry in regularizers.entries { settings[entry.setting] = entry.regularizer }
      try container.encode(settings, forKey: .regularizers)
    }
  }

  /// The input's shape, written like ``LayerRow/outputShape``.
  public var inputShape: String
  /// The layers, input to output.
  public var layers: [LayerRow]
  /// The number of weights.
  public var totalParameters: Int
  /// The weights training changes (all but a standardize layer's mean and std).
  public var trainableParameters: Int
  /// The weights of frozen layers (Keras' `trainable=False`), which
  /// `model.summary()` counts among its non-trainable parameters.
  public var frozenParameters: Int
  /// The input features' names the model keeps, or `nil` (then they are `x0`, `x1`, ...).
  public var featureNames: [String]?
  /// The classes' names the model keeps, or `nil` (then classes are their indices).
  public var classNames: [String]?
  /// The precision of the weights (``Model/dtype``).
  public var dtype: DType

  /// Summarises a model.
  public init(_ model: Model) {
    let network = model.network
    // A Model's network was validated when the model was made, so these cannot throw.
    let shapes = (try? network.layerOutputShapes()) ?? []
    let specs = (try? network.parameterSpecs()) ?? []
    func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }
    inputShape = Self.text(network.input)
    layers = zip(network.layers, shapes).map { layer, shape in
      LayerRow(
        name: layer.name, kind: layer.kind.typeName, outputShape: Self.text(shape),
        activation: layer.kind.activation.map(Self.text),
        parameters: specs.filter { $0.key.layer == layer.name }.reduce(0) { $0 + count($1.shape) },
        frozen: !layer.trainable, rate: { if case .dropout(let rate) = layer.kind { rate } else { nil } }(),
        regularizers: layer.regularizers)
    }
    totalParameters = specs.reduce(0) { $0 + count($1.shape) }
    trainableParameters = specs.filter(\.trainable).reduce(0) { $0 + count($1.shape) }
    let frozen = Set(network.layers.filter { !$0.trainable }.map(\.name))
    frozenParameters = specs.filter { frozen.contains($0.key.layer) }.reduce(0) { $0 + count($1.shape) }
    featureNames = model.names.features
    classNames = model.names.classes
    dtype = model.dtype
  }

  enum CodingKeys: String, CodingKey {
    case layers
    case inputShape = "input_shape"
    case totalParameters = "total_parameters"
    case trainableParameters = "trainable_parameters"
    case frozenParameters = "frozen_parameters"
    case featureNames = "feature_names"
    case classNames = "class_names"
    case dtype
  }

  /// Encodes every member; names the model lacks are `null`, as `inspect --json` shows what a file lacks.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(layers, forKey: .layers)
    try container.encode(inputShape, forKey: .inputShape)
    try container.encode(totalParameters, forKey: .totalParameters)
    try container.encode(trainableParameters, forKey: .trainableParameters)
    try container.encode(frozenParameters, forKey: .frozenParameters)
    try container.encode(featureNames, forKey: .featureNames)
    try container.encode(classNames, forKey: .classNames)
    try container.encode(dtype.rawValue, forKey: .dtype)
  }

  static func text(_ input: InputShape) -> String {
    switch input {
    case .vector(let features): "(None, \(features))"
    case .sequence(let steps, let features): "(None, \(steps.map(String.init) ?? "None"), \(features))"
    }
  }

  static func text(_ shape: NetworkDescription.SampleShape) -> String {
    switch shape {
    case .vector(let width): "(None, \(width))"
    case .sequence(let steps, let width): "(None, \(steps.map(String.init) ?? "None"), \(width))"
    }
  }

  static func text(_ activation: Activation) -> String {
    activation.alpha.map { "\(activation.name)(\($0))" } ?? activation.name
  }
}
