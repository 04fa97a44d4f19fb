import Foundation

/// A bpkit model as an ONNX graph: the nodes, inputs, outputs and metadata,
/// and the weights that become the graph's initializers.
///
/// The weights are kept apart from the message so that the writer can send
/// each one to the file straight from its storage (``ONNXFileWriter``).
struct ONNXExportPlan {
  /// One initializer: a FLOAT or DOUBLE tensor under its graph name.
  struct Initializer {
    var name: String
    var shape: [Int]
    var values: Values
  }

  /// An initializer's numbers: FLOAT for a float32 model, DOUBLE for a float64 one.
  enum Values {
    case float([Float])
    case double([Double])

    /// The element type in ONNX's numbering.
    var elementType: ONNXElementType {
      switch self {
      case .float: .float
      case .double: .double
      }
    }

    /// The little-endian bytes of the numbers, as `raw_data` holds them.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
      switch self {
      case .float(let scalars): try scalars.withUnsafeBytes(body)
      case .double(let scalars): try scalars.withUnsafeBytes(body)
      }
    }

    var byteCount: Int {
      switch self {
      case .float(let scalars): scalars.count * 4
      case .double(let scalars): scalars.count * 8
      }
    }
  }

  /// The model message without initializers.
  var model = Onnx_ModelProto()
  /// The initializers, in the order the nodes use them.
  var initializers: [Initializer] = []

  private var nodes: [Onnx_NodeProto] = []
  private var valueNames: Set<String> = []
  private let opset: Int
  /// DOUBLE for a float64 model (its weights, input and output), else FLOAT.
  private let elementType: ONNXElementType

  /// Lays out `model` as opset `opset` nodes: a float64 model as a DOUBLE
  /// graph, its weights exact.
  ///
  /// - Throws: ``ONNXError/unsupportedOpset(_:)``, or
  ///   ``ONNXError/cannotExport(detail:)`` for what ONNX's operators cannot
  ///   express, and for a float64 model's layers whose operators onnxruntime
  ///   runs in float only (``ONNXFloat64Support``).
  init(_ source: Model, opset: Int) throws {
    guard ONNXFormat.opsets.contains(opset) else { throw ONNXError.unsupportedOpset(opset) }
    self.opset = opset
    let network = source.network
    let exact = source.float64Parameters
    elementType = exact == nil ? .float : .double
    if exact != nil {
      for layer in network.layers { try ONNXFloat64Support.check(layer, opset: opset) }
    }
    var current = ONNXFormat.inputName
    var isSequence = network.input.isSequence
    var width = network.input.features
    for layer in network.layers {
      func parameter(_ name: String) -> Tensor<Float>? {
        source.parameters[ParameterKey(layer: layer.name, name: name)]
      }
      /// A weight as an initializer in the model's precision, exact.
      func addWeight(_ label: String, _ name: String, nonZero: Bool = false) -> String? {
        let key = ParameterKey(layer: layer.name, name: name)
        if let exact {
          return exact[key].map { addInitializer(label, nonZero ? Self.nonZero($0) : $0) }
        }
        return source.parameters[key].map { addInitializer(label, nonZero ? Self.nonZero($0) : $0) }
      }
      switch layer.kind {
      case .lstm(let settings, _):
        current = try addLSTM(layer, settings, input: current, parameter: parameter)
        isSequence = settings.returnSequences
        width = settings.units
      case .gru(let settings, let resetAfter):
        current = try addGRU(layer, settings, resetAfter: resetAfter, input: current, parameter: parameter)
        isSequence = settings.returnSequences
        width = settings.units
      case .standardize:
        // y = (x − mean) / std, with bpkit's guard for a zero std (NetworkPlan+Forward).
        let mean = addWeight("\(layer.name).mean", "mean")!
        let scale = addWeight("\(layer.name).std", "std", nonZero: true)!
        let centred = addNode("Sub", layer.name, [current, mean])
        current = addNode("Div", layer.name, [centred, scale])
      case .dropout(let rate):
        // ONNX's Dropout (opset 12 on: ratio as input 1) is the identity
        // without training_mode, as bpkit's layer is outside training.
        let ratio =
          exact == nil
          ? addInitializer("\(layer.name).ratio", Tensor(shape: [], scalars: [Float(rate)]))
          : addInitializer("\(layer.name).ratio", Tensor(shape: [], scalars: [rate]))
        current = addNode("Dropout", layer.name, [current, ratio])
      case .dense(let units, let activation, _):
        let kernel = addWeight("\(layer.name).kernel", "kernel")!
        let bias = addWeight("\(layer.name).bias", "bias")
        if isSequence {
          // y = x·W + b on every step: MatMul broadcasts over [batch, steps].
          current = addNode("MatMul", layer.name, [current, kernel])
          if let bias { current = addNode("Add", layer.name, [current, bias]) }
        } else {
          current = addNode("Gemm", layer.name, [current, kernel] + (bias.map { [$0] } ?? []))
        }
        if let (opType, attributes) = try ONNXActivation.node(for: activation, layer: layer.name, opset: opset) {
          current = addNode(opType, layer.name, [current], attributes: attributes)
        }
        width = units
      case .elman(let units, let activation, _, let returnSequences):
        current = try addElman(
          layer, units: units, activation: activation, returnSequences: returnSequences, input: current,
          width: width, parameter: parameter)
        isSequence = returnSequences
        width = units
      }
    }
    rename(current, to: ONNXFormat.outputName)
    finish(source, isSequence: isSequence, outputWidth: width)
  }

  /// An Elman layer as ONNX's `RNN` operator (forward, one direction):
  /// H_t = f(X_t·Wᵀ + H_{t−1}·Rᵀ + Wb + Rb), which is bpkit's
  /// h_t = act(x_t·W + h_{t−1}·U + b) with W = kernelᵀ, R = recurrent_kernelᵀ,
  /// Wb = b and Rb = −0 (the zero that leaves b + Rb = b bit for bit, −0
  /// included). bpkit's [batch, steps, features] layout is turned
  /// into RNN's [steps, batch, features] and back with `Transpose`, which
  /// every opset from 13 has (`layout` = 1 needs 14).
  private mutating func addElman(
    _ layer: Layer, units: Int, activation: Activation, returnSequences: Bool, input: String, width: Int,
    parameter: (String) -> Tensor<Float>?
  ) throws -> String {
    guard let (name, alpha, beta) = ONNXActivation.recurrent(activation) else {
      throw ONNXError.cannotExport(
        detail: "Elman layer '\(layer.name)' uses \(activation.name), which ONNX's RNN operator does not have")
    }
    let kernel = parameter("kernel")!
    let recurrent = parameter("recurrent_kernel")!
    let w = addInitializer("\(layer.name).W", Self.transposed(kernel, prefix: 1))
    let r = addInitializer("\(layer.name).R", Self.transposed(recurrent, prefix: 1))
    var inputs = [timeMajor(input, layer), w, r]
    if let bias = parameter("bias") {
      inputs.append(
        addInitializer(
          "\(layer.name).B",
          Tensor(shape: [1, 2 * units], scalars: bias.scalars + [Float](repeating: -0.0, count: units))
        ))
    }
    var attributes: [Onnx_AttributeProto] = [.int("hidden_size", units), .strings("activations", [name])]
    if let alpha { attributes.append(.floats("activation_alpha", [alpha])) }
    if let beta { attributes.append(.floats("activation_beta", [beta])) }
    return addRecurrentNode("RNN", layer, inputs: inputs, attributes: attributes, returnSequences: returnSequences)
  }

  /// Appends a recurrent node (`RNN`, `LSTM`, `GRU`) whose inputs start with
  /// the [steps, batch, features] data, and returns its output in bpkit's
  /// layout: Y turned back to [batch, steps, units] when the layer returns
  /// its sequence, else Y_h, the last step, as [batch, units].
  mutating func addRecurrentNode(
    _ opType: String, _ layer: Layer, inputs: [String], attributes: [Onnx_AttributeProto], returnSequences: Bool
  ) -> String {
    let y = returnSequences ? uniqueName("\(layer.name)/Y") : ""
    let yH = returnSequences ? "" : uniqueName("\(layer.name)/Y_h")
    nodes.append(
      Onnx_NodeProto(
        opType, name: uniqueName("\(layer.name)/\(opType)"), inputs: inputs, outputs: [y, yH],
        attributes: attributes))
    if returnSequences {
      // Y is [steps, directions = 1, batch, units].
      let steps = addNode("Squeeze", layer.name, [y, addAxes(layer.name, [1])])
      return addNode("Transpose", layer.name, [steps], attributes: [.ints("perm", [1, 0, 2])])
    }
    // Y_h is [directions = 1, batch, units]: the last step.
    return addNode("Squeeze", layer.name, [yH, addAxes(layer.name, [0])])
  }

  /// `input` ([batch, steps, features]) as the [steps, batch, features] that
  /// recurrent operators take without `layout` = 1 (which needs opset 14).
  mutating func timeMajor(_ input: String, _ layer: Layer) -> String {
    addNode("Transpose", layer.name, [input], attributes: [.ints("perm", [1, 0, 2])])
  }

  /// `tensor` ([rows, columns]) transposed, with `prefix` leading dimensions of 1.
  static func transposed(_ tensor: Tensor<Float>, prefix: Int) -> Tensor<Float> {
    let rows = tensor.shape[0]
    let columns = tensor.shape[1]
    return Tensor(
      shape: Array(repeating: 1, count: prefix) + [columns, rows],
      scalars: Transposition.transposed(tensor.scalars, rows: rows, columns: columns))
  }

  mutating func addInitializer(_ name: String, _ tensor: Tensor<Float>) -> String {
    let unique = uniqueName(name)
    initializers.append(Initializer(name: unique, shape: tensor.shape, values: .float(tensor.scalars)))
    return unique
  }

  /// A DOUBLE initializer: a float64 model's weight, exact.
  mutating func addInitializer(_ name: String, _ tensor: Tensor<Double>) -> String {
    let unique = uniqueName(name)
    initializers.append(Initializer(name: unique, shape: tensor.shape, values: .double(tensor.scalars)))
    return unique
  }

  /// `tensor` with each 0 made 1: bpkit's standardize layer leaves a feature of std 0 unscaled.
  private static func nonZero<S: BLASScalar>(_ tensor: Tensor<S>) -> Tensor<S> {
    Tensor(shape: tensor.shape, scalars: tensor.scalars.map { $0 == 0 ? 1 : $0 })
  }

  /// An int64 initializer holding the axes of a `Squeeze` (an input from opset 13 on).
  private mutating func addAxes(_ layer: String, _ axes: [Int]) -> String {
    let name = uniqueName("\(layer)/axes")
    var tensor = Onnx_TensorProto()
    tensor.name = name
    tensor.dataType = ONNXElementType.int64.rawValue
    tensor.dims = [Int64(axes.count)]
    tensor.int64Data = axes.map(Int64.init)
    model.graph.initializer.append(tensor)
    return name
  }

  /// Appends a node with one output and returns the output's name.
  mutating func addNode(
    _ opType: String, _ layer: String, _ inputs: [String], attributes: [Onnx_AttributeProto] = []
  ) -> String {
    let output = uniqueName("\(layer)/\(opType)")
    nodes.append(Onnx_NodeProto(opType, name: output, inputs: inputs, outputs: [output], attributes: attributes))
    return output
  }

  mutating func uniqueName(_ base: String) -> String {
    var name = base
    var suffix = 1
    while valueNames.contains(name) || name == ONNXFormat.inputName || name == ONNXFormat.outputName {
      name = "\(base)_\(suffix)"
      suffix += 1
    }
    valueNames.insert(name)
    return name
  }

  /// Gives the value `old` the name `new` wherever a node produces or uses it.
  private mutating func rename(_ old: String, to new: String) {
    for index in nodes.indices {
      nodes[index].input = nodes[index].input.map { $0 == old ? new : $0 }
      nodes[index].output = nodes[index].output.map { $0 == old ? new : $0 }
    }
    if nodes.isEmpty || !nodes.contains(where: { $0.output.contains(new) }) {
      // A network with no operator at all (an input passed through).
      nodes.append(Onnx_NodeProto("Identity", name: "identity", inputs: [old], outputs: [new]))
    }
  }

  /// The graph's signature and the model's header and metadata.
  private mutating func finish(_ source: Model, isSequence: Bool, outputWidth: Int) {
    let network = source.network
    var inputDimensions: [ONNXDimension] = [.symbol("batch")]
    if case .sequence(let steps, _) = network.input {
      inputDimensions.append(steps.map { .fixed($0) } ?? .symbol("steps"))
    }
    inputDimensions.append(.fixed(network.input.features))
    var outputDimensions: [ONNXDimension] = [.symbol("batch")]
    if isSequence { outputDimensions.append(inputDimensions[1]) }
    outputDimensions.append(.fixed(outputWidth))

    model.graph.name = "bpkit"
    model.graph.node = nodes
    model.graph.input = [
      Onnx_ValueInfoProto(name: ONNXFormat.inputName, dimensions: inputDimensions, elementType: elementType)
    ]
    model.graph.output = [
      Onnx_ValueInfoProto(name: ONNXFormat.outputName, dimensions: outputDimensions, elementType: elementType)
    ]
    model.irVersion = ONNXFormat.irVersion(forOpset: opset)
    var opsetID = Onnx_OperatorSetIdProto()
    opsetID.domain = ""
    opsetID.version = Int64(opset)
    model.opsetImport = [opsetID]
    model.producerName = ONNXFormat.producerName
    model.producerVersion = BPKitVersion.current
    model.docString = "A bpkit network: " + network.layers.map(\.name).joined(separator: ", ")
    var entry = Onnx_StringStringEntryProto()
    entry.key = ONNXFormat.networkMetadataKey
    entry.value = (try? FileLayout.encodeNetwork(network)) ?? ""
    model.metadataProps = [entry]
    for (key, value) in source.names.metadataEntries {
      var names = Onnx_StringStringEntryProto()
      names.key = key
      names.value = value
      model.metadataProps.append(names)
    }
  }
}
