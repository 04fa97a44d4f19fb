/// ONNX's `LSTM` and `GRU` operators (forward, one direction) as bpkit's
/// `lstm` and `gru` layers, the inverse of ONNXExportPlan+Gated.swift: the
/// gates' rows are put back in Keras' order and transposed, numbers moved,
/// never recomputed, except where bpkit has one bias for ONNX's two (see
/// each function).
extension ONNXImporter {
  /// Keras' LSTM gate order i, f, c, o as blocks of ONNX's i, o, f, c.
  static let lstmGateBlocks = [0, 2, 3, 1]

  /// `LSTM` as an `lstm` layer. Its activations (f, g, h) must be (σ, φ, φ),
  /// as Keras applies φ to both the candidate and the cell state; bias =
  /// Wb + Rb, summed in Float32 (rounded once, exact when Rb is zero, as in
  /// the files bpkit writes). Peepholes P, `input_forget` and a used Y_c
  /// are refused, as bpkit's LSTM has none of them.
  mutating func lstm(
    _ data: ONNXData, _ node: Onnx_NodeProto, _ name: String, inputs: [ONNXValue?],
    attributes: [String: Onnx_AttributeProto]
  ) throws {
    let (layout, inputWidth) = try recurrentInput(
      data, node, name, inputs: inputs, attributes: attributes, layer: "LSTM", states: [5, 6])
    if attributes["input_forget"]?.i ?? 0 != 0 {
      throw unsupported(
        node, name, "input_forget = 1 couples its input and forget gates; bpkit's LSTM keeps them apart")
    }
    if inputs.count > 7, let peepholes = inputs[7] {
      guard case .constant(let p) = peepholes, (p.floats ?? [1]).allSatisfy({ $0 == 0 }) else {
        throw unsupported(node, name, "it has peephole weights P; bpkit's LSTM has no peepholes")
      }
    }
    let activations = try gatedActivations(
      node, name, attributes, defaults: ["Sigmoid", "Tanh", "Tanh"], roles: ["f", "g", "h"])
    guard activations[1] == activations[2] else {
      throw unsupported(
        node, name,
        "its activations g (\(activations[1].name)) and h (\(activations[2].name)) differ; bpkit's LSTM, as Keras', "
          + "applies one activation to the candidate and the cell state")
    }
    let (kernel, recurrentKernel) = try recurrentWeights(
      node, name, inputs: inputs, attributes: attributes, gates: 4, inputWidth: inputWidth,
      order: Self.lstmGateBlocks)
    let units = recurrentKernel.shape[0]
    var draft = ONNXLayerDraft(kind: .lstm, node: name, units: units, activation: activations[1])
    draft.recurrentActivation = activations[0]
    draft.kernel = kernel
    draft.recurrentKernel = recurrentKernel
    if let (wb, rb) = try recurrentBiases(
      node, name, inputs: inputs, size: 4 * units, units: units, order: Self.lstmGateBlocks)
    {
      draft.bias = Tensor(shape: [4 * units], scalars: zip(wb, rb).map { $0 + $1 })
    }
    try addRecurrentLayer(draft, data, node, name, layout: layout)
  }

  /// `GRU` as a `gru` layer, activations (f, g) = (σ, φ). With
  /// `linear_before_reset` = 1 it is Keras' `reset_after` form and keeps
  /// both biases, Wb and Rb, exactly as bias [2, 3·units]; with 0 it is
  /// `reset_after=False`, whose single bias is Wb + Rb, summed in Float32.
  mutating func gru(
    _ data: ONNXData, _ node: Onnx_NodeProto, _ name: String, inputs: [ONNXValue?],
    attributes: [String: Onnx_AttributeProto]
  ) throws {
    let (layout, inputWidth) = try recurrentInput(
      data, node, name, inputs: inputs, attributes: attributes, layer: "GRU", states: [5])
    let activations = try gatedActivations(node, name, attributes, defaults: ["Sigmoid", "Tanh"], roles: ["f", "g"])
    let (kernel, recurrentKernel) = try recurrentWeights(
      node, name, inputs: inputs, attributes: attributes, gates: 3, inputWidth: inputWidth, order: [0, 1, 2])
    let units = recurrentKernel.shape[0]
    let resetAfter = attributes["linear_before_reset"]?.i ?? 0 != 0
    var draft = ONNXLayerDraft(kind: .gru, node: name, units: units, activation: activations[1])
    draft.recurrentActivation = activations[0]
    draft.resetAfter = resetAfter
    draft.kernel = kernel
    draft.recurrentKernel = recurrentKernel
    if let (wb, rb) = try recurrentBiases(node, name, inputs: inputs, size: 3 * units) {
      draft.bias =
        resetAfter
        ? Tensor(shape: [2, 3 * units], scalars: wb + rb)
        : Tensor(shape: [3 * units], scalars: zip(wb, rb).map { $0 + $1 })
    }
    try addRecurrentLayer(draft, data, node, name, layout: layout)
  }

  /// The node's activations, one per role, with their alphas and betas
  /// consumed in order by the activations that take them (as onnxruntime
  /// reads them); refused by role and name when bpkit has no such activation.
  private func gatedActivations(
    _ node: Onnx_NodeProto, _ name: String, _ attributes: [String: Onnx_AttributeProto], defaults: [String],
    roles: [String]
  ) throws -> [Activation] {
    let names = attributes["activations"]?.strings.map { String(decoding: $0, as: UTF8.self) } ?? defaults
    guard names.count == roles.count else {
      throw unsupported(
        node, name, "it lists \(names.count) activations; one direction of \(node.opType) takes \(roles.count)")
    }
    var alphas = (attributes["activation_alpha"]?.floats ?? [])[...]
    var betas = (attributes["activation_beta"]?.floats ?? [])[...]
    return try zip(roles, names).map { role, activationName in
      let lowered = activationName.lowercased()
      let takesAlpha = ["affine", "leakyrelu", "thresholdedrelu", "scaledtanh", "hardsigmoid", "elu"].contains(lowered)
      let takesBeta = ["affine", "scaledtanh", "hardsigmoid"].contains(lowered)
      let alpha = takesAlpha ? alphas.popFirst() : nil
      let beta = takesBeta ? betas.popFirst() : nil
      guard let activation = ONNXActivation.recurrentActivation(name: activationName, alpha: alpha, beta: beta)
      else {
        throw unsupported(
          node, name,
          "its activation \(role) is \(activationName)"
            + (alpha.map { " (alpha \($0)\(beta.map { ", beta \($0)" } ?? ""))" } ?? "")
            + ", which bpkit does not have")
      }
      return activation
    }
  }
}
