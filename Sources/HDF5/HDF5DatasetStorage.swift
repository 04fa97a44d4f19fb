internal import CHDF5

/// How and where a dataset's elements are stored: what a careful reader
/// checks before reading data from a file it did not write.
public struct HDF5DatasetStorage: Sendable, Equatable {
  /// How the elements are laid out in the file.
  public enum Layout: Sendable, Equatable {
    /// In the object header (small datasets).
    case compact
    /// In one block of the file.
    case contiguous
    /// In chunks, possibly filtered.
    case chunked
    /// Gathered from other datasets, possibly in other files (HDF5 1.10's virtual datasets).
    case virtual
  }

  /// A filter in a chunked dataset's pipeline.
  public struct Filter: Sendable, Equatable {
    /// HDF5's filter identifier: 1 deflate, 2 shuffle, 3 Fletcher32, others registered with the HDF Group.
    public var id: Int
    /// The name the file gives the filter.
    public var name: String
  }

  /// The layout.
  public var layout: Layout
  /// The filters applied to each chunk, in order.
  public var filters: [Filter]
  /// How many external files hold the raw data (`H5Pset_external`); 0 when the data is inside the file.
  public var externalFileCount: Int
  /// The bytes allocated for the data inside this file; 0 when nothing has been written.
  public var allocatedBytes: Int
  /// Where a contiguous dataset's data starts in the file, or `nil` for other
  /// layouts and for data not yet written.
  public var fileOffset: Int?
}

extension HDF5Dataset {
  /// Describes how the dataset is stored, without reading its data.
  ///
  /// The corresponding HDF5 functions are `H5Dget_create_plist`, `H5Pget_layout`,
  /// `H5Pget_nfilters`, `H5Pget_filter2`, `H5Pget_external_count`, `H5Dget_storage_size` and
  /// `H5Dget_offset`.
  public func storage() throws(HDF5Error) -> HDF5DatasetStorage {
    let operation = "inspect the storage of dataset"
    let list = ScopedID(
      try HDF5Library.call(operation, at: site()) { H5Dget_create_plist(id) }, .propertyList)
    let rawLayout = HDF5Library.locked { H5Pget_layout(list.raw) }
    let layout: HDF5DatasetStorage.Layout
    switch rawLayout {
    case H5D_COMPACT: layout = .compact
    case H5D_CONTIGUOUS: layout = .contiguous
    case H5D_CHUNKED: layout = .chunked
    case H5D_VIRTUAL: layout = .virtual
    default:
      throw HDF5Error(
        .libraryFailure, operation: operation, file: file.path, objectPath: path,
        detail: "libhdf5 reports an unknown layout (\(rawLayout.rawValue))")
    }
    let filterCount = try HDF5Library.call(operation, at: site()) { H5Pget_nfilters(list.raw) }
    let filters = try (0..<filterCount).map { (index) throws(HDF5Error) -> HDF5DatasetStorage.Filter in
      var flags: UInt32 = 0
      var valueCount = 0
      var name = [CChar](repeating: 0, count: 257)
      var config: UInt32 = 0
      let filter = try HDF5Library.call(operation, at: site()) {
        H5Pget_filter2(list.raw, UInt32(index), &flags, &valueCount, nil, name.count - 1, &name, &config)
      }
      let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      return .init(id: Int(filter), name: text)
    }
    let externalCount = try HDF5Library.call(operation, at: site()) { H5Pget_external_count(list.raw) }
    // H5Dget_storage_size returns 0 both for "nothing allocated" and for
    // failure; either way no more than 0 bytes can be trusted to be there.
    let allocated = HDF5Library.locked { H5Dget_storage_size(id) }
    // HADDR_UNDEF (all ones) means "no address": not contiguous, or not allocated.
    let offset = layout == .contiguous ? HDF5Library.locked { H5Dget_offset(id) } : .max
    return HDF5DatasetStorage(
      layout: layout, filters: filters, externalFileCount: Int(externalCount),
      allocatedBytes: Int(clamping: allocated), fileOffset: offset == .max ? nil : Int(clamping: offset))
  }
}
