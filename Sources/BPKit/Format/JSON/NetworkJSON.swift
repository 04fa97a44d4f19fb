/// The network description in bpkit JSON: the same members as
/// ``NetworkDescription``'s `Codable` form (`input`, `layers`), read with
/// every rule checked and reported with its JSONPath.
enum NetworkJSON {
  // MARK: Writing

  static func write(_ network: NetworkDescription, to writer: JSONWriter) throws(BPKitJSONError) {
    try writer.key("input")
    try writer.beginObject(inline: true)
    try writer.key("features")
    try writer.integer(network.input.features)
    if case .sequence(let steps, _) = network.input {
      try writer.key("sequence")
      try writer.bool(true)
      try writer.key("steps")
      if let steps { try writer.integer(steps) } else { try writer.null() }
    }
    try writer.endObject()
    try writer.key("layers")
    try writer.beginArray()
    for layer in network.layers { try write(layer, to: writer) }
    try writer.endArray()
  }

  private static func write(_ layer: Layer, to writer: JSONWriter) throws(BPKitJSONError) {
    try writer.beginObject(inline: true)
    try writer.key("name")
    try writer.string(layer.name)
    try writer.key("type")
    try writer.string(layer.kind.typeName)
    switch layer.kind {
    case .dense(let units, let activation, let useBias):
      try writer.key("units")
      try writer.integer(units)
      try writer.key("activation")
      try write(activation, to: writer)
      try writer.key("use_bias")
      try writer.bool(useBias)
    case .elman(let units, let activation, let useBias, let returnSequences):
      try writer.key("units")
      try writer.integer(units)
      try writer.key("activation")
      try write(activation, to: writer)
      try writer.key("use_bias")
      try writer.bool(useBias)
      try writer.key("return_sequences")
      try writer.bool(returnSequences)
    case .lstm(let settings, let unitForgetBias):
      try write(settings, to: writer)
      try writer.key("unit_forget_bias")
      try writer.bool(unitForgetBias)
    case .gru(let settings, let resetAfter):
      try write(settings, to: writer)
      try writer.key("reset_after")
      try writer.bool(resetAfter)
    case .standardize:
      break
    case .dropout(let rate):
      try writer.key("rate")
      try writer.real(rate)
    }
    // Format 1.4; written only for a frozen layer, so other documents stay as they were.
    if !layer.trainable {
      try writer.key("trainable")
      try writer.bool(false)
    }
    // Format 1.5; written only when set.
    for (_, setting, regularizer) in layer.regularizers.entries {
      try writer.key(setting)
      try writer.beginObject(inline: true)
      try writer.key("l1")
      try writer.real(regularizer.l1)
      try writer.key("l2")
      try writer.real(regularizer.l2)
      try writer.endObject()
    }
    try writer.endObject()
  }

  private static func write(_ settings: GatedRecurrentSettings, to writer: JSONWriter) throws(BPKitJSONError) {
    try writer.key("units")
    try writer.integer(settings.units)
    try writer.key("activation")
    try write(settings.activation, to: writer)
    try writer.key("recurrent_activation")
    try write(settings.recurrentActivation, to: writer)
    try writer.key("use_bias")
    try writer.bool(settings.useBias)
    try writer.key("return_sequences")
    try writer.bool(settings.returnSequences)
  }

  private static func write(_ activation: Activation, to writer: JSONWriter) throws(BPKitJSONError) {
    guard let alpha = activation.alpha else { return try writer.string(activation.name) }
    try writer.beginObject(inline: true)
    try writer.key("name")
    try writer.string(activation.name)
    try writer.key("alpha")
    try writer.real(alpha)
    try writer.endObject()
  }

  // MARK: Reading

  /// Reads `input` and `layers` from a document object and checks that the
  /// layers fit together, reporting the first problem with its path.
  static func read(_ object: JSONObjectCursor) throws(BPKitJSONError) -> NetworkDescription {
    let input = try readInput(try object.required("input"))
    let layersCursor = try object.required("layers")
    let elements = try layersCursor.array()
    guard !elements.isEmpty else { throw layersCursor.violation("expected at least one layer") }
    var layers: [Layer] = []
    var names: [String: Int] = [:]
    for element in elements {
      let layer = try readLayer(element)
      if let first = names[layer.name] {
        throw try element.object(allowing: layerMembers).required("name")
          .violation("layer names must be unique; '\(layer.name)' is also the name of $.layers[\(first)]")
      }
      names[layer.name] = layers.count
      layers.append(layer)
    }
    let network = NetworkDescription(input: input, layers: layers)
    do {
      _ = try network.layerOutputShapes()
    } catch {
      // The checks above leave only errors about how layers connect.
      let error = error.reason(ModelError.self)
      let index = error.layerName.flatMap { names[$0] }
      let path = index.map { layersCursor.path.appending($0) } ?? layersCursor.path
      throw BPKitJSONError.schemaViolation(file: nil, path: path.description, detail: error.description)
    }
    return network
  }

  /// Reads a network description on its own, as `/network` in bpkit HDF5
  /// files and the metadata of safetensors and ONNX files hold it: the same
  /// reader and rules as a JSON document's, so a member named twice or an
  /// `alpha` on an activation that takes none is refused, never ignored.
  ///
  /// - Throws: ``BPKitJSONError`` naming the place (a JSONPath) at fault.
  static func read(text: String) throws(BPKitJSONError) -> NetworkDescription {
    var text = text
    let result = text.withUTF8 { utf8 in
      Result { () throws(BPKitJSONError) -> NetworkDescription in
        let bytes = UnsafeRawBufferPointer(utf8)
        let root = JSONCursor(value: try JSONParser.parse(bytes), path: .root, bytes: bytes)
        return try read(try root.object(allowing: ["input", "layers"]))
      }
    }
    return try result.get()
  }

  private static func readInput(_ cursor: JSONCursor) throws(BPKitJSONError) -> InputShape {
    let object = try cursor.object(allowing: ["features", "sequence", "steps"])
    let features = try object.required("features").integer(in: 1...Int.max)
    let sequence = try object.optional("sequence")?.bool() ?? false
    let stepsCursor = object.optional("steps")
    if let stepsCursor, !sequence { throw stepsCursor.violation("steps needs \"sequence\": true") }
    guard sequence else { return .vector(features: features) }
    let steps: Int? =
      if let stepsCursor, !stepsCursor.isNull { try stepsCursor.integer(in: 1...Int.max) } else { nil }
    return .sequence(steps: steps, features: features)
  }

  static let layerMembers: Set<String> = [
    "name", "type", "units", "activation", "use_bias", "return_sequences", "recurrent_activation", "unit_forget_bias",
    "reset_after", "trainable", "rate", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
  ]

  private static func readLayer(_ cursor: JSONCursor) throws(BPKitJSONError) -> Layer {
    var layer = try readLayerKind(cursor)
    let object = try cursor.object(allowing: layerMembers)
    layer.trainable = try object.optional("trainable")?.bool() ?? true
    func regularizer(_ member: String) throws(BPKitJSONError) -> Regularizer? {
      guard let cursor = object.optional(member) else { return nil }
      let factors = try cursor.object(allowing: ["l1", "l2"])
      func factor(_ name: String) throws(BPKitJSONError) -> Double {
        try factors.optional(name)?.finite(in: 0...Double.greatestFiniteMagnitude, "a finite number of at least 0")
          ?? 0
      }
      return Regularizer(l1: try factor("l1"), l2: try factor("l2"))
    }
    layer.regularizers = LayerRegularizers(
      kernel: try regularizer("kernel_regularizer"), recurrentKernel: try regularizer("recurrent_regularizer"),
      bias: try regularizer("bias_regularizer"))
    return layer
  }

  private static func readLayerKind(_ cursor: JSONCursor) throws(BPKitJSONError) -> Layer {
    let object = try cursor.object(allowing: layerMembers)
    let nameCursor = try object.required("name")
    let name = try nameCursor.string()
    guard !name.isEmpty, !name.contains("/") else {
      throw nameCursor.violation("expected a non-empty name without '/'")
    }
    let type = try object.required("type").string(oneOf: ["dense", "elman", "lstm", "gru", "standardize", "dropout"])
    func forbid(_ member: String) throws(BPKitJSONError) {
      if let cursor = object.optional(member) { throw cursor.violation("a \(type) layer has no \(member)") }
    }
    if type != "lstm" && type != "gru" { try forbid("recurrent_activation") }
    if type != "lstm" { try forbid("unit_forget_bias") }
    if type != "gru" { try forbid("reset_after") }
    if type != "dropout" { try forbid("rate") }
    func activation(_ member: String, default value: Activation) throws(BPKitJSONError) -> Activation {
      try object.optional(member).map { (c) throws(BPKitJSONError) in try readActivation(c) } ?? value
    }
    func gated() throws(BPKitJSONError) -> GatedRecurrentSettings {
      GatedRecurrentSettings(
        units: try object.required("units").integer(in: 1...Int.max),
        activation: try activation("activation", default: .tanh),
        recurrentActivation: try activation("recurrent_activation", default: .sigmoid),
        useBias: try object.optional("use_bias")?.bool() ?? true,
        returnSequences: try object.optional("return_sequences")?.bool() ?? false)
    }
    switch type {
    case "lstm":
      return Layer(
        name: name, kind: .lstm(try gated(), unitForgetBias: try object.optional("unit_forget_bias")?.bool() ?? true))
    case "gru":
      return Layer(name: name, kind: .gru(try gated(), resetAfter: try object.optional("reset_after")?.bool() ?? true))
    case "dense":
      try forbid("return_sequences")
      return Layer(
        name: name,
        kind: .dense(
          units: try object.required("units").integer(in: 1...Int.max),
          activation: try object.optional("activation").map { (c) throws(BPKitJSONError) in try readActivation(c) }
            ?? .linear,
          useBias: try object.optional("use_bias")?.bool() ?? true))
    case "elman":
      return Layer(
        name: name,
        kind: .elman(
          units: try object.required("units").integer(in: 1...Int.max),
          activation: try object.optional("activation").map { (c) throws(BPKitJSONError) in try readActivation(c) }
            ?? .tanh,
          useBias: try object.optional("use_bias")?.bool() ?? true,
          returnSequences: try object.optional("return_sequences")?.bool() ?? false))
    case "dropout":
      for member in ["units", "activation", "use_bias", "return_sequences"] { try forbid(member) }
      let rateCursor = try object.required("rate")
      let rate = try rateCursor.finite(in: 0...1, "a dropout rate from 0 up to, not including, 1")
      guard rate < 1 else { throw rateCursor.violation("expected a dropout rate below 1, found 1") }
      return Layer(name: name, kind: .dropout(rate: rate))
    default:
      for member in ["units", "activation", "use_bias", "return_sequences"] { try forbid(member) }
      return Layer(name: name, kind: .standardize)
    }
  }

  private static func readActivation(_ cursor: JSONCursor) throws(BPKitJSONError) -> Activation {
    if case .string = cursor.value {
      return Activation(name: try cursor.string(oneOf: Activation.names))!
    }
    let object = try cursor.object(allowing: ["name", "alpha"])
    let name = try object.required("name").string(oneOf: Activation.names)
    let alphaCursor = object.optional("alpha")
    let alpha: Double? =
      if let alphaCursor {
        try alphaCursor.finite(in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude, "a finite number")
      } else { nil }
    if let alphaCursor, name != "leaky_relu", name != "elu" {
      throw alphaCursor.violation("only leaky_relu and elu take alpha")
    }
    return Activation(name: name, alpha: alpha)!
  }
}

extension ModelError {
  /// The layer an error is about, when it is about one.
  var layerName: String? {
    switch self {
    case .invalidSize(let layer, _, _), .sequenceInputRequired(let layer), .invalidActivationParameter(let layer, _),
      .sizeTooLarge(let layer, _, _, _), .invalidDropoutRate(let layer, _), .invalidRegularizer(let layer, _, _):
      layer
    case .duplicateLayerName(let name), .invalidLayerName(let name): name
    case .missingParameter(let key), .unexpectedParameter(let key), .parameterShapeMismatch(let key, _, _): key.layer
    case .noLayers, .invalidNames, .dtypeMismatch: nil
    }
  }
}
