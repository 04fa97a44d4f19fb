import Foundation

/// Reads an ONNX graph as a bpkit network: walks the nodes in order,
/// folding what is constant and recognising layers in what the input flows
/// through (``ONNXValue``).
///
/// It reads the graphs bpkit writes and those `torch.onnx.export` writes
/// for `nn.Sequential` networks of `nn.Linear` and activations and for
/// `nn.RNN` (batch-first, stacked, tanh or relu) followed by an `nn.Linear`
/// on the last step or on every step, as an `RNN` node or unrolled over
/// time steps (``ONNXRecurrence``); `nn.LSTM` and `nn.GRU` as `LSTM` and
/// `GRU` nodes (ONNXImporter+Gated.swift); and tf2onnx's graphs of Keras dense
/// layers and of `SimpleRNN`, a `Loop` over the Elman recurrence
/// (ONNXImporter+Loop.swift). Any other operator is refused by op type and
/// node name.
struct ONNXImporter {
  let file: String
  let reader: ONNXTensorReader
  let opset: Int
  var values: [String: ONNXValue] = [:]
  /// How many nodes (and graph outputs) use each value.
  var uses: [String: Int] = [:]
  var layers: [ONNXLayerDraft] = []
  /// The Elman layers being read from unrolled steps, by layer index.
  var unrolled: [Int: UnrolledState] = [:]
  var input: InputShape = .vector(features: 0)

  /// Imports `model`, read from `file`; external data is looked up in
  /// `folder`, and `rawData` says where in `file` an initializer's
  /// `raw_data` lies when the message leaves it there (``ONNXModelFile``).
  static func importModel(
    _ model: consuming Onnx_ModelProto, file: String, folder: URL, rawData: [Int: Range<Int>] = [:]
  ) throws -> Model {
    let opset = model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { Int($0.version) } ?? 1
    var importer = ONNXImporter(file: file, reader: ONNXTensorReader(file: file, folder: folder), opset: opset)
    // The weights leave the message one by one, each raw_data freed once
    // converted, so that memory holds about one copy of them, not two (a
    // file read by ONNXModelFile holds none in the message).
    var initializers = model.graph.initializer
    model.graph.initializer = []
    for index in initializers.indices {
      let name = initializers[index].name
      importer.values[name] = .constant(try importer.constant(from: initializers[index], rawData: rawData[index]))
      initializers[index] = Onnx_TensorProto()
    }
    return try importer.run(model)
  }

  private mutating func run(_ model: Onnx_ModelProto) throws -> Model {
    let graph = model.graph
    let inputs = graph.input.filter { values[$0.name] == nil }
    guard inputs.count == 1 else {
      throw ONNXError.unsupportedGraph(
        file: file,
        detail: "it has \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))); bpkit networks take one"
      )
    }
    try readInput(inputs[0])
    for name in graph.node.flatMap(\.input) + graph.output.map(\.name) { uses[name, default: 0] += 1 }
    for (index, node) in graph.node.enumerated() {
      try apply(node, name: node.name.isEmpty ? "#\(index) (\(node.opType))" : node.name)
    }
    guard graph.output.count == 1 else {
      throw ONNXError.unsupportedGraph(
        file: file, detail: "it has \(graph.output.count) outputs; bpkit networks have one")
    }
    let outputName = graph.output[0].name
    guard case .data(let output) = values[outputName] else {
      throw ONNXError.unsupportedGraph(file: file, detail: "its output '\(outputName)' does not depend on its input")
    }
    let roles = output.axes.filter { $0 != .unit }
    guard roles.first == .batch, roles.count == output.axes.count, [2, 3].contains(roles.count),
      roles.count == 2 || roles[1] == .time
    else {
      throw ONNXError.unsupportedGraph(
        file: file, detail: "its output '\(outputName)' is not [batch, features] or [batch, steps, features]")
    }
    try consume(output, intoSequence: output.hasTime, node: outputName)
    return try buildModel(metadata: model.metadataProps)
  }

  /// The graph input: [batch, features], or [batch, steps, features] for sequences.
  private mutating func readInput(_ info: Onnx_ValueInfoProto) throws {
    let dimensions = info.type.tensorType.shape.dim
    func known(_ index: Int) -> Int? {
      if case .dimValue(let value) = dimensions[index].value, value > 0 { return Int(value) }
      return nil
    }
    guard [2, 3].contains(dimensions.count), let features = known(dimensions.count - 1) else {
      throw ONNXError.unsupportedGraph(
        file: file,
        detail: "its input '\(info.name)' has \(dimensions.count) dimensions; bpkit takes [batch, features] "
          + "or batch-first [batch, steps, features] with a fixed feature count")
    }
    if dimensions.count == 2 {
      input = .vector(features: features)
      values[info.name] = .data(ONNXData(axes: [.batch, .feature(features)]))
    } else {
      input = .sequence(steps: known(1), features: features)
      values[info.name] = .data(ONNXData(axes: [.batch, .time, .feature(features)]))
    }
  }

  /// Records where a sequence goes: the Elman layer that made it returns
  /// its whole sequence when it feeds another sequence layer or the output.
  mutating func consume(_ data: ONNXData, intoSequence: Bool, node: String) throws {
    if intoSequence, let source = data.sequenceSource { layers[source].feedsSequence = true }
  }

  /// The network and weights from the recognised layers. Layer names, frozen
  /// layers and a fixed sequence length come from the `bpkit.network`
  /// metadata of a file bpkit wrote, when it describes the same layers.
  private func buildModel(metadata: [Onnx_StringStringEntryProto]) throws -> Model {
    for draft in layers where draft.takesLastStep && draft.feedsSequence {
      throw ONNXError.unsupportedGraph(
        file: file,
        detail: "the sequence of the recurrent layer at node '\(draft.node)' is used both whole and by its last step")
    }
    var ordinals: [ONNXLayerDraft.Kind: Int] = [:]
    var built: [(Layer, [ParameterKey: Tensor<Float>], exact: [ParameterKey: Tensor<Double>]?)] = layers.map { draft in
      ordinals[draft.kind, default: 0] += 1
      return draft.layer(named: draft.defaultName(ordinal: ordinals[draft.kind]!))
    }
    var inputShape = input
    if let text = metadata.first(where: { $0.key == ONNXFormat.networkMetadataKey })?.value,
      let described = try? NetworkJSON.read(text: text),
      described.layers.count == built.count,
      zip(described.layers, built).allSatisfy({ Self.computesTheSame($0.kind, $1.0.kind) }),
      described.input.features == input.features, described.input.isSequence == input.isSequence
    {
      inputShape = described.input
      built = zip(described.layers, built).map { layer, pair in
        func renamed<S>(_ tensors: [ParameterKey: Tensor<S>]) -> [ParameterKey: Tensor<S>] {
          Dictionary(
            uniqueKeysWithValues: tensors.map { (ParameterKey(layer: layer.name, name: $0.key.name), $0.value) })
        }
        return (
          Layer(name: layer.name, kind: layer.kind, trainable: layer.trainable, regularizers: layer.regularizers),
          renamed(pair.1), pair.exact.map(renamed)
        )
      }
    }
    let network = NetworkDescription(input: inputShape, layers: built.map(\.0))
    // A float64 model when every weight came exact from DOUBLE tensors
    // (bpkit's float64 export, PyTorch's model.double()); otherwise Float32,
    // DOUBLE rounded (ONNXFormat.readingNotes says so).
    let exact = built.allSatisfy { $0.exact != nil } ? built.compactMap(\.exact) : nil
    let model: Model
    do {
      if let exact, exact.contains(where: { !$0.isEmpty }) {
        model = try Model(network: network, float64Parameters: exact.reduce(into: [:]) { $0.merge($1) { a, _ in a } })
      } else {
        model = try Model(network: network, parameters: built.reduce(into: [:]) { $0.merge($1.1) { a, _ in a } })
      }
    } catch {
      throw ONNXError.unsupportedGraph(file: file, detail: "the layers it holds do not form a bpkit network: \(error)")
    }
    if let (key, reason) = ValueDomain.nonFiniteWeight(in: model) {
      throw ONNXError.invalidTensor(file: file, name: "\(key)", detail: reason)
    }
    return try named(model, metadata: metadata)
  }

  /// Whether two layer kinds compute the same: equal, LSTM layers that
  /// differ only in `unit_forget_bias`, which ONNX does not keep (it only
  /// says how Keras initialises the bias), or dropout layers whose rates are
  /// the same float.
  static func computesTheSame(_ a: LayerKind, _ b: LayerKind) -> Bool {
    if case .lstm(let x, _) = a, case .lstm(let y, _) = b { return x == y }
    // A dropout rate travels as a float: the description keeps its exact value.
    if case .dropout(let x) = a, case .dropout(let y) = b { return Float(x) == Float(y) }
    return a == b
  }

  /// The model with the feature and class names of the file's metadata, checked against its network.
  private func named(_ model: Model, metadata: [Onnx_StringStringEntryProto]) throws -> Model {
    var entries: [String: String] = [:]
    for entry in metadata where entries[entry.key] == nil { entries[entry.key] = entry.value }
    do {
      return try model.named(try ModelNames(metadata: entries))
    } catch {
      throw ONNXError.invalidMetadata(file: file, detail: "\(error)")
    }
  }

  /// An initializer or `Constant` tensor, floats or integers.
  func constant(from tensor: Onnx_TensorProto, rawData: Range<Int>? = nil) throws -> ONNXConstant {
    if ONNXTensorReader.isInteger(tensor) {
      let (shape, values) = try reader.integers(tensor, rawData: rawData)
      return ONNXConstant(shape: shape, integers: values)
    }
    if tensor.dataType == ONNXElementType.double.rawValue {
      // Kept exact beside the rounded floats: a float64 model's weights.
      let exact = try reader.doubles(tensor, rawData: rawData)
      return ONNXConstant(shape: exact.shape, floats: exact.scalars.map { Float($0) }, doubles: exact.scalars)
    }
    let floats = try reader.floats(tensor, rawData: rawData)
    return ONNXConstant(shape: floats.shape, floats: floats.scalars)
  }

  // MARK: Errors

  func unsupported(_ node: Onnx_NodeProto, _ name: String, _ detail: String) -> ONNXError {
    .unsupportedNode(file: file, opType: node.opType, node: name, detail: detail)
  }
}
