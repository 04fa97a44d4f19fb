/// The bpkit model document: header, network description and weights.
enum ModelJSON {
  static let members = BPKitJSON.commonMembers.union(embeddedMembers)
  static let embeddedMembers: Set<String> = ["dtype", "input", "layers", "weights", "feature_names", "class_names"]

  /// Writes a whole model document.
  static func writeDocument(
    _ model: Model, encoding: BPKitJSON.WeightEncoding, to writer: JSONWriter
  ) throws(BPKitJSONError) {
    try writer.beginObject()
    try BPKitJSON.writeHeader(.model, bpkitVersion: BPKitVersion.current, to: writer)
    try writeBody(model, encoding: encoding, to: writer)
    try writer.endObject()
  }

  /// Writes `input`, `layers` and `weights` into the current object, after
  /// `dtype` for a float64 model (format 1.6; float32 documents stay as
  /// they were).
  static func writeBody(
    _ model: Model, encoding: BPKitJSON.WeightEncoding, to writer: JSONWriter
  ) throws(BPKitJSONError) {
    try writeNetwork(model.network, dtype: model.dtype, to: writer)
    try writer.key("weights")
    let order = model.orderedParameters.map(\.spec)
    if let exact = model.float64Parameters {
      try WeightsJSON.write(exact, order: order, encoding: encoding, to: writer)
    } else {
      try WeightsJSON.write(model.parameters, order: order, encoding: encoding, to: writer)
    }
    try writeNames(model.names, to: writer)
  }

  /// Writes `dtype` (float64 models only) and the network description: the
  /// members before `weights`.
  static func writeNetwork(_ network: NetworkDescription, dtype: DType, to writer: JSONWriter) throws(BPKitJSONError) {
    if dtype == .float64 {
      try writer.key("dtype")
      try writer.string(DType.float64.rawValue)
    }
    try NetworkJSON.write(network, to: writer)
  }

  /// Writes the names a model has: the members after `weights`.
  static func writeNames(_ names: ModelNames, to writer: JSONWriter) throws(BPKitJSONError) {
    for (key, names) in [("feature_names", names.features), ("class_names", names.classes)] {
      guard let names else { continue }
      try writer.key(key)
      try writer.beginArray(inline: true)
      for name in names { try writer.string(name) }
      try writer.endArray()
    }
  }

  /// An optional list of names.
  static func names(_ key: String, in object: JSONObjectCursor) throws(BPKitJSONError) -> [String]? {
    guard let cursor = object.optional(key) else { return nil }
    var names: [String] = []
    for element in try cursor.array() { names.append(try element.string()) }
    return names
  }

  /// Reads a model document.
  static func read(_ root: JSONCursor) throws(BPKitJSONError) -> Model {
    try readBody(root.object(allowing: members), at: root)
  }

  /// The precision an object's `dtype` member declares: float32 without it.
  static func dtype(of object: JSONObjectCursor) throws(BPKitJSONError) -> DType {
    try object.optional("dtype").map { (cursor) throws(BPKitJSONError) in
      DType(rawValue: try cursor.string(oneOf: DType.allCases.map(\.rawValue)))!
    } ?? .float32
  }

  /// Reads `input` and `layers` from an object, and the parameters they
  /// call for; a network that cannot have parameters is a violation at `cursor`.
  static func networkAndSpecs(_ object: JSONObjectCursor, at cursor: JSONCursor) throws(BPKitJSONError) -> (
    NetworkDescription, [ParameterSpec]
  ) {
    let network = try NetworkJSON.read(object)
    do {
      return (network, try network.parameterSpecs())
    } catch {
      throw cursor.violation(error.description)
    }
  }

  /// Reads `dtype`, `input`, `layers` and `weights` from an object.
  static func readBody(_ object: JSONObjectCursor, at cursor: JSONCursor) throws(BPKitJSONError) -> Model {
    let dtype = try dtype(of: object)
    let (network, specs) = try networkAndSpecs(object, at: cursor)
    let weights = try object.required("weights")
    var parameters: [ParameterKey: Tensor<Float>] = [:]
    var float64Parameters: [ParameterKey: Tensor<Double>]?
    switch dtype {
    case .float32:
      parameters = try WeightsJSON.read(weights, specs: specs, requireAll: true, what: "weight")
    case .float64:
      float64Parameters = try WeightsJSON.readFloat64(weights, specs: specs, requireAll: true, what: "weight")
    }
    let names = ModelNames(
      features: try names("feature_names", in: object), classes: try names("class_names", in: object))
    do {
      if let float64Parameters {
        return try Model(network: network, float64Parameters: float64Parameters).named(names)
      }
      return try Model(network: network, parameters: parameters).named(names)
    } catch {
      throw cursor.violation(error.description)
    }
  }
}
