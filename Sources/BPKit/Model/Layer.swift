/// One layer of a network: a unique name and what the layer does.
///
/// The name is the key of the layer's weights in files (`/weights/<name>/kernel`).
public struct Layer: Hashable, Sendable {
  /// The layer's name, unique within its network.
  public var name: String
  /// What the layer computes.
  public var kind: LayerKind
  /// Whether training changes the layer's weights (Keras' `trainable`). A
  /// frozen layer (`false`) still passes gradients back to the layers before
  /// it, but its weights do not move and get no optimizer slots.
  public var trainable: Bool
  /// The penalties on the layer's weights (Keras' `kernel_regularizer`,
  /// `recurrent_regularizer`, `bias_regularizer`), added to the training loss.
  /// A frozen layer's are kept but not applied, as Keras applies regularizers
  /// to trainable weights only.
  public var regularizers: LayerRegularizers

  /// Creates a layer.
  public init(name: String, kind: LayerKind, trainable: Bool = true, regularizers: LayerRegularizers = .none) {
    self.name = name
    self.kind = kind
    self.trainable = trainable
    self.regularizers = regularizers
  }
}

/// What a layer computes.
///
/// Weight layouts follow Keras, so that imported models need no transposes:
/// `kernel` is [inputs, units], `recurrent_kernel` [units, units], `bias` [units].
public enum LayerKind: Hashable, Sendable {
  /// y = act(x·W + b). Applied to each time step when its input is a sequence.
  case dense(units: Int, activation: Activation, useBias: Bool)
  /// An Elman (simple recurrent) layer: h_t = act(x_t·W + h_{t−1}·U + b),
  /// h_0 = 0. Returns every h_t ([steps, units]) when `returnSequences`,
  /// else the last one ([units]).
  case elman(units: Int, activation: Activation, useBias: Bool, returnSequences: Bool)
  /// A long short-term memory layer, as Keras 3's `LSTM` computes it; see
  /// ``GatedRecurrentSettings``. Its `kernel` is [inputs, 4·units],
  /// `recurrent_kernel` [units, 4·units] and `bias` [4·units], each in Keras'
  /// gate order i, f, c, o. `unitForgetBias` starts the forget gate's bias at 1
  /// when weights are initialised (Keras' `unit_forget_bias`, on by default).
  case lstm(GatedRecurrentSettings, unitForgetBias: Bool)
  /// A gated recurrent unit layer, as Keras 3's `GRU` computes it; see
  /// ``GatedRecurrentSettings``. Its `kernel` is [inputs, 3·units] and
  /// `recurrent_kernel` [units, 3·units] in Keras' gate order z, r, h. With
  /// `resetAfter` (Keras 3's default, the form cuDNN and PyTorch use) the
  /// reset gate multiplies h_{t−1}·U_h + b_h after the product and `bias` is
  /// [2, 3·units] (input bias, recurrent bias); without, it multiplies h_{t−1}
  /// before the product and `bias` is [3·units].
  case gru(GatedRecurrentSettings, resetAfter: Bool)
  /// y = (x − mean) / std per feature, with `mean` and `std` stored as the
  /// layer's non-trainable weights, so inference applies the training scaling.
  case standardize
  /// Keras' `Dropout`: in training, each input value is kept with probability
  /// 1 − `rate` and divided by 1 − `rate` (inverted dropout), or set to 0;
  /// outside training (inference, evaluation) the layer passes its input on
  /// unchanged. `rate` is in [0, 1). It has no weights. Its masks are drawn
  /// from bpkit's own counter-based generator (``DropoutMasks``), so a run's
  /// masks do not depend on threads, ranks or resumes.
  case dropout(rate: Double)

  /// The kind's name in files: `dense`, `elman`, `lstm`, `gru`, `standardize`, `dropout`.
  public var typeName: String {
    switch self {
    case .dense: "dense"
    case .elman: "elman"
    case .lstm: "lstm"
    case .gru: "gru"
    case .standardize: "standardize"
    case .dropout: "dropout"
    }
  }

  /// The layer's activation, or `nil` for layers without one.
  public var activation: Activation? {
    switch self {
    case .dense(_, let activation, _), .elman(_, let activation, _, _): activation
    case .lstm(let settings, _), .gru(let settings, _): settings.activation
    case .standardize, .dropout: nil
    }
  }

  /// Whether the layer is recurrent (`elman`, `lstm` or `gru`).
  public var isRecurrent: Bool {
    switch self {
    case .elman, .lstm, .gru: true
    case .dense, .standardize, .dropout: false
    }
  }

  /// The settings of an LSTM or GRU layer, or `nil` for other kinds.
  public var gatedSettings: GatedRecurrentSettings? {
    switch self {
    case .lstm(let settings, _), .gru(let settings, _): settings
    case .dense, .elman, .standardize, .dropout: nil
    }
  }

  /// Whether a recurrent layer returns every step rather than the last.
  public var returnsSequences: Bool {
    switch self {
    case .elman(_, _, _, let returnSequences): returnSequences
    case .lstm(let settings, _), .gru(let settings, _): settings.returnSequences
    case .dense, .standardize, .dropout: false
    }
  }
}

/// The settings an LSTM and a GRU layer share, with Keras' names and defaults.
///
/// Keras 3's formulas (`keras/src/layers/rnn/lstm.py`, `gru.py`), with σ the
/// recurrent activation and φ the activation, h_0 = c_0 = 0:
/// - LSTM: i = σ(x·W_i + h·U_i + b_i), f = σ(x·W_f + h·U_f + b_f),
///   g = φ(x·W_c + h·U_c + b_c), o = σ(x·W_o + h·U_o + b_o);
///   c_t = f ⊙ c_{t−1} + i ⊙ g, h_t = o ⊙ φ(c_t).
/// - GRU: z = σ(x·W_z + h·U_z + b_z), r = σ(x·W_r + h·U_r + b_r);
///   ĥ = φ(x·W_h + b_h + r ⊙ (h·U_h + b′_h)) with `reset_after`, else
///   ĥ = φ(x·W_h + (r ⊙ h)·U_h + b_h); h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ.
public struct GatedRecurrentSettings: Hashable, Sendable {
  /// The size of the state h (and c).
  public var units: Int
  /// φ, applied to the candidate state (and, for LSTM, to the cell state). Keras' default is tanh.
  public var activation: Activation
  /// σ, applied to the gates. Keras' default is sigmoid; `hard_sigmoid` is the other usual choice.
  public var recurrentActivation: Activation
  /// Whether the layer has a `bias`.
  public var useBias: Bool
  /// Whether the layer returns every h_t ([steps, units]) rather than the last ([units]).
  public var returnSequences: Bool

  /// Creates settings; the defaults are Keras'.
  public init(
    units: Int, activation: Activation = .tanh, recurrentActivation: Activation = .sigmoid, useBias: Bool = true,
    returnSequences: Bool = false
  ) {
    self.units = units
    self.activation = activation
    self.recurrentActivation = recurrentActivation
    self.useBias = useBias
    self.returnSequences = returnSequences
  }
}

extension Layer: Codable {
  private enum CodingKeys: String, CodingKey {
    case name, type, units, activation
    case useBias = "use_bias"
    case returnSequences = "return_sequences"
    case recurrentActivation = "recurrent_activation"
    case unitForgetBias = "unit_forget_bias"
    case resetAfter = "reset_after"
    case trainable
    case rate
    case kernelRegularizer = "kernel_regularizer"
    case recurrentRegularizer = "recurrent_regularizer"
    case biasRegularizer = "bias_regularizer"
  }

  private static func decodeGated(_ container: KeyedDecodingContainer<CodingKeys>) throws -> GatedRecurrentSettings {
    GatedRecurrentSettings(
      units: try container.decode(Int.self, forKey: .units),
      activation: try container.decodeIfPresent(Activation.self, forKey: .activation) ?? .tanh,
      recurrentActivation: try container.decodeIfPresent(Activation.self, forKey: .recurrentActivation) ?? .sigmoid,
      useBias: try container.decodeIfPresent(Bool.self, forKey: .useBias) ?? true,
      returnSequences: try container.decodeIfPresent(Bool.self, forKey: .returnSequences) ?? false)
  }

  private static func encodeGated(
    _ settings: GatedRecurrentSettings, into container: inout KeyedEncodingContainer<CodingKeys>
  )
    throws
  {
    try container.encode(settings.units, forKey: .units)
    try container.encode(settings.activation, forKey: .activation)
    try container.encode(settings.recurrentActivation, forKey: .recurrentActivation)
    try container.encode(settings.useBias, forKey: .useBias)
    try container.encode(settings.returnSequences, forKey: .returnSequences)
  }

  /// Decodes the value from its JSON form in the network description (see <doc:CheckpointFormat>).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    name = try container.decode(String.self, forKey: .name)
    trainable = try container.decodeIfPresent(Bool.self, forKey: .trainable) ?? true
    regularizers = LayerRegularizers(
      kernel: try container.decodeIfPresent(Regularizer.self, forKey: .kernelRegularizer),
      recurrentKernel: try container.decodeIfPresent(Regularizer.self, forKey: .recurrentRegularizer),
      bias: try container.decodeIfPresent(Regularizer.self, forKey: .biasRegularizer))
    let type = try container.decode(String.self, forKey: .type)
    switch type {
    case "dense":
      kind = .dense(
        units: try container.decode(Int.self, forKey: .units),
        activation: try container.decodeIfPresent(Activation.self, forKey: .activation) ?? .linear,
        useBias: try container.decodeIfPresent(Bool.self, forKey: .useBias) ?? true)
    case "elman":
      kind = .elman(
        units: try container.decode(Int.self, forKey: .units),
        activation: try container.decodeIfPresent(Activation.self, forKey: .activation) ?? .tanh,
        useBias: try container.decodeIfPresent(Bool.self, forKey: .useBias) ?? true,
        returnSequences: try container.decodeIfPresent(Bool.self, forKey: .returnSequences) ?? false)
    case "lstm":
      kind = .lstm(
        try Self.decodeGated(container),
        unitForgetBias: try container.decodeIfPresent(Bool.self, forKey: .unitForgetBias) ?? true)
    case "gru":
      kind = .gru(
        try Self.decodeGated(container),
        resetAfter: try container.decodeIfPresent(Bool.self, forKey: .resetAfter) ?? true)
    case "standardize":
      kind = .standardize
    case "dropout":
      kind = .dropout(rate: try container.decode(Double.self, forKey: .rate))
    default:
      throw DecodingError.dataCorruptedError(
        forKey: .type, in: container,
        debugDescription:
          "unknown layer type '\(type)' in layer '\(name)'; expected dense, elman, lstm, gru, standardize or dropout")
    }
  }

  /// Encodes the value in the JSON form of the network description (see <doc:CheckpointFormat>).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(name, forKey: .name)
    try container.encode(kind.typeName, forKey: .type)
    switch kind {
    case .dense(let units, let activation, let useBias):
      try container.encode(units, forKey: .units)
      try container.encode(activation, forKey: .activation)
      try container.encode(useBias, forKey: .useBias)
    case .elman(let units, let activation, let useBias, let returnSequences):
      try container.encode(units, forKey: .units)
      try container.encode(activation, forKey: .activation)
      try container.encode(useBias, forKey: .useBias)
      try container.encode(returnSequences, forKey: .returnSequences)
    case .lstm(let settings, let unitForgetBias):
      try Self.encodeGated(settings, into: &container)
      try container.encode(unitForgetBias, forKey: .unitForgetBias)
    case .gru(let settings, let resetAfter):
      try Self.encodeGated(settings, into: &container)
      try container.encode(resetAfter, forKey: .resetAfter)
    case .standardize:
      break
    case .dropout(let rate):
      try container.encode(rate, forKey: .rate)
    }
    // Format 1.4; written only for a frozen layer, so other descriptions stay as they were.
    if !trainable { try container.encode(false, forKey: .trainable) }
    // Format 1.5; written only when set.
    try container.encodeIfPresent(regularizers.kernel, forKey: .kernelRegularizer)
    try container.encodeIfPresent(regularizers.recurrentKernel, forKey: .recurrentRegularizer)
    try container.encodeIfPresent(regularizers.bias, forKey: .biasRegularizer)
  }
}
