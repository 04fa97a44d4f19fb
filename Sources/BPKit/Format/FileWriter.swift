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

  /// Starts `file`, a new HDF5 file at `path` (a temporary name chosen by
  /// ``OutputFile``) or in memory, with the root attributes every bpkit file carries.
  init(_ file: HDF5File, path: String, kind: BPKitFileKind, bpkitVersion: String = BPKitVersion.current) throws {
    self.path = path
    self.file = file
    root = try file.root
    try root.setAttribute(FileLayout.kindAttribute, to: kind.rawValue)
    try root.setAttribute(FileLayout.versionAttribute, to: FormatVersion.current.description)
    try root.setAttribute(FileLayout.bpkitVersionAttribute, to: bpkitVersion)
  }

  /// Writes a numeric dataset straight from its storage, with its CRC-32.
  func write<T: HDF5Scalar>(_ values: [T], shape: [Int], to name: String, in group: HDF5Group) throws {
    try values.withUnsafeBufferPointer { buffer in
      let (dataset, crc) = try Self.checksumming(UnsafeRawBufferPointer(buffer)) {
        try group.write(buffer, shape: shape, to: name)
      }
      try dataset.setAttribute(FileLayout.checksumAttribute, to: crc)
      // Contiguous, unfiltered data lies in the file as it lies in memory
      // (bpkit writes little-endian values in their native type).
      if let offset = dataset.contiguousOffset, buffer.count > 0 {
        spans.spans.append(.init(offset: offset, count: buffer.count * MemoryLayout<T>.stride, crc: crc))
      }
    }
  }

  /// Data of at least this many bytes has its CRC-32 computed on a second
  /// thread while libhdf5 writes it (``checksumming(_:while:)``).
  static let concurrentChecksumBytes = 4 << 20

  /// Runs `body` (which writes `bytes`) and returns its result with the
  /// CRC-32 of `bytes`.
  ///
  /// For large data the checksum runs on another thread at the same time:
  /// both only read `bytes`, and the CRC-32 (11-25 GB/s) finishes well
  /// before the write into the page cache (2-5 GB/s). Computed first, on
  /// the writer's own thread, it added about 17 ms to writing a 400 MB
  /// checkpoint into the page cache (0.106 s against 0.089 s; BENCHMARKS.md,
  /// checkpoints).
  static func checksumming<R>(_ bytes: UnsafeRawBufferPointer, while body: () throws -> R) throws -> (R, UInt32) {
    guard bytes.count >= concurrentChecksumBytes else {
      let crc = CRC32.checksum(bytes)
      return (try body(), crc)
    }
    let checksum = ConcurrentChecksum(bytes)
    // `bytes` must outlive the other thread's reading, whatever `body` does.
    defer { checksum.wait() }
    let result = try body()
    return (result, checksum.wait())
  }

  func write<S: HDF5Scalar & BinaryFloatingPoint>(_ tensor: Tensor<S>, to name: String, in group: HDF5Group) throws {
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
    let weights = try root.createGroup(FileLayout.weights)
    if let exact = model.float64Parameters {
      // Format 1.5: a float64 model's weights (and its optimizer's slots) are float64 datasets.
      try root.setAttribute(FileLayout.dtypeAttribute, to: DType.float64.rawValue)
      try writeTensors(exact, layers: model.network.layers, into: weights)
    } else {
      try writeTensors(model.parameters, layers: model.network.layers, into: weights)
    }
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
  func writeTensors<S: HDF5Scalar & BinaryFloatingPoint>(
    _ tensors: [ParameterKey: Tensor<S>], layers: [Layer], into group: HDF5Group
  ) throws {
    let byLayer = Dictionary(grouping: tensors.keys, by: \.layer)
    for layer in layers {
      guard let keys = byLayer[layer.name] else { continue }
      let layerGroup = try group.createGroup(layer.name)
      for key in keys.sorted() {
        try write(tensors[key]!, to: key.name, in: layerGroup)
      }
    }
  }

  /// Files whose estimated size is at most this many bytes are built in
  /// memory and written with one `write`; larger ones are written by
  /// libhdf5 straight into the temporary file, so that their weights are
  /// not held twice in memory.
  ///
  /// A checkpoint of a small network is many small objects: built in
  /// a file on disk, each object header, B-tree node and dataset costs
  /// libhdf5 a system call, and the seal reads the metadata back. Built in
  /// memory, the whole file costs one write (BENCHMARKS.md, checkpoint every
  /// epoch).
  static let imageLimit = 32 << 20

  /// Writes a bpkit file to `destination` through ``OutputFile`` (atomic
  /// replacement, `fsync`, room reserved before writing): fills it through
  /// `body` and seals it with its whole-file checksum (``FileChecksum``).
  ///
  /// A file estimated at up to ``imageLimit`` bytes is built in memory and
  /// written at once; a larger one is created by libhdf5 at the temporary
  /// path. The bytes are the same either way.
  ///
  /// - Parameters:
  ///   - estimatedBytes: An upper bound of the file's size (``estimatedBytes(scalars:stride:datasets:text:)``).
  ///   - imageLimit: The largest estimate built in memory (tests lower it).
  static func write(
    to destination: String, kind: BPKitFileKind, bpkitVersion: String = BPKitVersion.current,
    estimatedBytes: Int, imageLimit: Int = imageLimit, options: FileWriteOptions, _ body: (FileWriter) throws -> Void
  ) throws {
    guard estimatedBytes <= imageLimit else {
      try OutputFile.create(destination, options: options, reservingBytes: estimatedBytes) { temporary in
        try writeFile(at: temporary, kind: kind, bpkitVersion: bpkitVersion, body)
      }
      return
    }
    let image = try image(
      named: destination, kind: kind, bpkitVersion: bpkitVersion, expectedBytes: estimatedBytes, body)
    try OutputFile.write(to: destination, options: options, reservingBytes: image.count) { output in
      try image.withUnsafeBytes { try output.write($0) }
    }
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
    let file = try HDF5File.create(atPath: path, userBlockSize: FileChecksum.userBlockSize)
    let spans = try fill(file, path: path, kind: kind, bpkitVersion: bpkitVersion, body)
    try file.close()
    try FileChecksum.seal(path, known: spans)
  }

  /// Builds a bpkit file in memory (named `name` in errors), fills it
  /// through `body`, and returns its bytes, sealed with the whole-file
  /// checksum: the bytes ``writeFile(at:kind:bpkitVersion:_:)`` leaves on disk.
  static func image(
    named name: String, kind: BPKitFileKind, bpkitVersion: String = BPKitVersion.current, expectedBytes: Int,
    _ body: (FileWriter) throws -> Void
  ) throws -> [UInt8] {
    let file = try HDF5File.createImage(
      named: name, userBlockSize: FileChecksum.userBlockSize, expectedBytes: expectedBytes)
    let spans = try fill(file, path: name, kind: kind, bpkitVersion: bpkitVersion, body)
    var image = try file.closeReturningImage()
    try FileChecksum.seal(image: &image, file: name, known: spans)
    return image
  }

  /// An upper bound of the size of a file holding `scalars` numbers of
  /// `stride` bytes in `datasets` datasets, with `text` bytes of strings:
  /// the data, HDF5's object headers and B-trees (well under 4 KiB per
  /// dataset), and the user block and superblock.
  static func estimatedBytes(scalars: Int, stride: Int = 4, datasets: Int, text: Int) -> Int {
    scalars * stride + text + datasets * 4096 + 64 << 10
  }

  /// Fills `file` through `body`; returns with the writer's root group
  /// released, so that `file` is the only handle left open.
  private static func fill(
    _ file: HDF5File, path: String, kind: BPKitFileKind, bpkitVersion: String, _ body: (FileWriter) throws -> Void
  ) throws -> [FileChecksum.KnownSpan] {
    let writer = try FileWriter(file, path: path, kind: kind, bpkitVersion: bpkitVersion)
    try body(writer)
    return writer.spans.spans
  }
}

/// The CRC-32 of bytes, computed on a thread of Dispatch's global pool;
/// ``wait()`` returns it. The bytes must stay valid and unchanged until
/// ``wait()`` returns.
private final class ConcurrentChecksum: @unchecked Sendable {
  private let done = DispatchGroup()
  /// Written by the other thread before it leaves `done`, read after `done.wait()`.
  private var crc: UInt32 = 0

  init(_ bytes: UnsafeRawBufferPointer) {
    let base = UInt(bitPattern: bytes.baseAddress)
    let count = bytes.count
    done.enter()
    DispatchQueue.global(qos: .userInitiated).async { [self] in
      crc = CRC32.checksum(UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: base), count: count))
      done.leave()
    }
  }

  /// Waits for the checksum; may be called more than once.
  @discardableResult
  func wait() -> UInt32 {
    done.wait()
    return crc
  }
}
