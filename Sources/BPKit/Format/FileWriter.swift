import Foundation
import HDF5

/// Writes the parts of a bpkit file: every dataset with its CRC-32.
struct FileWriter {
  let path: String
  let file: HDF5File
  let root: HDF5Group
  /// Where each dataset's raw data landed in the file, with its CRC-32, so
  /// that sealing the file need not read that data back.
  let spans = KnownSpans()

  final class KnownSpans {
    var spans: [FileChecksum.KnownSpan] = []
  }

  /// Creates the file at `path` (a temporary name chosen by ``OutputFile``)
  /// with the root attributes every bpkit file carries.
  init(path: String, kind: BPKitFileKind, bpkitVersion: String = BPKitVersion.current) throws {
    self.path = path
    file = try HDF5File.create(atPath: path, userBlockSize: FileChecksum.userBlockSize)
    root = try file.root
    try root.setAttribute(FileLayout.kindAttribute, to: kind.rawValue)
    try root.setAttribute(FileLayout.versionAttribute, to: FormatVersion.current.description)
    try root.setAttribute(FileLayout.bpkitVersionAttribute, to: bpkitVersion)
  }

  /// Writes a numeric dataset straight from its storage, with its CRC-32.
  func write<T: HDF5Scalar>(_ values: [T], shape: [Int], to name: String, in group: HDF5Group) throws {
    try values.withUnsafeBufferPointer { buffer in
      let crc = CRC32.checksum(UnsafeRawBufferPointer(buffer))
      let dataset = try group.write(buffer, shape: shape, to: name)
      try dataset.setAttribute(FileLayout.checksumAttribute, to: crc)
      // Contiguous, unfiltered data lies in the file as it lies in memory
      // (bpkit writes little-endian values in their native type).
      let storage = try dataset.storage()
      if let offset = storage.fileOffset, storage.filters.isEmpty, buffer.count > 0 {
        spans.spans.append(.init(offset: offset, count: buffer.count * MemoryLayout<T>.stride, crc: crc))
      }
    }
  }

  func write(_ tensor: Tensor<Float>, to name: String, in group: HDF5Group) throws {
    try write(tensor.scalars, shape: tensor.shape, to: name, in: group)
  }

  /// Writes a scalar string dataset (`scalar`) or a list of strings, with its CRC-32.
  func write(strings: [String], scalar: Bool, to name: String, in group: HDF5Group) throws {
    let dataset =
      scalar ? try group.writeString(strings[0], to: name) : try group.writeStrings(strings, to: name)
    try dataset.setAttribute(FileLayout.checksumAttribute, to: Self.stringChecksum(strings))
  }

  /// The CRC-32 of strings: their UTF-8 bytes, each followed by a zero byte.
  static func stringChecksum(_ strings: [String]) -> UInt32 {
    var crc = CRC32()
    for string in strings {
      var bytes = Array(string.utf8)
      bytes.append(0)
      bytes.withUnsafeBytes { crc.update($0) }
    }
    return crc.value
  }

  /// Writes the network description and one group per layer with its weights.
  func writeModel(_ model: Model) throws {
    try write(
      strings: [try FileLayout.encodeNetwork(model.network)], scalar: true, to: FileLayout.network, in: root)
    try writeTensors(model.parameters, layers: model.network.layers, into: try root.createGroup(FileLayout.weights))
    // Format 1.1: the names of the features and classes, when the model has them.
    if let features = model.names.features {
      try write(strings: features, scalar: false, to: FileLayout.featureNames, in: root)
    }
    if let classes = model.names.classes {
      try write(strings: classes, scalar: false, to: FileLayout.classNames, in: root)
    }
  }

  /// Writes tensors keyed by layer and weight name as `<layer>/<name>`,
  /// layers in the network's order.
  func writeTensors(_ tensors: [ParameterKey: Tensor<Float>], layers: [Layer], into group: HDF5Group) throws {
    let byLayer = Dictionary(grouping: tensors.keys, by: \.layer)
    for layer in layers {
      guard let keys = byLayer[layer.name] else { continue }
      let layerGroup = try group.createGroup(layer.name)
      for key in keys.sorted() {
        try write(tensors[key]!, to: key.name, in: layerGroup)
      }
    }
  }

  func close() throws {
    try file.close()
  }

  /// Creates a bpkit file at `path`, fills it through `body`, closes it and
  /// seals it with its whole-file checksum (``FileChecksum``).
  ///
  /// The seal comes after every group and dataset handle is gone: libhdf5
  /// keeps a file open while any object in it is open, and may still write
  /// to it when the last one closes.
  static func writeFile(
    at path: String, kind: BPKitFileKind, bpkitVersion: String = BPKitVersion.current,
    _ body: (FileWriter) throws -> Void
  ) throws {
    let spans = try fill(path, kind: kind, bpkitVersion: bpkitVersion, body)
    try FileChecksum.seal(path, known: spans)
  }

  /// An upper bound of the size of a file holding `scalars` numbers of
  /// `stride` bytes in `datasets` datasets, with `text` bytes of strings:
  /// the data, HDF5's object headers and B-trees (well under 4 KiB per
  /// dataset), and the user block and superblock.
  static func estimatedBytes(scalars: Int, stride: Int = 4, datasets: Int, text: Int) -> Int {
    scalars * stride + text + datasets * 4096 + 64 << 10
  }

  private static func fill(
    _ path: String, kind: BPKitFileKind, bpkitVersion: String, _ body: (FileWriter) throws -> Void
  ) throws -> [FileChecksum.KnownSpan] {
    let writer = try FileWriter(path: path, kind: kind, bpkitVersion: bpkitVersion)
    try body(writer)
    try writer.close()
    return writer.spans.spans
  }
}
