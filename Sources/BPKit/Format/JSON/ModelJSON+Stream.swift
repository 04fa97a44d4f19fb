import HDF5

extension ModelJSON {
  /// Writes the model in the bpkit HDF5 model file that `reader` reads as a
  /// bpkit JSON model document with base64 tensors at `path`, without ever
  /// holding its weights: each tensor is read in slices into one buffer
  /// (``FileReader/streamValues(_:in:as:shape:_:)``) and each slice encoded
  /// straight into the output's buffer, so the memory taken is a few
  /// megabytes, whatever the model's size.
  ///
  /// The document is, byte for byte, the one
  /// ``Model/writeJSON(toPath:weights:options:)`` writes of the model
  /// ``ModelFileCoding/readModel(_:)`` loads, and the file is checked as that
  /// loader checks it, in its order, refusing what it refuses with the same
  /// error: the description, names and objects before the output is opened,
  /// each tensor's type, shape and CRC-32 as it streams, then the names
  /// against the network and the weights' values. The destination is written
  /// through ``OutputFile``, so a refused file leaves it unchanged; give a
  /// regular file (or a new name), since a device or standard output would
  /// keep what was written before a refusal.
  static func stream(_ reader: FileReader, toPath path: String, options: FileWriteOptions) throws {
    let header = try ModelFileCoding.readHeader(reader)
    try ModelFileCoding.refuseUndeclaredTensors(reader, in: header.weights, specs: header.specs)
    let dtype = reader.dtype
    try JSONFile.write(toPath: path, options: options) { output in
      let writer = JSONWriter(output: output)
      // The loader checks the values after every tensor's CRC-32: the first non-finite one is kept until then.
      var nonFinite: ValueDomain.Violation?
      try writer.beginObject()
      try BPKitJSON.writeHeader(.model, bpkitVersion: BPKitVersion.current, to: writer)
      try writeNetwork(header.network, dtype: dtype, to: writer)
      try writer.key("weights")
      try WeightsJSON.write(header.specs, to: writer) { spec in
        let layerPath = FileReader.join(header.weights.path, spec.key.layer)
        let group = try reader.group(String(layerPath.dropFirst()))
        let place = ValueDomain.Place(
          hdf5: "/weights/\(spec.key.layer)/\(spec.key.name)", json: "$.weights.\(spec.key.layer).\(spec.key.name)")
        try TensorJSON.writeBase64(dtype: dtype, shape: spec.shape, to: writer) { stream in
          var offset = 0
          func note<S: BinaryFloatingPoint>(_ slice: UnsafeBufferPointer<S>, firstNonFinite index: Int?) {
            if nonFinite == nil, let index {
              nonFinite = ValueDomain.Violation(
                place: place, reason: "element \(offset + index) is \(slice[index]); values must be finite")
            }
            offset += slice.count
          }
          switch dtype {
          case .float32:
            try reader.streamValues(spec.key.name, in: group, as: Float.self, shape: spec.shape) { slice in
              note(slice, firstNonFinite: ValueDomain.firstNonFinite(slice))
              try stream.append(UnsafeRawBufferPointer(slice))
            }
          case .float64:
            try reader.streamValues(spec.key.name, in: group, as: Double.self, shape: spec.shape) { slice in
              note(slice, firstNonFinite: slice.firstIndex { !$0.isFinite })
              try stream.append(UnsafeRawBufferPointer(slice))
            }
          }
        }
      }
      try writeNames(header.names, to: writer)
      try writer.endObject()
      do throws(BPKitError) {
        try header.names.check(against: header.network)
      } catch {
        throw FormatError.invalidModel(file: reader.path, error: error.reason(ModelError.self))
      }
      if let nonFinite { throw nonFinite.formatError(file: reader.path) }
    }
  }
}

extension TensorJSON {
  /// Writes a tensor's object with its data in base64, the little-endian
  /// bytes handed by `fill` to the stream it is given, in order: the text
  /// ``write(_:encoding:to:)`` writes for the whole tensor in base64.
  static func writeBase64(
    dtype: DType, shape: [Int], to writer: JSONWriter, fill: (Base64Stream) throws -> Void
  ) throws {
    try beginObject(dtype: dtype.rawValue, shape: shape, base64: true, to: writer)
    try writer.beginRawValue()
    try writer.output.append(byte: UInt8(ascii: "\""))
    let stream = Base64Stream(output: writer.output)
    try fill(stream)
    try stream.finish()
    try writer.output.append(byte: UInt8(ascii: "\""))
    try writer.endObject()
  }
}
