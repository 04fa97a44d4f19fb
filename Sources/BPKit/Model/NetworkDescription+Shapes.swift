extension NetworkDescription {
  /// The shape of one sample after a layer: [units] or [steps, units].
  public enum SampleShape: Hashable, Sendable {
    /// One vector of `width` values per sample.
    case vector(Int)
    /// `steps` vectors of `width` values per sample; `steps` is `nil` when any length is taken.
    case sequence(steps: Int?, width: Int)

    /// The number of values per sample (per step, for sequences).
    public var width: Int {
      switch self {
      case .vector(let width), .sequence(_, let width): width
      }
    }
  }

  /// The largest number of features, steps or units: 2^24.
  public static let maximumSize = 1 << 24
  /// The largest number of elements in one weight, and in all weights together: 2^31.
  public static let maximumElements = 1 << 31

  private static func bounded(_ value: Int, layer: String, what: String) throws(ModelError) {
    guard value <= maximumSize else {
      throw .sizeTooLarge(layer: layer, what: what, value: value, limit: maximumSize)
    }
  }

  /// Checks the description and returns the shape after each layer, in order.
  ///
  /// - Throws: ``BPKitError`` naming the first layer that cannot work.
  public func layerOutputShapes() throws(BPKitError) -> [SampleShape] {
    do {
      guard !layers.isEmpty else { throw ModelError.noLayers }
      var names = Set<String>()
      var shape: SampleShape
      switch input {
      case .vector(let features):
        guard features > 0 else { throw ModelError.invalidSize(layer: "input", what: "features", value: features) }
        try Self.bounded(features, layer: "input", what: "features")
        shape = .vector(features)
      case .sequence(let steps, let features):
        guard features > 0 else { throw ModelError.invalidSize(layer: "input", what: "features", value: features) }
        if let steps, steps < 1 { throw ModelError.invalidSize(layer: "input", what: "steps", value: steps) }
        try Self.bounded(features, layer: "input", what: "features")
        if let steps { try Self.bounded(steps, layer: "input", what: "steps") }
        shape = .sequence(steps: steps, width: features)
      }
      var shapes: [SampleShape] = []
      for layer in layers {
        guard !layer.name.isEmpty, !layer.name.contains("/") else { throw ModelError.invalidLayerName(layer.name) }
        guard names.insert(layer.name).inserted else { throw ModelError.duplicateLayerName(layer.name) }
        if let alpha = layer.kind.activation?.alpha, !alpha.isFinite {
          throw ModelError.invalidActivationParameter(layer: layer.name, activation: layer.kind.activation!.name)
        }
        try Self.checkRegularizers(of: layer)
        switch layer.kind {
        case .dense(let units, _, _):
          guard units > 0 else { throw ModelError.invalidSize(layer: layer.name, what: "units", value: units) }
          try Self.bounded(units, layer: layer.name, what: "units")
          switch shape {
          case .vector: shape = .vector(units)
          case .sequence(let steps, _): shape = .sequence(steps: steps, width: units)
          }
        case .elman(let units, _, _, let returnSequences):
          guard units > 0 else { throw ModelError.invalidSize(layer: layer.name, what: "units", value: units) }
          try Self.bounded(units, layer: layer.name, what: "units")
          guard case .sequence(let steps, _) = shape else { throw ModelError.sequenceInputRequired(layer: layer.name) }
          shape = returnSequences ? .sequence(steps: steps, width: units) : .vector(units)
        case .lstm(let settings, _), .gru(let settings, _):
          let units = settings.units
          guard units > 0 else { throw ModelError.invalidSize(layer: layer.name, what: "units", value: units) }
          try Self.bounded(units, layer: layer.name, what: "units")
          if let alpha = settings.recurrentActivation.alpha, !alpha.isFinite {
            throw ModelError.invalidActivationParameter(
              layer: layer.name, activation: settings.recurrentActivation.name)
          }
          guard case .sequence(let steps, _) = shape else { throw ModelError.sequenceInputRequired(layer: layer.name) }
          shape = settings.returnSequences ? .sequence(steps: steps, width: units) : .vector(units)
        case .standardize:
          break
        case .dropout(let rate):
          guard rate >= 0, rate < 1 else { throw ModelError.invalidDropoutRate(layer: layer.name, rate: rate) }
        }
        shapes.append(shape)
      }
      return shapes

    } catch {
      throw BPKitError(error)
    }
  }

  /// Checks that each regularizer's factors are finite and at least 0 and
  /// that its weight exists (a recurrent kernel, a bias the layer uses).
  private static func checkRegularizers(of layer: Layer) throws(ModelError) {
    let regularizers = layer.regularizers
    guard !regularizers.isEmpty else { return }
    let useBias: Bool
    let hasKernel: Bool
    switch layer.kind {
    case .dense(_, _, let bias), .elman(_, _, let bias, _): (useBias, hasKernel) = (bias, true)
    case .lstm(let settings, _), .gru(let settings, _): (useBias, hasKernel) = (settings.useBias, true)
    case .standardize, .dropout: (useBias, hasKernel) = (false, false)
    }
    for (weight, setting, regularizer) in regularizers.entries {
      guard regularizer.isValid else {
        throw .invalidRegularizer(
          layer: layer.name, setting: setting,
          reason: "has l1=\(regularizer.l1) l2=\(regularizer.l2); each factor must be a finite number of at least 0")
      }
      let exists: Bool
      switch weight {
      case "kernel": exists = hasKernel
      case "recurrent_kernel": exists = layer.kind.isRecurrent
      default: exists = useBias
      }
      guard exists else {
        throw .invalidRegularizer(
          layer: layer.name, setting: setting,
          reason: "applies to a weight '\(weight)' that this \(layer.kind.typeName) layer does not have; remove it")
      }
    }
  }

  /// The shape of one output sample.
  public func outputShape() throws(BPKitError) -> SampleShape {
    do {
      return try layerOutputShapes().last!

    } catch {
      throw BPKitError(error)
    }
  }

  /// Every weight tensor the description declares, layer by layer, in the
  /// order Keras lists them (kernel, recurrent_kernel, bias; mean, std).
  public func parameterSpecs() throws(BPKitError) -> [ParameterSpec] {
    do {
      let outputs = try layerOutputShapes()
      var inputWidth = input.features
      var specs: [ParameterSpec] = []
      for (layer, output) in zip(layers, outputs) {
        func spec(_ name: String, _ shape: [Int], trainable: Bool = true) -> ParameterSpec {
          ParameterSpec(
            key: ParameterKey(layer: layer.name, name: name), shape: shape, trainable: trainable && layer.trainable)
        }
        switch layer.kind {
        case .dense(let units, _, let useBias):
          specs.append(spec("kernel", [inputWidth, units]))
          if useBias { specs.append(spec("bias", [units])) }
        case .elman(let units, _, let useBias, _):
          specs.append(spec("kernel", [inputWidth, units]))
          specs.append(spec("recurrent_kernel", [units, units]))
          if useBias { specs.append(spec("bias", [units])) }
        case .lstm(let settings, _):
          let units = settings.units
          specs.append(spec("kernel", [inputWidth, 4 * units]))
          specs.append(spec("recurrent_kernel", [units, 4 * units]))
          if settings.useBias { specs.append(spec("bias", [4 * units])) }
        case .gru(let settings, let resetAfter):
          let units = settings.units
          specs.append(spec("kernel", [inputWidth, 3 * units]))
          specs.append(spec("recurrent_kernel", [units, 3 * units]))
          if settings.useBias { specs.append(spec("bias", resetAfter ? [2, 3 * units] : [3 * units])) }
        case .standardize:
          specs.append(spec("mean", [inputWidth], trainable: false))
          specs.append(spec("std", [inputWidth], trainable: false))
        case .dropout:
          break
        }
        inputWidth = output.width
      }
      // Sizes are at most 2^24, so each product fits; the totals must stay allocatable.
      var total = 0
      for spec in specs {
        let count = spec.shape.reduce(1, *)
        total += count
        guard count <= Self.maximumElements, total <= Self.maximumElements else {
          throw ModelError.sizeTooLarge(
            layer: spec.key.layer, what: "the weights' element count", value: max(count, total),
            limit: Self.maximumElements)
        }
      }
      return specs

    } catch {
      throw BPKitError(error)
    }
  }

  /// The total number of weights.
  public func parameterCount() throws(BPKitError) -> Int {
    do {
      return try parameterSpecs().reduce(0) { $0 + $1.shape.reduce(1, *) }

    } catch {
      throw BPKitError(error)
    }
  }
}
