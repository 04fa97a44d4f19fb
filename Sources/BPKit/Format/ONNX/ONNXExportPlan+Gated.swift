/// LSTM and GRU layers as ONNX's `LSTM` and `GRU` operators (forward, one
/// direction, no peepholes, no clip).
///
/// ONNX keeps each gate's weights as rows, W = [1, gates·units, inputs] and
/// R = [1, gates·units, units], where bpkit keeps Keras' columns, so each
/// gate's block of `kernel` and `recurrent_kernel` is transposed and put in
/// ONNX's gate order; the numbers are moved, never recomputed.
extension ONNXExportPlan {
  /// ONNX's LSTM gate order i, o, f, c as blocks of Keras' i, f, c, o.
  static let lstmGateBlocks = [0, 3, 1, 2]
  /// ONNX's GRU gate order z, r, h as blocks of Keras' z, r, h: the same.
  static let gruGateBlocks = [0, 1, 2]

  /// An LSTM layer as ONNX's `LSTM`: i = f(X·Wᵢᵀ + H·Rᵢᵀ + Wbᵢ + Rbᵢ), …,
  /// C_t = f_t ⊙ C_{t−1} + i_t ⊙ g(…), H_t = o_t ⊙ h(C_t), with activations
  /// (f, g, h) = (σ, φ, φ) as Keras' `LSTM` uses its recurrent activation σ
  /// and activation φ. Keras' single bias becomes Wb, and Rb is −0, which
  /// leaves Wb + Rb = Wb bit for bit.
  mutating func addLSTM(
    _ layer: Layer, _ settings: GatedRecurrentSettings, input: String, parameter: (String) -> Tensor<Float>?
  ) throws -> String {
    let activations = try Self.activationAttributes(
      layer, [settings.recurrentActivation, settings.activation, settings.activation], operator: "LSTM")
    var inputs = try gateWeights(layer, settings.units, blocks: Self.lstmGateBlocks, input: input, parameter: parameter)
    if let bias = parameter("bias") {
      let wb = Self.reordered(bias.scalars, blockSize: settings.units, blocks: Self.lstmGateBlocks)
      let rb = [Float](repeating: -0.0, count: wb.count)
      inputs.append(addInitializer("\(layer.name).B", Tensor(shape: [1, 2 * wb.count], scalars: wb + rb)))
    }
    return addRecurrentNode(
      "LSTM", layer, inputs: inputs, attributes: [.int("hidden_size", settings.units)] + activations,
      returnSequences: settings.returnSequences)
  }

  /// A GRU layer as ONNX's `GRU`, activations (f, g) = (σ, φ). With
  /// `resetAfter` it is `linear_before_reset` = 1, ĥ = g(X·Wₕᵀ + Wbₕ + r ⊙
  /// (H·Rₕᵀ + Rbₕ)), and Keras' two biases (input, recurrent) are Wb and Rb;
  /// without, ĥ = g(X·Wₕᵀ + (r ⊙ H)·Rₕᵀ + Wbₕ + Rbₕ), with Keras' single
  /// bias as Wb and Rb = −0.
  mutating func addGRU(
    _ layer: Layer, _ settings: GatedRecurrentSettings, resetAfter: Bool, input: String,
    parameter: (String) -> Tensor<Float>?
  ) throws -> String {
    let activations = try Self.activationAttributes(
      layer, [settings.recurrentActivation, settings.activation], operator: "GRU")
    var inputs = try gateWeights(layer, settings.units, blocks: Self.gruGateBlocks, input: input, parameter: parameter)
    if let bias = parameter("bias") {
      // Keras' reset_after bias is [2, 3·units]: the input bias, then the recurrent one.
      let scalars =
        resetAfter ? bias.scalars : bias.scalars + [Float](repeating: -0.0, count: bias.scalars.count)
      inputs.append(addInitializer("\(layer.name).B", Tensor(shape: [1, scalars.count], scalars: scalars)))
    }
    return addRecurrentNode(
      "GRU", layer,
      inputs: inputs,
      attributes: [.int("hidden_size", settings.units), .int("linear_before_reset", resetAfter ? 1 : 0)] + activations,
      returnSequences: settings.returnSequences)
  }

  /// The time-major input, W and R of a gated layer, in ONNX's gate order.
  private mutating func gateWeights(
    _ layer: Layer, _ units: Int, blocks: [Int], input: String, parameter: (String) -> Tensor<Float>?
  ) throws -> [String] {
    var names = [timeMajor(input, layer)]
    for (weight, onnxName) in [("kernel", "W"), ("recurrent_kernel", "R")] {
      let transposed = Self.transposed(parameter(weight)!, prefix: 1)
      let rowLength = transposed.shape[2]
      let scalars = Self.reordered(transposed.scalars, blockSize: units * rowLength, blocks: blocks)
      names.append(addInitializer("\(layer.name).\(onnxName)", Tensor(shape: transposed.shape, scalars: scalars)))
    }
    return names
  }

  /// `scalars`, made of blocks of `blockSize`, with block `blocks[k]` in place k.
  static func reordered(_ scalars: [Float], blockSize: Int, blocks: [Int]) -> [Float] {
    var result: [Float] = []
    result.reserveCapacity(scalars.count)
    for block in blocks { result += scalars[(block * blockSize)..<((block + 1) * blockSize)] }
    return result
  }

  /// The `activations`, `activation_alpha` and `activation_beta` attributes
  /// for `list`; alphas and betas are listed only for the activations that
  /// take them, in order, as ONNX runtimes consume them.
  private static func activationAttributes(_ layer: Layer, _ list: [Activation], operator opType: String) throws
    -> [Onnx_AttributeProto]
  {
    var names: [String] = []
    var alphas: [Float] = []
    var betas: [Float] = []
    for activation in list {
      guard let (name, alpha, beta) = ONNXActivation.recurrent(activation) else {
        throw ONNXError.cannotExport(
          detail: "\(layer.kind.typeName) layer '\(layer.name)' uses \(activation.name), which ONNX's \(opType) "
            + "operator does not have; use another activation or export it to Keras (--to keras)")
      }
      names.append(name)
      if let alpha { alphas.append(alpha) }
      if let beta { betas.append(beta) }
    }
    var attributes: [Onnx_AttributeProto] = [.strings("activations", names)]
    if !alphas.isEmpty { attributes.append(.floats("activation_alpha", alphas)) }
    if !betas.isEmpty { attributes.append(.floats("activation_beta", betas)) }
    return attributes
  }
}
