/// A network description compiled for the engine: each layer with its sizes
/// and the offsets of its weights in the flat parameter array.
struct NetworkPlan: Sendable {
  enum Step: Sendable {
    case dense(DenseStep)
    case elman(ElmanStep)
    case standardize(StandardizeStep)
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

  struct StandardizeStep: Sendable {
    var width: Int
    var mean: Int
    var std: Int
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
      case .standardize:
        steps.append(.standardize(StandardizeStep(width: width, mean: offset("mean"), std: offset("std"))))
      }
      width = shape.width
    }
    self.network = network
    self.layout = layout
    self.steps = steps
    self.needsInputGradient = needsInputGradient
    outputWidth = width
    if case .sequence = shapes.last! { outputIsSequence = true } else { outputIsSequence = false }
  }

  /// The activation of the last layer, or `nil` when it has none.
  var outputActivation: Activation? {
    switch steps.last! {
    case .dense(let step): step.activation
    case .elman(let step): step.activation
    case .standardize: nil
    }
  }
}
