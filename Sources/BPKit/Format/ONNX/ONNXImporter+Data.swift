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
    case "Identity":
      result = data
    case "Dropout":
      result = try dropout(data, node, name, inputs: inputs, attributes: attributes)
    case _ where ONNXActivation.importedOperators.contains(node.opType):
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
    case "LSTM", "GRU":
      guard dataIndex == 0 else { throw unsupported(node, name, "its data input is not X") }
      if node.opType == "LSTM" {
        try lstm(data, node, name, inputs: inputs, attributes: attributes)
      } else {
        try gru(data, node, name, inputs: inputs, attributes: attributes)
      }
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
      throw unsupported(node, name, ONNXActivation.refusal(opType: node.opType))
    }
    guard let index = data.openDense, layers[index].activation == .linear else {
      throw unsupported(node, name, "bpkit applies activations only right after a dense layer")
    }
    if node.opType == "Softmax" || node.opType == "LogSoftmax" {
      // From opset 13 softmax works on one axis, by default the last; before, on the axes from `axis` (default 1) on.
      let axis = Int(attributes["axis"]?.i ?? (opset >= 13 ? -1 : 1))
      let normalized = axis < 0 ? axis + data.axes.count : axis
      guard normalized == data.axes.count - 1 else {
        throw unsupported(node, name, "\(activation.name) over axis \(axis); bpkit's is over the last axis")
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
    let (kernel, exact) = try kernelTensor(
      weight, inputs: inputs, transposed: attributes["transB"]?.i ?? 0 != 0, node, name)
    let units = kernel.shape[1]
    layers.append(ONNXLayerDraft(kind: .dense, node: name, units: units, kernel: kernel))
    layers[layers.count - 1].exact["kernel"] = exact
    if let bias {
      guard let values = bias.floats, values.count == units || values.count == 1 else {
        throw unsupported(node, name, "its bias C has \(bias.count) values for \(units) units")
      }
      layers[layers.count - 1].bias = Tensor(
        shape: [units], scalars: values.count == units ? values : Array(repeating: values[0], count: units))
      layers[layers.count - 1].exact["bias"] = bias.doubles.map {
        Tensor(shape: [units], scalars: $0.count == units ? $0 : Array(repeating: $0[0], count: units))
      }
    }
    return ONNXData(axes: [.batch, .feature(units)], openDense: layers.count - 1)
  }

  private mutating func matMul(_ data: ONNXData, _ node: Onnx_NodeProto, _ name: String, weight: ONNXConstant) throws
    -> ONNXData
  {
    guard let last = data.axes.last, case .feature(let inputs) = last else {
      throw unsupported(node, name, "its data does not end in features")
    }
    let (kernel, exact) = try kernelTensor(weight, inputs: inputs, transposed: false, node, name)
    layers.append(ONNXLayerDraft(kind: .dense, node: name, units: kernel.shape[1], kernel: kernel))
    layers[layers.count - 1].exact["kernel"] = exact
    var result = data.closed
    result.axes[result.axes.count - 1] = .feature(kernel.shape[1])
    result.openDense = layers.count - 1
    result.awaitsBias = true
    return result
  }

  /// A dense kernel as bpkit keeps it, [inputs, units], from a 2-D
  /// constant; with its exact values when the constant has them (DOUBLE).
  private func kernelTensor(
    _ weight: ONNXConstant, inputs: Int, transposed: Bool, _ node: Onnx_NodeProto, _ name: String
  ) throws -> (Tensor<Float>, exact: Tensor<Double>?) {
    guard let floats = weight.floats, weight.shape.count == 2 else {
      throw unsupported(node, name, "its weight is not a 2-D float constant")
    }
    let tensor = Tensor(shape: weight.shape, scalars: floats)
    let kernel = transposed ? ONNXExportPlan.transposed(tensor, prefix: 0) : tensor
    guard kernel.shape[0] == inputs else {
      throw unsupported(node, name, "its weight has shape \(weight.shape) for \(inputs) input features")
    }
    let exact = weight.doubles.map { doubles in
      transposed
        ? Tensor(
          shape: kernel.shape,
          scalars: Transposition.transposed(doubles, rows: weight.shape[0], columns: weight.shape[1]))
        : Tensor(shape: kernel.shape, scalars: doubles)
    }
    return (kernel, exact)
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
    layers[index].exact["bias"] = bias.doubles.map { Tensor(shape: [units], scalars: $0) }
    var result = data
    result.awaitsBias = false
    return result
  }

  /// `Sub` of the mean, then `Div` by the standard deviation (or `Mul` by its reciprocal).
  /// ONNX's `Dropout` as a dropout layer: its ratio from input 1 (opset 12
  /// on) or the `ratio` attribute (before), 0.5 when neither is given, as ONNX
  /// defines it. Outside training both are the identity.
  private mutating func dropout(
    _ data: ONNXData, _ node: Onnx_NodeProto, _ name: String, inputs: [ONNXValue?],
    attributes: [String: Onnx_AttributeProto]
  ) throws -> ONNXData {
    var rate = Double((attributes["ratio"]?.f ?? 0.5).description) ?? 0.5
    if inputs.count > 1, let ratio = inputs[1] {
      guard case .constant(let value) = ratio, let values = value.floats, values.count == 1 else {
        throw unsupported(node, name, "its ratio is not one constant number")
      }
      // A DOUBLE ratio as stored; a float's shortest decimal: 0.2 written as a float comes back as 0.2.
      rate = value.doubles?.first ?? Double(values[0].description) ?? Double(values[0])
    }
    if inputs.count > 2, inputs[2] != nil {
      throw unsupported(node, name, "it has a training_mode input; bpkit imports Dropout as it runs in inference")
    }
    guard rate >= 0, rate < 1 else { throw unsupported(node, name, "its ratio \(rate) is not in [0, 1)") }
    guard let features = data.features else {
      throw unsupported(node, name, "its input has no fixed feature count")
    }
    layers.append(ONNXLayerDraft(kind: .dropout, node: name, units: features, rate: rate))
    return data.closed
  }

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
      layers[layers.count - 1].exact["mean"] = constant.doubles.map { Tensor(shape: [features], scalars: $0) }
      result.openStandardize = layers.count - 1
      return result
    }
    let std = node.opType == "Div" ? values : values.map { 1 / $0 }
    let exactStd = constant.doubles.map {
      Tensor(shape: [features], scalars: node.opType == "Div" ? $0 : $0.map { 1 / $0 })
    }
    if let index = data.openStandardize {
      layers[index].std = Tensor(shape: [features], scalars: std)
      layers[index].exact["std"] = exactStd
    } else {
      layers.append(
        ONNXLayerDraft(kind: .standardize, node: name, units: features, std: Tensor(shape: [features], scalars: std)))
      layers[layers.count - 1].exact["std"] = exactStd
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
    let (layout, inputWidth) = try recurrentInput(
      data, node, name, inputs: inputs, attributes: attributes, layer: "Elman", states: [5])
    let names = attributes["activations"]?.strings.map { String(decoding: $0, as: UTF8.self) } ?? ["Tanh"]
    guard names.count == 1,
      let activation = ONNXActivation.recurrentActivation(
        name: names[0], alpha: attributes["activation_alpha"]?.floats.first,
        beta: attributes["activation_beta"]?.floats.first)
    else {
      throw unsupported(node, name, "its activations \(names) are not one bpkit has")
    }
    let (kernel, recurrentKernel) = try recurrentWeights(
      node, name, inputs: inputs, attributes: attributes, gates: 1, inputWidth: inputWidth)
    let units = recurrentKernel.shape[0]
    var draft = ONNXLayerDraft(kind: .elman, node: name, units: units, activation: activation)
    draft.kernel = kernel
    draft.recurrentKernel = recurrentKernel
    if let (wb, rb) = try recurrentBiases(node, name, inputs: inputs, size: units) {
      draft.bias = Tensor(shape: [units], scalars: zip(wb, rb).map { $0 + $1 })
    }
    try addRecurrentLayer(draft, data, node, name, layout: layout)
  }
}
