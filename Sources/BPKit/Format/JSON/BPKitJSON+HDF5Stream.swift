import HDF5

extension BPKitJSON {
  /// Converts the bpkit JSON document at `path` into a bpkit HDF5 file at
  /// `output` when it is a float32 model document, decoding each base64
  /// tensor in pieces of rows into one reused buffer that is written
  /// straight into its dataset, so the weights are never held whole.
  ///
  /// The file is, byte for byte, the one ``Model/write(to:options:)`` writes
  /// of the document's model. The document is checked as
  /// ``decodeDocumentAndVersion(contentsOfFile:expecting:)`` checks it, with
  /// the same errors: everything but the base64 characters and the weights'
  /// values before the output is opened, those two as each tensor is
  /// written (so of a document with several faults, another may be named
  /// first: a bad character in a tensor the file holds before one that the
  /// document holds first), the first non-finite weight in the network's
  /// order after all of them.
  ///
  /// - Returns: `nil` when the file is written; otherwise the document,
  ///   read whole (a checkpoint or a float64 model), not written.
  static func streamModel(
    contentsOfFile path: String, toHDF5 output: String, options: FileWriteOptions
  ) throws -> (Document, version: Int)? {
    do {
      return try JSONFile.withMappedContents(of: path) { (bytes) throws in
        let (root, kind, version) = try documentHeader(bytes, expecting: nil, mapped: true)
        guard kind == .model, let model = try ModelJSON.readPending(root) else {
          return (try decodeBody(root, kind: kind), version)
        }
        try model.writeHDF5(to: output, options: options)
        return nil
      }
    } catch let error as BPKitJSONError {
      throw error.located(in: path)
    }
  }
}

extension TensorJSON {
  /// A float32 tensor read but for its base64 data, which is only checked
  /// for its length (``base64Text(_:count:)``): decoded when written.
  enum Pending {
    case decoded(Tensor<Float>)
    case base64(shape: [Int], data: JSONCursor)
  }

  /// Reads a float32 tensor as ``read(_:expectedShape:)`` does, leaving base64 data undecoded.
  static func readPending(_ cursor: JSONCursor, expectedShape: [Int]?) throws(BPKitJSONError) -> Pending {
    let header = try Header(cursor, dtype: .float32, expectedShape: expectedShape)
    guard header.base64 else {
      return .decoded(Tensor(shape: header.shape, scalars: try readNumbers(header.data, count: header.count)))
    }
    _ = try base64Text(header.data, count: header.count)
    return .base64(shape: header.shape, data: header.data)
  }

  /// Decodes rows `rows` of a tensor of `count` float32 values in rows of
  /// `rowSize`, whose base64 is `data`, into `buffer`, and lets their text
  /// go. The rows must start and end at multiples of three bytes, or at the
  /// end (padding ends only the whole text); the errors are those of
  /// decoding the whole text.
  static func decodeBase64(
    _ data: JSONCursor, count: Int, rows: Range<Int>, rowSize: Int, into buffer: UnsafeMutableBufferPointer<Float>
  ) throws(BPKitJSONError) {
    let (text, range) = try base64Text(data, count: count)
    let start = rows.lowerBound * rowSize * 4 / 3 * 4
    let end = min(text.count, Base64.encodedCount(rows.upperBound * rowSize * 4))
    let piece = UnsafeRawBufferPointer(rebasing: text[start..<end])
    if end < text.count, let padding = piece.suffix(2).firstIndex(of: UInt8(ascii: "=")) {
      throw data.violation("not base64: unexpected character at offset \(start + padding)")
    }
    if let failure = Base64.decode(piece, into: UnsafeMutableRawBufferPointer(buffer)) {
      throw data.violation("not base64: unexpected character at offset \(start + failure)")
    }
    data.release(range.lowerBound + start..<range.lowerBound + end)
  }
}

extension ModelJSON {
  /// A float32 model document read and checked but for its base64 data.
  struct PendingModel {
    var root: JSONCursor
    var network: NetworkDescription
    var specs: [ParameterSpec]
    var tensors: [ParameterKey: TensorJSON.Pending]
    var names: ModelNames
  }

  /// Reads a model document as ``read(_:)`` does, leaving base64 data
  /// undecoded; `nil`, having read only `dtype`, for a float64 model.
  static func readPending(_ root: JSONCursor) throws(BPKitJSONError) -> PendingModel? {
    let object = try root.object(allowing: members)
    guard try dtype(of: object) == .float32 else { return nil }
    let (network, specs) = try networkAndSpecs(object, at: root)
    let tensors = try WeightsJSON.readPending(
      try object.required("weights"), specs: specs, requireAll: true, what: "weight")
    let names = ModelNames(
      features: try names("feature_names", in: object), classes: try names("class_names", in: object))
    // What Model(network:parameters:).named(names) checks: the tensors' keys and shapes are the specs'.
    do {
      try names.check(against: network)
    } catch {
      throw root.violation(error.description)
    }
    return PendingModel(root: root, network: network, specs: specs, tensors: tensors, names: names)
  }
}

extension ModelJSON.PendingModel {
  /// Rows of a tensor decoded and written at a time: a multiple of three,
  /// so that each piece starts at a whole base64 group, of about this many bytes.
  static let pieceBytes = 3 << 20

  /// Writes the model as a bpkit HDF5 model file, as ``FileWriter/writeModel(_:)`` writes it.
  func writeHDF5(to output: String, options: FileWriteOptions) throws {
    let estimated = Model.estimatedFileBytes(
      network: network, names: names, scalars: specs.reduce(0) { $0 + $1.shape.reduce(1, *) }, stride: 4,
      tensors: specs.count)
    try FormatError.wrappingHDF5Errors {
      try FileWriter.write(to: output, kind: .model, estimatedBytes: estimated, options: options) { writer in
        var nonFinite: [ParameterKey: ValueDomain.Violation] = [:]
        try writer.write(
          strings: [try FileLayout.encodeNetwork(network)], scalar: true, to: FileLayout.network, in: writer.root)
        let weights = try writer.root.createGroup(FileLayout.weights)
        let byLayer = Dictionary(grouping: tensors.keys, by: \.layer)
        for layer in network.layers {
          guard let keys = byLayer[layer.name] else { continue }
          let layerGroup = try weights.createGroup(layer.name)
          for key in keys.sorted() {
            let place = ValueDomain.Place(
              hdf5: "/weights/\(key.layer)/\(key.name)", json: "$.weights.\(key.layer).\(key.name)")
            func check(_ slice: UnsafeBufferPointer<Float>, offset: Int) {
              if nonFinite[key] == nil, let index = ValueDomain.firstNonFinite(slice) {
                nonFinite[key] = ValueDomain.Violation(
                  place: place, reason: "element \(offset + index) is \(slice[index]); values must be finite")
              }
            }
            switch tensors[key]! {
            case .decoded(let tensor):
              tensor.scalars.withUnsafeBufferPointer { check($0, offset: 0) }
              try writer.write(tensor, to: key.name, in: layerGroup)
            case .base64(let shape, let data):
              let count = shape.reduce(1, *)
              let rowSize = shape.count > 1 ? shape.dropFirst().reduce(1, *) : 1
              let rowsPerPiece = max(3, Self.pieceBytes / max(1, rowSize * 4) / 3 * 3)
              try writer.write(shape: shape, rowsPerPiece: rowsPerPiece, to: key.name, in: layerGroup) {
                rows, buffer in
                try TensorJSON.decodeBase64(data, count: count, rows: rows, rowSize: rowSize, into: buffer)
                check(UnsafeBufferPointer(buffer), offset: rows.lowerBound * rowSize)
              }
            }
          }
        }
        if let features = names.features {
          try writer.write(strings: features, scalar: false, to: FileLayout.featureNames, in: writer.root)
        }
        if let classes = names.classes {
          try writer.write(strings: classes, scalar: false, to: FileLayout.classNames, in: writer.root)
        }
        // The values are checked after every tensor is read, in the network's order.
        if let violation = specs.lazy.compactMap({ nonFinite[$0.key] }).first { throw violation.jsonError }
      }
    }
  }
}
