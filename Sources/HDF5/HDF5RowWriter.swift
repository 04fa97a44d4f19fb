internal import CHDF5

/// Appends rows to a dataset whose first dimension grows, so output of
/// unknown length can be written with bounded memory.
///
/// The dataset is chunked, with an unlimited first dimension; each call to
/// ``append(_:)-([Scalar])`` extends it and writes the new rows.
public final class HDF5RowWriter<Scalar: HDF5Scalar>: @unchecked Sendable {
  /// The dataset being written.
  public let dataset: HDF5Dataset
  /// The shape of one row (empty for a dataset of scalars).
  public let rowShape: [Int]
  /// The number of rows written so far.
  public private(set) var rowCount = 0

  /// Creates an empty, growable dataset of rows of `rowShape` in `group`.
  ///
  /// - Parameters:
  ///   - group: The group the dataset is created in.
  ///   - name: The dataset's name in `group`.
  ///   - rowShape: The shape of one row; empty for a dataset of scalars.
  ///   - chunkRows: rows per chunk; about 1 MiB when `nil`.
  ///   - options: compression and checksums; `chunkShape` is ignored.
  public init(
    in group: HDF5Group, name: String, rowShape: [Int], chunkRows: Int? = nil, options: HDF5DatasetOptions = .init()
  ) throws(HDF5Error) {
    self.rowShape = rowShape
    let rowBytes = max(1, rowShape.reduce(Scalar.hdf5ElementType.byteCount, *))
    var options = options
    options.chunkShape =
      [max(1, chunkRows ?? (HDF5DatasetOptions.automaticChunkBytes / rowBytes))] + rowShape.map { max(1, $0) }
    dataset = try group.createDataset(
      name, of: Scalar.self, shape: [0] + rowShape, maxShape: [nil] + rowShape, options: options)
  }

  /// Appends rows from `buffer`, whose count must be a whole number of rows.
  ///
  /// The corresponding HDF5 functions are `H5Dset_extent` and `H5Dwrite`.
  public func append(_ buffer: UnsafeBufferPointer<Scalar>) throws(HDF5Error) {
    let rowSize = rowShape.reduce(1, *)
    let operation = "append rows to dataset"
    let site = HDF5Library.Site(file: dataset.file.path, path: dataset.path)
    guard rowSize > 0, buffer.count % rowSize == 0 else {
      throw HDF5Error(
        .shapeMismatch, operation: operation, file: site.file, objectPath: site.path,
        detail: "\(buffer.count) values are not whole rows of shape \(rowShape)")
    }
    let rows = buffer.count / rowSize
    guard rows > 0 else { return }
    let newShape = [hsize_t(rowCount + rows)] + rowShape.map { hsize_t($0) }
    try HDF5Library.call(operation, at: site) { H5Dset_extent(dataset.id, newShape) }
    let fileSpace = ScopedID(try HDF5Library.call(operation, at: site) { H5Dget_space(dataset.id) }, .dataspace)
    let start = [hsize_t(rowCount)] + rowShape.map { _ in hsize_t(0) }
    let count = [hsize_t(rows)] + rowShape.map { hsize_t($0) }
    try HDF5Library.call(operation, at: site) {
      H5Sselect_hyperslab(fileSpace.raw, H5S_SELECT_SET, start, nil, count, nil)
    }
    let memorySpace = try HDF5Library.dataspace([buffer.count], at: site)
    try HDF5Library.call(operation, at: site) {
      H5Dwrite(
        dataset.id, Scalar.hdf5ElementType.nativeType, memorySpace.raw, fileSpace.raw, bpk_H5P_DEFAULT(),
        buffer.baseAddress)
    }
    rowCount += rows
  }

  /// Appends rows from an array.
  public func append(_ values: [Scalar]) throws(HDF5Error) {
    try typedThrows { try values.withUnsafeBufferPointer { buffer in try append(buffer) } }
  }
}
