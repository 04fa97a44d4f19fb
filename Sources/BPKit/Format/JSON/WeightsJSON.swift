/// A set of tensors keyed by layer and weight name, as in bpkit's HDF5 files
/// (`/weights/<layer>/<name>`): `{"hidden": {"kernel": {...}, "bias": {...}}}`.
enum WeightsJSON {
  /// Writes the tensors of `specs` that `tensors` holds, in the specs' order.
  static func write(
    _ tensors: [ParameterKey: Tensor<Float>], order specs: [ParameterSpec], encoding: BPKitJSON.WeightEncoding,
    to writer: JSONWriter
  ) throws(BPKitJSONError) {
    try write(tensors, order: specs, to: writer) { (tensor) throws(BPKitJSONError) in
      try TensorJSON.write(tensor, encoding: encoding, to: writer)
    }
  }

  /// Writes the float64 tensors of `specs` that `tensors` holds, in the specs' order.
  static func write(
    _ tensors: [ParameterKey: Tensor<Double>], order specs: [ParameterSpec], encoding: BPKitJSON.WeightEncoding,
    to writer: JSONWriter
  ) throws(BPKitJSONError) {
    try write(tensors, order: specs, to: writer) { (tensor) throws(BPKitJSONError) in
      try TensorJSON.write(tensor, encoding: encoding, to: writer)
    }
  }

  private static func write<T>(
    _ tensors: [ParameterKey: T], order specs: [ParameterSpec], to writer: JSONWriter,
    tensor writeTensor: (T) throws(BPKitJSONError) -> Void
  ) throws(BPKitJSONError) {
    try rethrowing(BPKitJSONError.self) {
      try write(specs.filter { tensors[$0.key] != nil }, to: writer) { try writeTensor(tensors[$0.key]!) }
    }
  }

  /// Writes one member per layer of `present`, in its order, holding one
  /// member per tensor, whose value `writeTensor` writes.
  static func write(
    _ present: [ParameterSpec], to writer: JSONWriter, tensor writeTensor: (ParameterSpec) throws -> Void
  ) throws {
    try writer.beginObject()
    var index = 0
    while index < present.count {
      let layer = present[index].key.layer
      try writer.key(layer)
      try writer.beginObject()
      while index < present.count, present[index].key.layer == layer {
        let key = present[index].key
        try writer.key(key.name)
        try writeTensor(present[index])
        try writer.output.flushIfFull()
        index += 1
      }
      try writer.endObject()
    }
    try writer.endObject()
  }

  /// Reads tensors for `specs`; each must have its spec's shape, and no other
  /// tensor may appear. With `requireAll`, every spec must be present.
  static func read(
    _ cursor: JSONCursor, specs: [ParameterSpec], requireAll: Bool, what: String
  ) throws(BPKitJSONError) -> [ParameterKey: Tensor<Float>] {
    try read(cursor, specs: specs, requireAll: requireAll, what: what, tensor: TensorJSON.read)
  }

  /// Reads float64 tensors for `specs`, by the same rules as ``read(_:specs:requireAll:what:)``.
  static func readFloat64(
    _ cursor: JSONCursor, specs: [ParameterSpec], requireAll: Bool, what: String
  ) throws(BPKitJSONError) -> [ParameterKey: Tensor<Double>] {
    try read(cursor, specs: specs, requireAll: requireAll, what: what, tensor: TensorJSON.readFloat64)
  }

  /// Reads tensors for `specs` as ``read(_:specs:requireAll:what:)`` does,
  /// base64 data checked but left undecoded (``TensorJSON/readPending(_:expectedShape:)``).
  static func readPending(
    _ cursor: JSONCursor, specs: [ParameterSpec], requireAll: Bool, what: String
  ) throws(BPKitJSONError) -> [ParameterKey: TensorJSON.Pending] {
    try read(cursor, specs: specs, requireAll: requireAll, what: what, tensor: TensorJSON.readPending)
  }

  private static func read<T>(
    _ cursor: JSONCursor, specs: [ParameterSpec], requireAll: Bool, what: String,
    tensor readTensor: (JSONCursor, [Int]?) throws(BPKitJSONError) -> T
  ) throws(BPKitJSONError) -> [ParameterKey: T] {
    let byKey = Dictionary(uniqueKeysWithValues: specs.map { ($0.key, $0) })
    let layers = Set(specs.map(\.key.layer))
    var tensors: [ParameterKey: T] = [:]
    for (layer, layerCursor) in try cursor.map() {
      guard layers.contains(layer) else {
        throw layerCursor.violation("no layer named '\(layer)' has \(what) in the network description")
      }
      for (name, tensorCursor) in try layerCursor.map() {
        let key = ParameterKey(layer: layer, name: name)
        guard let spec = byKey[key] else {
          let names = specs.filter { $0.key.layer == layer }.map(\.key.name)
          throw tensorCursor.violation(
            "layer '\(layer)' has no \(what) named '\(name)'; expected \(names.joined(separator: ", "))")
        }
        tensors[key] = try readTensor(tensorCursor, spec.shape)
      }
    }
    if requireAll, let missing = specs.first(where: { tensors[$0.key] == nil }) {
      let layerPath = cursor.path.appending(missing.key.layer)
      throw BPKitJSONError.schemaViolation(
        file: nil,
        path: (tensors.keys.contains { $0.layer == missing.key.layer } ? layerPath : cursor.path).description,
        detail: "missing \(what) '\(missing.key)' of shape \(missing.shape)")
    }
    return tensors
  }
}
