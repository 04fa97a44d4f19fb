/// Elman layers that an exporter unrolled over time steps.
///
/// PyTorch's `dynamo=True` exporter writes `nn.RNN` (batch-first, one
/// direction, zero initial state) not as ONNX's `RNN` operator but as the
/// recurrence itself, for the fixed number of steps it traced:
///
///     P   = Transpose(x)·W_ihᵀ + b_ih                [steps, batch, units]
///     p_t = Squeeze(Slice(P, t..<t+1, axis 0))       [batch, units]
///     h_t = f(h_{t−1}·W_hhᵀ + b_hh + p_t)           [1, batch, units], h_{−1} = 0
///     Y   = Concat(h_0, ..., h_{T−1}, axis 0)        [steps, batch, units]
///
/// The importer follows each h_t as an ``ONNXRecurrence`` value and gives
/// back an Elman layer (kernel = W_ihᵀ, recurrent_kernel = W_hhᵀ, bias =
/// b_ih + b_hh summed in Float32, as PyTorch sums them) when `Concat`
/// gathers every step, in order, into the sequence the network goes on with.
extension ONNXImporter {
  /// Whether `node` continues an unrolled recurrence: one of its inputs is
  /// a step of one, or it multiplies the zero initial state by a weight.
  func continuesRecurrence(_ node: Onnx_NodeProto, inputs: [ONNXValue?]) -> Bool {
    if inputs.contains(where: { if case .recurrence = $0 { true } else { false } }) { return true }
    guard node.opType == "MatMul", inputs.count == 2, case .zeros = inputs[0], case .constant = inputs[1] else {
      return false
    }
    return true
  }

  mutating func applyToRecurrence(
    _ node: Onnx_NodeProto, name: String, inputs: [ONNXValue?], attributes: [String: Onnx_AttributeProto]
  ) throws {
    let file = self.file
    let refuse = { (detail: String) in
      ONNXError.unsupportedNode(file: file, opType: node.opType, node: name, detail: detail)
    }
    let steps = inputs.compactMap { value -> ONNXRecurrence? in
      if case .recurrence(let step) = value { step } else { nil }
    }
    var result: ONNXRecurrence
    switch node.opType {
    case "MatMul":
      // h_{t−1}·W_hhᵀ, h_{−1} being zero.
      guard inputs.count == 2, case .constant(let weight) = inputs[1], let floats = weight.floats,
        weight.shape.count == 2, weight.shape[0] == weight.shape[1]
      else {
        throw refuse("it multiplies a step of an unrolled RNN by something other than a square weight")
      }
      let recurrent = Tensor(shape: weight.shape, scalars: floats)
      switch inputs[0] {
      case .zeros:
        result = ONNXRecurrence(stage: .product, layer: nil, step: 0, recurrentKernel: recurrent)
      case .recurrence(let previous) where previous.stage == .hidden:
        guard previous.units == weight.shape[0] else {
          throw refuse("its weight has shape \(weight.shape) for a state of \(previous.units ?? 0) units")
        }
        result = ONNXRecurrence(
          stage: .product, layer: previous.layer, step: previous.step + 1, recurrentKernel: recurrent)
      default:
        throw refuse("it multiplies a step of an unrolled RNN that is not its state")
      }
    case "Add":
      guard inputs.count == 2 else { throw refuse("it does not add two values") }
      if steps.count == 1,
        let constant = inputs.compactMap({ value -> ONNXConstant? in
          if case .constant(let c) = value { c } else { nil }
        }).first
      {
        // + b_hh after the product.
        result = steps[0]
        guard result.stage == .product, result.recurrentBias == nil, let values = constant.floats,
          values.count == result.recurrentKernel?.shape[1], constant.shape.last == values.count
        else {
          throw refuse("bpkit adds a constant in an unrolled RNN only as b_hh right after h_{t-1}·W_hh^T")
        }
        result.recurrentBias = values
      } else {
        guard steps.count == 2, let product = steps.first(where: { $0.stage == .product }),
          let input = steps.first(where: { $0.stage == .input })
        else {
          throw refuse("it adds steps of an unrolled RNN other than h_{t-1}·W_hh^T + b_hh and x_t·W_ih^T + b_ih")
        }
        result = try combine(product, input, refuse)
      }
    case "Squeeze", "Unsqueeze":
      guard steps.count == 1, steps[0].stage == .input else {
        throw refuse("it reshapes a step of an unrolled RNN other than its input")
      }
      result = steps[0]
    case "Concat":
      try concatenate(node, name, inputs: inputs, attributes: attributes)
      return
    default:
      guard steps.count == 1, steps[0].stage == .sum,
        let activation = ONNXActivation.activation(opType: node.opType, attributes: attributes),
        node.opType != "Softmax"
      else {
        throw refuse("it uses a step of an RNN that the exporter unrolled in a way bpkit does not import")
      }
      result = try activate(steps[0], activation, refuse)
    }
    values[node.output[0]] = .recurrence(result)
  }

  /// A `Slice` of one step of a dense layer's output on every step, time
  /// first: the input term x_t·W_ih^T + b_ih of step t; nil for other slices.
  func recurrenceInput(
    _ data: ONNXData, _ node: Onnx_NodeProto, _ name: String, inputs: [ONNXValue?],
    attributes: [String: Onnx_AttributeProto]
  ) throws -> ONNXValue? {
    guard let index = data.openDense, data.axes.first == .time, attributes["starts"] == nil, inputs.count >= 4,
      case .constant(let starts) = inputs[1], case .constant(let ends) = inputs[2],
      case .constant(let axes) = inputs[3], axes.asIntegers == [0],
      let start = starts.asIntegers?.first, let end = ends.asIntegers?.first, starts.count == 1, ends.count == 1
    else { return nil }
    if inputs.count > 4, let stepsInput = inputs[4] {
      guard case .constant(let steps) = stepsInput, steps.asIntegers == [1] else { return nil }
    }
    guard end == start + 1, start >= 0 else {
      throw unsupported(node, name, "it slices steps \(start)..<\(end) of a dense layer's output on every step")
    }
    var step = ONNXRecurrence(stage: .input, layer: index, step: Int(start))
    step.inputSource = data.sequenceSource
    return .recurrence(step)
  }

  /// h_{t−1}·W_hhᵀ + b_hh + x_t·W_ih^T + b_ih: the dense layer that made the
  /// inputs becomes the Elman layer at its first step, and later steps must
  /// use the same weights.
  private mutating func combine(
    _ product: ONNXRecurrence, _ input: ONNXRecurrence, _ refuse: (String) -> ONNXError
  ) throws -> ONNXRecurrence {
    guard let index = input.layer, product.layer == nil || product.layer == index, product.step == input.step,
      let recurrent = product.recurrentKernel
    else {
      throw refuse(
        "it adds the state of step \(product.step - 1) to the input of step \(input.step) of an RNN; "
          + "bpkit imports one step after another")
    }
    if product.step == 0 {
      guard layers[index].kind == .dense, layers[index].activation == .linear, layers[index].units == recurrent.shape[0]
      else {
        throw refuse("the input of its first step is not a dense product of the RNN's units")
      }
      // The input's sequence goes whole into this layer.
      try consume(ONNXData(axes: [], sequenceSource: input.inputSource), intoSequence: true, node: layers[index].node)
      layers[index].kind = .elman
      layers[index].recurrentKernel = recurrent
      if let bias = product.recurrentBias {
        // b = b_ih + b_hh, in Float32 as PyTorch's RNN kernels sum them.
        let sum = layers[index].bias.map { zip($0.scalars, bias).map { $0 + $1 } } ?? bias
        layers[index].bias = Tensor(shape: [bias.count], scalars: sum)
      }
      unrolled[index] = UnrolledState(recurrentBias: product.recurrentBias, steps: 0)
    } else {
      guard layers[index].kind == .elman, layers[index].recurrentKernel == recurrent,
        unrolled[index]?.recurrentBias == product.recurrentBias
      else {
        throw refuse("step \(product.step) of an unrolled RNN uses other weights than its first step")
      }
    }
    var sum = product
    sum.stage = .sum
    sum.layer = index
    return sum
  }

  /// f(sum): the state h_t.
  private mutating func activate(
    _ sum: ONNXRecurrence, _ activation: Activation, _ refuse: (String) -> ONNXError
  ) throws -> ONNXRecurrence {
    let index = sum.layer!
    if sum.step == 0 {
      layers[index].activation = activation
    } else if layers[index].activation != activation {
      throw refuse(
        "step \(sum.step) of an unrolled RNN uses \(activation.name), its first step \(layers[index].activation.name)")
    }
    guard unrolled[index]?.steps == sum.step else {
      throw refuse("step \(sum.step) of an unrolled RNN comes out of order")
    }
    unrolled[index]?.steps = sum.step + 1
    var hidden = sum
    hidden.stage = .hidden
    return hidden
  }

  /// `Concat` of every state h_0 ... h_{T−1} on the time axis: the layer's output sequence.
  private mutating func concatenate(
    _ node: Onnx_NodeProto, _ name: String, inputs: [ONNXValue?], attributes: [String: Onnx_AttributeProto]
  ) throws {
    let states = inputs.map { value -> ONNXRecurrence? in
      if case .recurrence(let step) = value, step.stage == .hidden { step } else { nil }
    }
    guard let first = states.first ?? nil, let index = first.layer, states.allSatisfy({ $0?.layer == index }),
      states.enumerated().allSatisfy({ $0.element?.step == $0.offset }), attributes["axis"]?.i ?? 0 == 0
    else {
      throw unsupported(
        node, name, "it joins steps of an unrolled RNN other than all its states, in order, on the time axis")
    }
    guard case .sequence(let steps?, _) = input, steps == states.count else {
      throw unsupported(
        node, name, "it joins \(states.count) steps of an unrolled RNN into a sequence of another length")
    }
    values[node.output[0]] = .data(
      ONNXData(axes: [.time, .batch, .feature(layers[index].units)], sequenceSource: index))
  }
}

/// A step of an Elman layer that an exporter unrolled, as far as the
/// importer has followed it.
struct ONNXRecurrence {
  enum Stage {
    /// x_t·W_ih^T + b_ih, a slice of the dense layer's output on every step.
    case input
    /// h_{t−1}·W_hhᵀ, then + b_hh.
    case product
    /// The product plus the input: f of it is the state.
    case sum
    /// h_t.
    case hidden
  }

  var stage: Stage
  /// The index of the layer draft (the dense layer that becomes the Elman layer); nil before the first step's sum.
  var layer: Int?
  /// t: the step this value belongs to.
  var step: Int
  var recurrentKernel: Tensor<Float>?
  var recurrentBias: [Float]?
  /// The Elman layer whose sequence the input came from (nil for the network's input).
  var inputSource: Int?

  /// The layer's units, from its recurrent kernel.
  var units: Int? { recurrentKernel?.shape[0] }
}

/// What the importer checks across the steps of an unrolled Elman layer.
struct UnrolledState: Equatable {
  var recurrentBias: [Float]?
  /// How many states h_t have been made, in order.
  var steps: Int
}
