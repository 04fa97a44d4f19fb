/// The nodes the network's data flows through: layers, activations, and
/// the layout operators exporters put around them.
extension ONNXImporter {
  /// Applies `node`, whose input `dataIndex` is the network's data.
  mutating func applyToData(
    _ node: Onnx_NodeProto, name: String, inputs: [ONNXValue?], dataIndex: Int,
    attributes: [String: Onnx_AttributeProto]
  ) throws {
    guard case .data(let data) = inputs[dataIndex] else { return }
    let others = inputs.enumerated().filter { $0.offset != dataIndex }.map(\.element)
    if others.contains(where: { if case .data = $0 { true } else { false } }) {
      throw unsupported(node, name, "it combines the network's data with itself; bpkit imports chains of layers")
    }
    func constantInput(_ index: Int) throws -> ONNXConstant {
      guard index < inputs.count, case .constant(let value) = inputs[index] else {
        throw unsupported(node, name, "its input \(index + 1) is not a constant")
      }
      return value
    }
    var result: ONNXData
    switch node.opType {
    case "Identity", "Dropout":
      result = data
    case "Relu", "Tanh", "Sigmoid", "LeakyRelu", "Elu", "Softmax", "HardSigmoid":
      result = try activate(data, node, name, attributes)
    case "Gemm":
      result = try gemm(
        data, node, name, attributes, weight: try constantInput(1), bias: inputs.count > 2 ? try constantInput(2) : nil)
    case "MatMul":
      guard dataIndex == 0 else { throw unsupported(node, name, "the weights come before the data") }
      result = try matMul(data, node, name, weight: try constantInput(1))
    case "Add":
      result = try addBias(data, node, name, bias: try constantInput(1 - dataIndex))
    case "Sub", "Div", "Mul":
      guard dataIndex == 0 else { throw unsupported(node, name, "the constant comes before the data") }
      result = try standardize(data, node, name, constant: try constantInput(1))
    case "RNN":
      guard dataIndex == 0 else { throw unsupported(node, name, "its data input is not X") }
      try recurrent(data, node, name, inputs: inputs, attributes: attributes)
      return
    case "Transpose":
      let perm = attributes["perm"].map { $0.ints.map(Int.init) } ?? Array((0..<data.axes.count).reversed())
      guard perm.sorted() == Array(0..<data.axes.count) else {
        throw unsupported(node, name, "perm \(perm) is invalid")
      }
      result = data.closed
      result.axes = perm.map { data.axes[$0] }
    case "Squeeze", "Unsqueeze":
      let axes = try axesArgument(node, name, inputs: inputs, attributes: attributes)
      result = try node.opType == "Squeeze" ? squeeze(data, axes, node, name) : unsqueeze(data, axes, node, name)
    case "Flatten":
      result = try flatten(data, axis: Int(attributes["axis"]?.i ?? 1), node, name)
    case "Reshape":
      result = try reshape(data, target: try sizes(of: inputs.count > 1 ? inputs[1] : nil, node, name), node, name)
    case "Gather":
      result = try gather(data, indices: try constantInput(1), axis: Int(attributes["axis"]?.i ?? 0), node, name)
    case "Slice":
      if let step = try recurrenceInput(data, node, name, inputs: inputs, attributes: attributes) {
        values[node.output[0]] = step
        return
      }
      result = try slice(data, node, name, inputs: inputs, attributes: attributes)
    case "Shape":
      values[node.output[0]] = .shape(shape(of: data, attributes: attributes))
      return
    default:
      throw ONNXError.unsupportedOperator(file: file, opType: node.opType, node: name)
    }
    values[node.output[0]] = .data(result)
  }

  // MARK: Layers

  private mutating func activate(
    _ data: ONNXData, _ node: Onnx_NodeProto, _ name: String, _ attributes: [String: Onnx_AttributeProto]
  ) throws -> ONNXData {
    guard let activation = ONNXActivation.activation(opType: node.opType, attributes: attributes) else {
      throw unsupported(
        node, name,
        "its alpha and beta are not those of Keras 3's hard_sigmoid (1/6 and 0.5), the only hard sigmoid bpkit has")
    }
    guard let index = data.openDense, layers[index].activation == .linear else {
      throw unsupported(node, name, "bpkit applies activations only right after a dense layer")
    }
    if node.opType == "Softmax" {
      // From opset 13 softmax works on one axis, by default the last; before, on the axes from `axis` (default 1) on.
      let axis = Int(attributes["axis"]?.i ?? (opset >= 13 ? -1 : 1))
      let normalized = axis < 0 ? axis + data.axes.count : axis
      guard normalized == data.axes.count - 1 else {
        throw unsupported(node, name, "softmax over axis \(axis); bpkit's softmax is over the last axis")
      }
    }
    layers[index].activation = activation
    return data.closed
  }

  private mutating func gemm(
    _ data: ONNXData, _ node: Onnx_NodeProto, _ name: String, _ attributes: [String: Onnx_AttributeProto],
    weight: ONNXConstant, bias: ONNXConstant?
  ) throws -> ONNXData {
    guard attributes["transA"]?.i ?? 0 == 0, attributes["alpha"]?.f ?? 1 == 1, attributes["beta"]?.f ?? 1 == 1 else {
      throw unsupported(node, name, "transA, alpha or beta differ from 0, 1 and 1")
    }
    guard data.axes.count == 2, data.axes[0] == .batch, let inputs = data.features else {
      throw unsupported(node, name, "its data is not [batch, features]")
    }
    let kernel = try kernelTensor(weight, inputs: inputs, transposed: attributes["transB"]?.i ?? 0 != 0, node, name)
    let units = kernel.shape[1]
    layers.append(ONNXLayerDraft(kind: .dense, node: name, units: units, kernel: kernel))
    if let bias {
      guard let values = bias.floats, values.count == units || values.count == 1 else {
        throw unsupported(node, name, "its bias C has \(bias.count) values for \(units) units")
      }
      layers[layers.count - 1].bias = Tensor(
        shape: [units], scalars: values.count == units ? values : Array(repeating: values[0], count: units))
    }
    return ONNXData(axes: [.batch, .feature(units)], openDense: layers.count - 1)
  }

  private mutating func matMul(_ data: ONNXData, _ node: Onnx_NodeProto, _ name: String, weight: ONNXConstant) throws
    -> ONNXData
  {
    guard let last = data.axes.last, case .feature(let inputs) = last else {
      throw unsupported(node, name, "its data does not end in features")
    }
    let kernel = try kernelTensor(weight, inputs: inputs, transposed: false, node, name)
    layers.append(ONNXLayerDraft(kind: .dense, node: name, units: kernel.shape[1], kernel: kernel))
    var result = data.closed
    result.axes[result.axes.count - 1] = .feature(kernel.shape[1])
    result.openDense = layers.count - 1
    result.awaitsBias = true
    return result
  }

  /// A dense kernel as bpkit keeps it, [inputs, units], from a 2-D constant.
  private func kernelTensor(
    _ weight: ONNXConstant, inputs: Int, transposed: Bool, _ node: Onnx_NodeProto, _ name: String
  ) throws -> Tensor<Float> {
    guard let floats = weight.floats, weight.shape.count == 2 else {
      throw unsupported(node, name, "its weight is not a 2-D float constant")
    }
    let tensor = Tensor(shape: weight.shape, scalars: floats)
    let kernel = transposed ? ONNXExportPlan.transposed(tensor, prefix: 0) : tensor
    guard kernel.shape[0] == inputs else {
      throw unsupported(node, name, "its weight has shape \(weight.shape) for \(inputs) input features")
    }
    return kernel
  }

  private mutating func addBias(_ data: ONNXData, _ node: Onnx_NodeProto, _ name: String, bias: ONNXConstant) throws
    -> ONNXData
  {
    guard let index = data.openDense, data.awaitsBias, layers[index].bias == nil else {
      throw unsupported(node, name, "bpkit adds a constant only as the bias right after a MatMul")
    }
    let units = layers[index].units
    guard let values = bias.floats, values.count == units, bias.shape.last == units else {
      throw unsupported(node, name, "its bias has shape \(bias.shape) for \(units) units")
    }
    layers[index].bias = Tensor(shape: [units], scalars: values)
    var result = data
    result.awaitsBias = false
    return result
  }

  /// `Sub` of the mean, then `Div` by the standard deviation (or `Mul` by its reciprocal).
  private mutating func standardize(_ data: ONNXData, _ node: Onnx_NodeProto, _ name: String, constant: ONNXConstant)
    throws -> ONNXData
  {
    guard let features = data.features, let values = constant.floats, values.count == features,
      constant.shape.last == features
    else {
      throw unsupported(
        node, name, "bpkit imports \(node.opType) only by one value per input feature, as standardization")
    }
    var result = data.closed
    if node.opType == "Sub" {
      layers.append(
        ONNXLayerDraft(
          kind: .standardize, node: name, units: features, mean: Tensor(shape: [features], scalars: values)))
      result.openStandardize = layers.count - 1
      return result
    }
    let std = node.opType == "Div" ? values : values.map { 1 / $0 }
    if let index = data.openStandardize {
      layers[index].std = Tensor(shape: [features], scalars: std)
    } else {
      layers.append(
        ONNXLayerDraft(kind: .standardize, node: name, units: features, std: Tensor(shape: [features], scalars: std)))
    }
    return result
  }

  /// ONNX's `RNN`, forward, as an Elman layer: kernel = W[0]ᵀ,
  /// recurrent_kernel = R[0]ᵀ, bias = Wb + Rb summed in Float32 as PyTorch
  /// sums its two biases.
  private mutating func recurrent(
    _ data: ONNXData, _ node: Onnx_NodeProto, _ name: String, inputs: [ONNXValue?],
    attributes: [String: Onnx_AttributeProto]
  ) throws {
    let layout = Int(attributes["layout"]?.i ?? 0)
    let direction = attributes["direction"].map { String(decoding: $0.s, as: UTF8.self) } ?? "forward"
    guard direction == "forward", attributes["clip"] == nil else {
      throw unsupported(
        node, name,
        "it runs \(direction)\(attributes["clip"] == nil ? "" : " with clip"); bpkit's Elman layers run forward")
    }
    let expected: [ONNXData.Axis] = layout == 0 ? [.time, .batch] : [.batch, .time]
    guard data.axes.count == 3, Array(data.axes.prefix(2)) == expected, let inputWidth = data.features else {
      throw unsupported(node, name, "its input X is not [\(layout == 0 ? "steps, batch" : "batch, steps"), features]")
    }
    if inputs.count > 4, inputs[4] != nil {
      throw unsupported(node, name, "it takes sequence_lens; bpkit's sequences in a batch share one length")
    }
    if inputs.count > 5, let initial = inputs[5] {
      let isZero: Bool
      switch initial {
      case .zeros: isZero = true
      case .constant(let value): isZero = (value.floats ?? [1]).allSatisfy { $0 == 0 }
      default: isZero = false
      }
      guard isZero else {
        throw unsupported(node, name, "its initial_h is not zero; bpkit's Elman layers start from zero")
      }
    }
    let names = attributes["activations"]?.strings.map { String(decoding: $0, as: UTF8.self) } ?? ["Tanh"]
    guard names.count == 1,
      let activation = ONNXActivation.recurrentActivation(
        name: names[0], alpha: attributes["activation_alpha"]?.floats.first,
        beta: attributes["activation_beta"]?.floats.first)
    else {
      throw unsupported(node, name, "its activations \(names) are not one bpkit has")
    }
    guard case .constant(let w) = inputs[1], case .constant(let r) = inputs[2], let wValues = w.floats,
      let rValues = r.floats, w.shape.count == 3, w.shape[0] == 1, w.shape[2] == inputWidth, r.shape.count == 3,
      r.shape[0] == 1, r.shape[1] == w.shape[1], r.shape[2] == w.shape[1]
    else {
      throw unsupported(
        node, name, "its W and R are not constants of shape [1, hidden, \(inputWidth)] and [1, hidden, hidden]")
    }
    let units = w.shape[1]
    if let size = attributes["hidden_size"]?.i, size != units {
      throw unsupported(node, name, "hidden_size \(size) differs from W's \(units)")
    }
    var draft = ONNXLayerDraft(kind: .elman, node: name, units: units, activation: activation)
    draft.kernel = ONNXExportPlan.transposed(Tensor(shape: [units, inputWidth], scalars: wValues), prefix: 0)
    draft.recurrentKernel = ONNXExportPlan.transposed(Tensor(shape: [units, units], scalars: rValues), prefix: 0)
    if inputs.count > 3, let b = inputs[3] {
      guard case .constant(let bias) = b, let values = bias.floats, values.count == 2 * units else {
        throw unsupported(node, name, "its B is not a constant of shape [1, \(2 * units)]")
      }
      draft.bias = Tensor(shape: [units], scalars: (0..<units).map { values[$0] + values[units + $0] })
    }
    try consume(data, intoSequence: true, node: name)
    let outputs = node.output + ["", ""]
    if !outputs[1].isEmpty, uses[outputs[1], default: 0] > 0 { draft.takesLastStep = true }
    layers.append(draft)
    let index = layers.count - 1
    let hidden = ONNXData.Axis.feature(units)
    if !outputs[0].isEmpty {
      values[outputs[0]] = .data(
        ONNXData(
          axes: layout == 0 ? [.time, .unit, .batch, hidden] : [.batch, .time, .unit, hidden], sequenceSource: index))
    }
    if !outputs[1].isEmpty {
      values[outputs[1]] = .data(ONNXData(axes: layout == 0 ? [.unit, .batch, hidden] : [.batch, .unit, hidden]))
    }
  }
}
