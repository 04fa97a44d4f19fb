import Foundation
import HDF5

extension Model {
  /// Reads a model from a bpkit model file, or the model inside a bpkit checkpoint.
  ///
  /// The file is checked against bpkit's loading policy before any data is
  /// read, every weight's shape is checked against the network description
  /// before its buffer is allocated, and every weight's CRC-32 is verified.
  ///
  /// - Parameters:
  ///   - url: The file.
  ///   - trust: Whether the file may skip the child-process probe (see ``FileTrust``).
  /// - Throws: ``OpeningError`` for paths that are not regular files or that
  ///   the probe refuses; ``FormatError`` naming the file and the object at fault.
  package init(contentsOf url: URL, trust: FileTrust = .untrusted) throws {
    self = try FormatError.wrappingHDF5Errors {
      try ModelFileCoding.readModel(try FileReader(path: url.path, trust: trust))
    }
  }

  /// Writes the model as a bpkit model file, replacing `url` atomically.
  ///
  /// - Parameters:
  ///   - url: The destination. Its folder must exist.
  ///   - options: Whether to make the write durable with `fsync` (the default).
  /// - Throws: ``FormatError`` when the file cannot be written; the previous
  ///   file at `url`, if any, is then unchanged.
  package func write(to url: URL, options: FileWriteOptions = .init()) throws {
    try FormatError.wrappingHDF5Errors {
      try FileWriter.write(to: url.relativePath, kind: .model, estimatedBytes: estimatedFileBytes, options: options) {
        writer in try writer.writeModel(self)
      }
    }
  }
}

extension Model {
  /// An upper bound of the size of this model's file.
  var estimatedFileBytes: Int {
    Self.estimatedFileBytes(
      network: network, names: names, scalars: parameters.values.reduce(0) { $0 + $1.count },
      stride: dtype == .float64 ? 8 : 4, tensors: parameters.count)
  }

  /// An upper bound of the size of the file of a model of `network` with
  /// `names` and `tensors` weight tensors holding `scalars` weights.
  static func estimatedFileBytes(
    network: NetworkDescription, names: ModelNames, scalars: Int, stride: Int, tensors: Int
  ) -> Int {
    FileWriter.estimatedBytes(
      scalars: scalars, stride: stride, datasets: tensors + 1,
      text: 512 * (network.layers.count + 1)
        + [names.features, names.classes].compactMap { $0 }.joined().reduce(0) { $0 + $1.utf8.count + 64 })
  }
}

/// Reading the model part shared by model files and checkpoints.
enum ModelFileCoding {
  /// Weights as a file stores them.
  enum StoredParameters {
    case float32([ParameterKey: Tensor<Float>])
    case float64([ParameterKey: Tensor<Double>])
  }

  /// What a model file holds besides its weights' data.
  struct Header {
    var network: NetworkDescription
    var specs: [ParameterSpec]
    var weights: HDF5Group
    var names: ModelNames
  }

  static func readModel(_ reader: FileReader) throws -> Model {
    let header = try readHeader(reader)
    let weights = header.weights
    let (network, specs, names) = (header.network, header.specs, header.names)
    // Format 1.5: a float64 file's weights are float64 datasets, read without rounding.
    let parameters: StoredParameters =
      reader.dtype == .float64
      ? .float64(try readTensors(reader, from: weights, specs: specs, as: Double.self))
      : .float32(try readTensors(reader, from: weights, specs: specs))
    let model: Model
    do {
      switch parameters {
      case .float32(let parameters): model = try Model(network: network, parameters: parameters).named(names)
      case .float64(let parameters): model = try Model(network: network, float64Parameters: parameters).named(names)
      }
    } catch {
      throw FormatError.invalidModel(file: reader.path, error: error.reason(ModelError.self))
    }
    do {
      try ValueDomain.check(model)
    } catch {
      throw error.formatError(file: reader.path)
    }
    return model
  }

  /// Reads and checks the network description, the weights' group and the
  /// names: everything ``readModel(_:)`` reads before the weights, in its order.
  static func readHeader(_ reader: FileReader) throws -> Header {
    let json = try reader.strings(FileLayout.network, in: reader.root, scalar: true)[0]
    let network: NetworkDescription
    do {
      network = try NetworkJSON.read(text: json)
    } catch {
      throw FormatError.invalidNetwork(file: reader.path, reason: error.description)
    }
    let specs: [ParameterSpec]
    do {
      specs = try network.parameterSpecs()
    } catch {
      throw FormatError.invalidModel(file: reader.path, error: error.reason(ModelError.self))
    }
    let weights = try reader.group(FileLayout.weights)
    var names = ModelNames()
    if try reader.root.contains(FileLayout.featureNames) {
      names.features = try reader.strings(FileLayout.featureNames, in: reader.root, scalar: false)
    }
    if try reader.root.contains(FileLayout.classNames) {
      names.classes = try reader.strings(FileLayout.classNames, in: reader.root, scalar: false)
    }
    return Header(network: network, specs: specs, weights: weights, names: names)
  }

  /// Reads `<layer>/<name>` tensors for every spec under `group`, refusing
  /// any group or dataset that no spec declares.
  static func readTensors<S: HDF5Scalar & BinaryFloatingPoint>(
    _ reader: FileReader, from group: HDF5Group, specs: [ParameterSpec], as type: S.Type = Float.self
  ) throws -> [ParameterKey: Tensor<S>] {
    try refuseUndeclaredTensors(reader, in: group, specs: specs)
    var tensors: [ParameterKey: Tensor<S>] = [:]
    for spec in specs {
      let layerPath = FileReader.join(group.path, spec.key.layer)
      let layerGroup = try reader.group(String(layerPath.dropFirst()))
      tensors[spec.key] = try reader.tensor(spec.key.name, in: layerGroup, shape: spec.shape, as: S.self)
    }
    return tensors
  }

  /// Refuses any group or dataset under `group` that no spec declares.
  static func refuseUndeclaredTensors(_ reader: FileReader, in group: HDF5Group, specs: [ParameterSpec]) throws {
    let declared = Dictionary(grouping: specs, by: \.key.layer)
    for layer in try group.children() {
      let layerPath = FileReader.join(group.path, layer)
      guard let layerSpecs = declared[layer] else {
        throw FormatError.unexpectedObject(file: reader.path, path: layerPath)
      }
      let names = Set(layerSpecs.map(\.key.name))
      for name in try reader.group(String(layerPath.dropFirst())).children() where !names.contains(name) {
        throw FormatError.unexpectedObject(file: reader.path, path: FileReader.join(layerPath, name))
      }
    }
  }
}

extension FormatError {
  /// Runs `body`, turning the HDF5 module's errors into ``FormatError/hdf5(_:)``.
  static func wrappingHDF5Errors<R>(_ body: () throws -> R) throws -> R {
    do {
      return try body()
    } catch let error as HDF5Error {
      throw FormatError.hdf5(error)
    }
  }
}
