/// The bpkit model document: header, network description and weights.
enum ModelJSON {
  static let members = BPKitJSON.commonMembers.union(embeddedMembers)
  static let embeddedMembers: Set<String> = ["input", "layers", "weights", "feature_names", "class_names"]

  /// Writes a whole model document.
  /// JSON documents hold float32 weights: a float64 model is refused rather than rounded.
  static func refuseFloat64(_ model: Model) throws(BPKitJSONError) {
    guard model.dtype == .float64 else { return }
    throw .unwritable(
      file: "the JSON document",
      reason: "the model is float64 and bpkit's JSON documents hold float32 weights; keep it in bpkit HDF5 (.h5), "
        + "or round it to float32 explicitly with bpkit convert IN OUT --dtype float32")
  }

  static func writeDocument(
    _ model: Model, encoding: BPKitJSON.WeightEncoding, to writer: JSONWriter
  ) throws(BPKitJSONError) {
    try refuseFloat64(model)
    try writer.beginObject()
    try BPKitJSON.writeHeader(.model, bpkitVersion: BPKitVersion.current, to: writer)
    try writeBody(model, encoding: encoding, to: writer)
    try writer.endObject()
  }

  /// Writes `input`, `layers` and `weights` into the current object.
  static func writeBody(
    _ model: Model, encoding: BPKitJSON.WeightEncoding, to writer: JSONWriter
  ) throws(BPKitJSONError) {
    try NetworkJSON.write(model.network, to: writer)
    try writer.key("weights")
    try WeightsJSON.write(
      model.parameters, order: model.orderedParameters.map(\.spec), encoding: encoding, to: writer)
    for (key, names) in [("feature_names", model.names.features), ("class_names", model.names.classes)] {
      guard let names else { continue }
      try writer.key(key)
      try writer.beginArray(inline: true)
      for name in names { try writer.string(name) }
      try writer.endArray()
    }
  }

  /// An optional list of names.
  private static func names(_ key: String, in object: JSONObjectCursor) throws(BPKitJSONError) -> [String]? {
    guard let cursor = object.optional(key) else { return nil }
    var names: [String] = []
    for element in try cursor.array() { names.append(try element.string()) }
    return names
  }

  /// Reads a model document.
  static func read(_ root: JSONCursor) throws(BPKitJSONError) -> Model {
    try readBody(root.object(allowing: members), at: root)
  }

  /// Reads `input`, `layers` and `weights` from an object.
  static func readBody(_ object: JSONObjectCursor, at cursor: JSONCursor) throws(BPKitJSONError) -> Model {
    let network = try NetworkJSON.read(object)
    let specs: [ParameterSpec]
    do {
      specs = try network.parameterSpecs()
    } catch {
      throw cursor.violation(error.description)
    }
    let parameters = try WeightsJSON.read(
      try object.required("weights"), specs: specs, requireAll: true, what: "weight")
    let names = ModelNames(
      features: try names("feature_names", in: object), classes: try names("class_names", in: object))
    do {
      return try Model(network: network, parameters: parameters).named(names)
    } catch {
      throw cursor.violation(error.description)
    }
  }
}
