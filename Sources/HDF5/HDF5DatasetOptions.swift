internal import CHDF5

/// How a dataset is laid out and filtered on disk.
///
/// Filters (deflate, shuffle, Fletcher32) need a chunked layout; when a
/// filter is asked for without ``chunkShape``, chunks of about 1 MiB are chosen.
public struct HDF5DatasetOptions: Sendable, Equatable {
  /// The chunk dimensions, or `nil` for a contiguous layout (unless a filter needs chunks).
  public var chunkShape: [Int]?
  /// The zlib compression level, 0-9, or `nil` for no compression.
  public var deflateLevel: Int?
  /// Whether to reorder bytes before compression, which helps floating-point data.
  public var shuffle: Bool
  /// Whether to store a Fletcher32 checksum per chunk, verified on every read.
  public var fletcher32: Bool
  /// A file, outside the HDF5 file, that holds the raw data instead
  /// (`H5Pset_external`); only for contiguous datasets without filters.
  public var externalFile: String?

  /// Creates options; the defaults give a plain contiguous dataset.
  public init(
    chunkShape: [Int]? = nil, deflateLevel: Int? = nil, shuffle: Bool = false,
    fletcher32: Bool = false, externalFile: String? = nil
  ) {
    self.chunkShape = chunkShape
    self.deflateLevel = deflateLevel
    self.shuffle = shuffle
    self.fletcher32 = fletcher32
    self.externalFile = externalFile
  }

  var hasFilters: Bool { deflateLevel != nil || shuffle || fletcher32 }

  /// The bytes a chunk is allowed when bpkit chooses its shape.
  static let automaticChunkBytes = 1 << 20

  /// A chunk shape of at most about 1 MiB: the dataset's shape, with the
  /// leading dimensions halved first, so that chunks hold whole rows.
  static func automaticChunkShape(for shape: [Int], elementSize: Int) -> [Int] {
    var chunk = shape.map { max(1, $0) }
    for dimension in chunk.indices {
      while chunk.reduce(elementSize, *) > automaticChunkBytes, chunk[dimension] > 1 {
        chunk[dimension] = (chunk[dimension] + 1) / 2
      }
    }
    return chunk
  }

  func creationProperties(shape: [Int], elementSize: Int, at site: HDF5Library.Site)
    throws(HDF5Error) -> ScopedID
  {
    let operation = "create dataset"
    let list = ScopedID(
      try HDF5Library.call(operation, at: site) { H5Pcreate(bpk_H5P_DATASET_CREATE()) },
      .propertyList)
    // No creation or modification times in the object header: the same
    // data written twice gives the same bytes (a sharded `bpkit infer`
    // writes the file one process writes).
    try HDF5Library.call(operation, at: site) { H5Pset_obj_track_times(list.raw, false) }
    if let externalFile {
      guard chunkShape == nil, !hasFilters else {
        throw HDF5Error(
          .invalidArgument, operation: operation, file: site.file, objectPath: site.path,
          detail: "external storage cannot be chunked, compressed or checksummed")
      }
      try HDF5Library.call(operation, at: site) {
        H5Pset_external(list.raw, externalFile, 0, bpk_H5F_UNLIMITED())
      }
      return list
    }
    guard chunkShape != nil || hasFilters else { return list }
    guard !shape.isEmpty else {
      throw HDF5Error(
        .invalidArgument, operation: operation, file: site.file, objectPath: site.path,
        detail: "a scalar dataset cannot be chunked, compressed or checksummed")
    }
    let chunk = chunkShape ?? Self.automaticChunkShape(for: shape, elementSize: elementSize)
    guard chunk.count == shape.count, chunk.allSatisfy({ $0 > 0 }) else {
      throw HDF5Error(
        .invalidArgument, operation: operation, file: site.file, objectPath: site.path,
        detail: "chunk shape \(chunk) does not suit dataset shape \(shape)")
    }
    if let level = deflateLevel, !(0...9).contains(level) {
      throw HDF5Error(
        .invalidArgument, operation: operation, file: site.file, objectPath: site.path,
        detail: "deflate level \(level) is not in 0...9")
    }
    let dims = chunk.map { hsize_t($0) }
    try HDF5Library.call(operation, at: site) { H5Pset_chunk(list.raw, Int32(dims.count), dims) }
    // Filters run in the order they are added: checksum the compressed bytes,
    // so that damage is found before decompression touches it.
    if shuffle { try HDF5Library.call(operation, at: site) { H5Pset_shuffle(list.raw) } }
    if let level = deflateLevel {
      try HDF5Library.call(operation, at: site) { H5Pset_deflate(list.raw, UInt32(level)) }
    }
    if fletcher32 { try HDF5Library.call(operation, at: site) { H5Pset_fletcher32(list.raw) } }
    return list
  }
}
