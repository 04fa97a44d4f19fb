/// What ONNX's recurrent operators (`RNN`, `LSTM`, `GRU`) share: the
/// time-major or batch-first input, zero initial states, W, R and B, and the
/// outputs Y (every step) and Y_h (the last step).
extension ONNXImporter {
  /// Checks what bpkit's recurrent layers cannot express (another
  /// direction, clip, sequence_lens, a non-zero initial state at any of
  /// `states`) and returns the node's `layout` and input width.
  func recurrentInput(
    _ data: ONNXData, _ node: Onnx_NodeProto, _ name: String, inputs: [ONNXValue?],
    attributes: [String: Onnx_AttributeProto], layer: String, states: [Int]
  ) throws -> (layout: Int, inputWidth: Int) {
    let layout = Int(attributes["layout"]?.i ?? 0)
    let direction = attributes["direction"].map { String(decoding: $0.s, as: UTF8.self) } ?? "forward"
    guard direction == "forward" else {
      throw unsupported(node, name, "it runs \(direction); bpkit's \(layer) layers run forward only")
    }
    if let clip = attributes["clip"] {
      throw unsupported(node, name, "it clips at \(clip.f); bpkit's \(layer) layers do not clip")
    }
    let expected: [ONNXData.Axis] = layout == 0 ? [.time, .batch] : [.batch, .time]
    guard data.axes.count == 3, Array(data.axes.prefix(2)) == expected, let inputWidth = data.features else {
      throw unsupported(node, name, "its input X is not [\(layout == 0 ? "steps, batch" : "batch, steps"), features]")
    }
    if inputs.count > 4, inputs[4] != nil {
      throw unsupported(node, name, "it takes sequence_lens; bpkit's sequences in a batch share one length")
    }
    for index in states where index < inputs.count {
      guard let initial = inputs[index] else { continue }
      let isZero: Bool
      switch initial {
      case .zeros: isZero = true
      case .constant(let value): isZero = (value.floats ?? [1]).allSatisfy { $0 == 0 }
      default: isZero = false
      }
      guard isZero else {
        let state = index == 5 ? "initial_h" : "initial_c"
        throw unsupported(node, name, "its \(state) is not zero; bpkit's \(layer) layers start from zero")
      }
    }
    return (layout, inputWidth)
  }

  /// W[0] and R[0] of a node with `gates` gates, as bpkit's `kernel`
  /// [inputs, gates·units] and `recurrent_kernel` [units, gates·units]:
  /// each gate's rows are moved to block k of bpkit's gate order when
  /// `order[k]` is its place in ONNX's, then transposed.
  func recurrentWeights(
    _ node: Onnx_NodeProto, _ name: String, inputs: [ONNXValue?], attributes: [String: Onnx_AttributeProto],
    gates: Int, inputWidth: Int, order: [Int] = [0]
  ) throws -> (kernel: Tensor<Float>, recurrentKernel: Tensor<Float>) {
    guard inputs.count > 2, case .constant(let w) = inputs[1], case .constant(let r) = inputs[2],
      let wValues = w.floats, let rValues = r.floats, w.shape.count == 3, w.shape[0] == 1,
      w.shape[1] % gates == 0, w.shape[2] == inputWidth, r.shape == [1, w.shape[1], w.shape[1] / gates]
    else {
      let rows = gates == 1 ? "hidden" : "\(gates)·hidden"
      throw unsupported(
        node, name, "its W and R are not constants of shape [1, \(rows), \(inputWidth)] and [1, \(rows), hidden]")
    }
    let units = w.shape[1] / gates
    if let size = attributes["hidden_size"]?.i, size != units {
      throw unsupported(node, name, "hidden_size \(size) differs from W's \(units)")
    }
    func bpkitOrder(_ values: [Float], columns: Int) -> Tensor<Float> {
      let rows = ONNXExportPlan.reordered(values, blockSize: units * columns, blocks: order)
      return ONNXExportPlan.transposed(Tensor(shape: [gates * units, columns], scalars: rows), prefix: 0)
    }
    return (bpkitOrder(wValues, columns: inputWidth), bpkitOrder(rValues, columns: units))
  }

  /// Wb and Rb of B ([1, 2·`size`]) in bpkit's gate order (see
  /// `recurrentWeights`), or `nil` when the node has no B.
  func recurrentBiases(
    _ node: Onnx_NodeProto, _ name: String, inputs: [ONNXValue?], size: Int, units: Int? = nil, order: [Int] = [0]
  ) throws -> (wb: [Float], rb: [Float])? {
    guard inputs.count > 3, let b = inputs[3] else { return nil }
    guard case .constant(let bias) = b, let values = bias.floats, values.count == 2 * size else {
      throw unsupported(node, name, "its B is not a constant of shape [1, \(2 * size)]")
    }
    let blockSize = units ?? size
    return (
      ONNXExportPlan.reordered(Array(values[..<size]), blockSize: blockSize, blocks: order),
      ONNXExportPlan.reordered(Array(values[size...]), blockSize: blockSize, blocks: order)
    )
  }

  /// Adds the recurrent layer `draft` made from `node`, and gives the node's
  /// Y and Y_h their axes; a layer whose Y_h is used returns its last step.
  mutating func addRecurrentLayer(
    _ draft: ONNXLayerDraft, _ data: ONNXData, _ node: Onnx_NodeProto, _ name: String, layout: Int
  ) throws {
    var draft = draft
    try consume(data, intoSequence: true, node: name)
    let outputs = node.output + ["", "", ""]
    if !outputs[2].isEmpty, uses[outputs[2], default: 0] > 0 {
      throw unsupported(node, name, "it uses the cell state Y_c, which bpkit's LSTM layers do not return")
    }
    if !outputs[1].isEmpty, uses[outputs[1], default: 0] > 0 { draft.takesLastStep = true }
    layers.append(draft)
    let index = layers.count - 1
    let hidden = ONNXData.Axis.feature(draft.units)
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
