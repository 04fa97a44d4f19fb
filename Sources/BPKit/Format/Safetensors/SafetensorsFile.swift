import Foundation

/// Reads and writes bpkit models as safetensors files, tensors going
/// between disk and their storage in blocks of about a megabyte, so that a
/// conversion holds the model and little more.
enum SafetensorsFile {
  /// The metadata key of the bpkit network description (JSON, as in a bpkit HDF5 file).
  static let networkKey = "bpkit.network"
  /// Bytes of source data handled at a time when a tensor is transposed or widened.
  static let blockBytes = 1 << 20

  // MARK: Writing

  /// Writes `model`: a float32 model's tensors as F32, a float64 model's as
  /// F64, bit for bit either way.
  static func write(_ model: Model, to url: URL, options: FileWriteOptions) throws {
    if let exact = model.float64Parameters {
      try write(model, exact, dtype: .f64, to: url, options: options)
    } else {
      try write(model, model.parameters, dtype: .f32, to: url, options: options)
    }
  }

  private static func write<S: BLASScalar>(
    _ model: Model, _ parameters: [ParameterKey: Tensor<S>], dtype: SafetensorsDType, to url: URL,
    options: FileWriteOptions
  ) throws {
    let layout = try PyTorchLayout(sequential: model.network, file: url.path)
    var header: [UInt8] = Array("{\"__metadata__\":{".utf8)
    JSONStrings.appendLiteral("format", to: &header)
    header += Array(":\"pt\",".utf8)
    JSONStrings.appendLiteral(networkKey, to: &header)
    header.append(UInt8(ascii: ":"))
    JSONStrings.appendLiteral(try FileLayout.encodeNetwork(model.network), to: &header)
    for (key, value) in model.names.metadataEntries {
      header.append(UInt8(ascii: ","))
      JSONStrings.appendLiteral(key, to: &header)
      header.append(UInt8(ascii: ":"))
      JSONStrings.appendLiteral(value, to: &header)
    }
    header.append(UInt8(ascii: "}"))
    var offset = 0
    for item in layout.items {
      let bytes = item.shape.reduce(1, *) * MemoryLayout<S>.size
      header.append(UInt8(ascii: ","))
      JSONStrings.appendLiteral(item.name, to: &header)
      header += Array(
        ":{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(item.shape.map(String.init).joined(separator: ","))],".utf8)
      header += Array("\"data_offsets\":[\(offset),\(offset + bytes)]}".utf8)
      offset += bytes
    }
    header.append(UInt8(ascii: "}"))
    // Spaces after the JSON, so that the data starts 8-byte aligned, as safetensors writes it.
    while (8 + header.count) % 8 != 0 { header.append(UInt8(ascii: " ")) }
    try OutputFile.create(url.relativePath, options: options, reservingBytes: 8 + header.count + offset) { temporary in
      let file = try BinaryFile(creating: temporary, displayPath: url.path)
      var length = UInt64(header.count).littleEndian
      try withUnsafeBytes(of: &length) { try file.write($0) }
      try file.write(header)
      for item in layout.items { try writeData(of: item, parameters, to: file) }
    }
  }

  private static func writeData<S: BLASScalar>(
    of item: PyTorchLayout.Item, _ parameters: [ParameterKey: Tensor<S>], to file: borrowing BinaryFile
  ) throws {
    switch item.role {
    case .same(let key):
      try parameters[key]!.scalars.withUnsafeBytes { try file.write($0) }
    case .secondBias:
      // −0, the zero that leaves every bias unchanged when added, −0 included.
      try [S](repeating: -0.0, count: item.shape[0]).withUnsafeBytes { try file.write($0) }
    case .transposed(let key):
      try writeTransposed(parameters[key]!.scalars, shape: item.shape, to: file)
    case .transposedGRU(let key):
      let scalars = parameters[key]!.scalars
      try writeTransposed(
        PyTorchGates.swappingGRUGates(scalars, rows: item.shape[1]), shape: item.shape, to: file)
    case .gruBias(let key, let row):
      let size = item.shape[0]
      let bias = Array(parameters[key]!.scalars[(row * size)..<((row + 1) * size)])
      try PyTorchGates.swappingGRUGates(bias, rows: 1).withUnsafeBytes { try file.write($0) }
    }
  }

  /// PyTorch's [out, in] (`shape`) from bpkit's [in, out] `scalars`, a block of output rows at a time.
  private static func writeTransposed<S: BLASScalar>(_ scalars: [S], shape: [Int], to file: borrowing BinaryFile)
    throws
  {
    let (rows, columns) = (shape[0], shape[1])
    let width = MemoryLayout<S>.size
    let blockRows = max(1, blockBytes / width / max(columns, 1))
    var block = [S](repeating: 0, count: min(rows, blockRows) * columns)
    try scalars.withUnsafeBufferPointer { source in
      var row = 0
      while row < rows {
        let count = min(blockRows, rows - row)
        // Output rows row..<row+count are source columns row..<row+count of bpkit's [in = columns, out = rows].
        block.withUnsafeMutableBufferPointer { target in
          Transposition.transpose(
            source.baseAddress! + row, rows: columns, columns: count, sourceStride: rows,
            into: target.baseAddress!, targetStride: columns)
        }
        try block.withUnsafeBytes {
          try file.write(UnsafeRawBufferPointer(rebasing: $0[0..<(count * columns * width)]))
        }
        row += count
      }
    }
  }

  // MARK: Reading

  /// The model in the file at `url`: with `network`, the tensors of a plain
  /// state_dict are matched to it; without, the file must be one bpkit wrote.
  static func read(_ url: URL, network given: NetworkDescription?) throws -> Model {
    let path = url.path
    // The one opening policy: a regular, non-empty, readable file.
    _ = try OpeningPolicy.regularFileSize(path)
    let file = try BinaryFile(reading: path)
    let header = try SafetensorsHeader(file, path: path)
    let layout: PyTorchLayout
    let network: NetworkDescription
    if let given {
      network = given
      layout = try PyTorchLayout(network: given, matching: header.entries.map(\.name), file: path)
    } else if let text = header.metadata[networkKey] {
      do {
        network = try NetworkJSON.read(text: text)
      } catch {
        throw SafetensorsError.invalidHeader(
          file: path, detail: "its \(networkKey) metadata is not a bpkit network: \(error)")
      }
      layout = try PyTorchLayout(sequential: network, file: path)
    } else {
      throw SafetensorsError.needsLayers(file: path)
    }
    let entries = Dictionary(header.entries.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    let used = Set(layout.items.map(\.name))
    let extra = header.entries.map(\.name).filter { !used.contains($0) }.sorted()
    guard extra.isEmpty else { throw SafetensorsError.unexpectedTensors(file: path, names: extra) }
    // Every name and shape is checked before any tensor is allocated.
    for item in layout.items {
      guard let entry = entries[item.name] else {
        throw SafetensorsError.missingTensor(file: path, name: item.name, layer: item.layer)
      }
      guard entry.shape == item.shape else {
        throw SafetensorsError.shapeMismatch(
          file: path, name: item.name, layer: item.layer, expected: item.shape, found: entry.shape)
      }
    }
    // Every tensor F64 (PyTorch's float64 state_dict, bpkit's float64
    // model): a float64 model, bit for bit. Otherwise Float32, F64 rounded.
    let float64 = !header.entries.isEmpty && header.entries.allSatisfy { $0.dtype == .f64 }
    let model: Model
    do {
      model =
        float64
        ? try Model(network: network, float64Parameters: try tensors(layout, entries, from: file))
        : try Model(network: network, parameters: try tensors(layout, entries, from: file))
    } catch let error as BPKitError {
      // The model's own check of the weights against the network; read errors pass unchanged.
      throw SafetensorsError.invalidHeader(file: path, detail: "\(error)")
    }
    if let (key, reason) = ValueDomain.nonFiniteWeight(in: model) {
      throw SafetensorsError.invalidTensor(file: path, name: "\(key)", detail: reason)
    }
    do {
      return try model.named(try ModelNames(metadata: header.metadata))
    } catch {
      throw SafetensorsError.invalidHeader(file: path, detail: "\(error)")
    }
  }

  /// The model's weights in precision `S`, from the entries the layout names (checked already).
  private static func tensors<S: BLASScalar>(
    _ layout: PyTorchLayout, _ entries: [String: SafetensorsHeader.Entry], from file: borrowing BinaryFile
  ) throws -> [ParameterKey: Tensor<S>] {
    var parameters: [ParameterKey: Tensor<S>] = [:]
    for item in layout.items {
      let entry = entries[item.name]!
      switch item.role {
      case .same(let key):
        parameters[key] = Tensor(shape: item.shape, scalars: try values(entry, from: file, transposed: false))
      case .transposed(let key):
        parameters[key] = Tensor(
          shape: [item.shape[1], item.shape[0]], scalars: try values(entry, from: file, transposed: true))
      case .secondBias(let key):
        // b = b_ih + b_hh, summed in the model's precision (rounded once) as PyTorch's RNN kernels sum them.
        let second: [S] = try values(entry, from: file, transposed: false)
        var first = parameters[key]!
        for i in first.scalars.indices { first.scalars[i] += second[i] }
        parameters[key] = first
      case .transposedGRU(let key):
        let columns = item.shape[0]
        let rows = item.shape[1]
        parameters[key] = Tensor(
          shape: [rows, columns],
          scalars: PyTorchGates.swappingGRUGates(try values(entry, from: file, transposed: true), rows: rows))
      case .gruBias(let key, let row):
        let size = item.shape[0]
        var bias = parameters[key] ?? Tensor(repeating: 0, shape: [2, size])
        let values = PyTorchGates.swappingGRUGates(try values(entry, from: file, transposed: false) as [S], rows: 1)
        bias.scalars.replaceSubrange((row * size)..<((row + 1) * size), with: values)
        parameters[key] = bias
      }
    }
    return parameters
  }

  /// The entry's numbers in precision `S`: as stored when the entry is of
  /// `S`'s width, F64 rounded to Float32, F32, F16 and BF16 widened exactly;
  /// transposed from [rows, columns] when asked, read a block of rows at a time.
  private static func values<S: BLASScalar>(
    _ entry: SafetensorsHeader.Entry, from file: borrowing BinaryFile, transposed: Bool
  ) throws -> [S] {
    let count = entry.count
    let same = entry.dtype.byteCount == MemoryLayout<S>.size && (entry.dtype == .f32 || entry.dtype == .f64)
    if same && !transposed {
      return try [S](unsafeUninitializedCapacity: count) { buffer, initialized in
        HugePages.advise(UnsafeMutableRawBufferPointer(buffer))
        try file.read(into: UnsafeMutableRawBufferPointer(buffer), at: entry.range.lowerBound)
        initialized = count
      }
    }
    let rows = transposed ? entry.shape[0] : 1
    let columns = transposed ? entry.shape[1] : count
    let width = entry.dtype.byteCount
    // Whole rows of a transposed tensor; any run of elements of another.
    let blockRows = transposed ? max(1, blockBytes / width / max(columns, 1)) : 1
    let blockElements = transposed ? blockRows * columns : min(count, blockBytes / width)
    var raw = [UInt8](repeating: 0, count: same ? 0 : min(count, blockElements) * width)
    let scratch = UnsafeMutablePointer<S>.allocate(capacity: transposed ? min(count, blockElements) : 0)
    defer { scratch.deallocate() }
    return try [S](unsafeUninitializedCapacity: count) { result, initialized in
      HugePages.advise(UnsafeMutableRawBufferPointer(result))
      var done = 0
      while done < count {
        let n = min(blockElements, count - done)
        let at = entry.range.lowerBound + done * width
        // The block in precision S: in `scratch` for a transposed tensor, else where it goes in `result`.
        let block = transposed ? scratch : result.baseAddress! + done
        if same {
          try file.read(into: UnsafeMutableRawBufferPointer(start: block, count: n * width), at: at)
        } else {
          try raw.withUnsafeMutableBytes { bytes in
            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<(n * width)]), at: at)
            for i in 0..<n {
              block[i] =
                switch entry.dtype {
                case .f32: S(bytes.loadUnaligned(fromByteOffset: i * 4, as: Float.self))
                // Rounded once to Float32, or as stored in Double.
                case .f64: S(bytes.loadUnaligned(fromByteOffset: i * 8, as: Double.self))
                case .f16: S(HalfPrecision.float(half: bytes.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
                case .bf16:
                  S(HalfPrecision.float(bfloat16: bytes.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
                }
            }
          }
        }
        if transposed {
          // Source rows done/columns ..< +n/columns become target columns of [columns, rows].
          let row = done / columns
          Transposition.transpose(
            UnsafePointer(block), rows: n / columns, columns: columns, sourceStride: columns,
            into: result.baseAddress! + row, targetStride: rows)
        }
        done += n
      }
      initialized = count
    }
  }
}
