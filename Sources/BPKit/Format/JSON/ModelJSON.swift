/// The bpkit model document: header, network description and weights.
enum ModelJSON {
  static let members = BPKitJSON.commonMembers.union(["input", "layers", "weights"])
  static let embeddedMembers: Set<String> = ["input", "layers", "weights"]

  /// Writes a whole model document.
  static func writeDocument(
    _ model: Model, encoding: BPKitJSON.WeightEncoding, to writer: JSONWriter
  ) throws(BPKitJSONError) {
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
    do {
      return try Model(network: network, parameters: parameters)
    } catch {
      throw cursor.violation(error.description)
    }
  }
}
