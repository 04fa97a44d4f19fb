/// A network description compiled for the engine: each layer with its sizes
/// and the offsets of its weights in the flat parameter array.
struct NetworkPlan: Sendable {
  enum Step: Sendable {
    case dense(DenseStep)
    case elman(ElmanStep)
    case lstm(GatedStep)
    case gru(GatedStep)
    case standardize(StandardizeStep)
    case dropout(DropoutStep)
  }

  struct DenseStep: Sendable {
    var inputWidth: Int
    var units: Int
    var activation: Activation
    var kernel: Int
    var bias: Int?
  }

  struct ElmanStep: Sendable {
    var inputWidth: Int
    var units: Int
    var activation: Activation
    var kernel: Int
    var recurrentKernel: Int
    var bias: Int?
    var returnSequences: Bool
  }

  /// An LSTM (4 gates: i, f, c, o) or GRU (3 gates: z, r, h) layer; the
  /// weights' columns are the gates side by side, `units` each, in that order.
  struct GatedStep: Sendable {
    var inputWidth: Int
    var units: Int
    var activation: Activation
    var recurrentActivation: Activation
    var kernel: Int
    var recurrentKernel: Int
    /// The bias; for a GRU with `resetAfter`, the input bias, followed by the recurrent one.
    var bias: Int?
    var returnSequences: Bool
    /// GRU only: whether the reset gate applies after the recurrent product.
    var resetAfter: Bool
    /// 4 for LSTM, 3 for GRU.
    var gates: Int

    /// The width of one row of the gates' pre-activations.
    var gateWidth: Int { gates * units }
  }

  struct StandardizeStep: Sendable {
    var width: Int
    var mean: Int
    var std: Int
  }

  /// A dropout layer: `width` values per row (per time step of a sequence).
  struct DropoutStep: Sendable {
    var width: Int
    var rate: Double
  }

  let network: NetworkDescription
  let layout: ParameterLayout
  let steps: [Step]
  /// Whether layer i must pass a gradient to its input: true when some layer
  /// before it has trainable weights.
  let needsInputGradient: [Bool]
  /// The width of one output row (per time step for sequence outputs).
  let outputWidth: Int
  /// Whether the output has a time axis.
  let outputIsSequence: Bool
  /// Whether some layer is a dropout layer with a rate above 0, which
  /// training masks; without one no mask is ever drawn.
  let hasDropout: Bool

  init(network: NetworkDescription) throws(ModelError) {
    let shapes: [NetworkDescription.SampleShape]
    let layout: ParameterLayout
    do {
      shapes = try network.layerOutputShapes()
      layout = ParameterLayout(specs: try network.parameterSpecs())
    } catch {
      throw error.reason(ModelError.self)
    }
    var steps: [Step] = []
    var needsInputGradient: [Bool] = []
    var width = network.input.features
    var trainableBelow = false
    for (layer, shape) in zip(network.layers, shapes) {
      func offset(_ name: String) -> Int { layout.offset(of: ParameterKey(layer: layer.name, name: name)) }
      func optional(_ name: String) -> Int? { layout.offsetIfPresent(of: ParameterKey(layer: layer.name, name: name)) }
      func gated(_ settings: GatedRecurrentSettings, gates: Int, resetAfter: Bool) -> GatedStep {
        GatedStep(
          inputWidth: width, units: settings.units, activation: settings.activation,
          recurrentActivation: settings.recurrentActivation, kernel: offset("kernel"),
          recurrentKernel: offset("recurrent_kernel"), bias: optional("bias"),
          returnSequences: settings.returnSequences, resetAfter: resetAfter, gates: gates)
      }
      needsInputGradient.append(trainableBelow)
      switch layer.kind {
      case .dense(let units, let activation, _):
        steps.append(
          .dense(
            DenseStep(
              inputWidth: width, units: units, activation: activation, kernel: offset("kernel"),
              bias: optional("bias"))))
        trainableBelow = true
      case .elman(let units, let activation, _, let returnSequences):
        steps.append(
          .elman(
            ElmanStep(
              inputWidth: width, units: units, activation: activation, kernel: offset("kernel"),
              recurrentKernel: offset("recurrent_kernel"), bias: optional("bias"), returnSequences: returnSequences)))
        trainableBelow = true
      case .lstm(let settings, _):
        steps.append(.lstm(gated(settings, gates: 4, resetAfter: false)))
        trainableBelow = true
      case .gru(let settings, let resetAfter):
        steps.append(.gru(gated(settings, gates: 3, resetAfter: resetAfter)))
        trainableBelow = true
      case .standardize:
        steps.append(.standardize(StandardizeStep(width: width, mean: offset("mean"), std: offset("std"))))
      case .dropout(let rate):
        steps.append(.dropout(DropoutStep(width: width, rate: rate)))
      }
      width = shape.width
    }
    self.network = network
    self.layout = layout
    self.steps = steps
    self.needsInputGradient = needsInputGradient
    outputWidth = width
    hasDropout = steps.contains { if case .dropout(let d) = $0 { d.rate > 0 } else { false } }
    if case .sequence = shapes.last! { outputIsSequence = true } else { outputIsSequence = false }
  }

  /// The activation of the last layer, or `nil` when it has none. An LSTM
  /// or GRU has none here: its output is not one activation of a pre-activation
  /// a loss could fuse with.
  var outputActivation: Activation? {
    switch steps.last! {
    case .dense(let step): step.activation
    case .elman(let step): step.activation
    case .lstm, .gru, .standardize, .dropout: nil
    }
  }

  /// Whether layer `index` is recurrent and returns its whole sequence.
  func returnsSequence(_ index: Int) -> Bool {
    switch steps[index] {
    case .elman(let e): e.returnSequences
    case .lstm(let g), .gru(let g): g.returnSequences
    case .dense, .standardize, .dropout: false
    }
  }
}
