internal import CHDF5

/// A group or dataset inside an open file: the common part of ``HDF5Group``
/// and ``HDF5Dataset``, which carries attributes.
///
/// An object keeps its file open while it is alive and is closed when the
/// last reference goes away.
public class HDF5Object: @unchecked Sendable {
  let id: hid_t
  /// The file that holds this object.
  public let file: HDF5File
  /// The object's absolute path inside the file, for example `/model/dense_1`.
  public let path: String

  init(id: hid_t, file: HDF5File, path: String) {
    self.id = id
    self.file = file
    self.path = path
  }

  deinit { HDF5Library.release(id, with: H5Oclose) }

  func site(_ child: String? = nil) -> HDF5Library.Site {
    .init(file: file.path, path: child.map(childPath) ?? path)
  }

  func childPath(_ name: String) -> String {
    name.hasPrefix("/") ? name : (path == "/" ? "/" + name : path + "/" + name)
  }
}

// MARK: - Dataspaces

extension HDF5Library {
  /// A dataspace of the given shape: scalar for rank 0, simple otherwise.
  static func dataspace(_ shape: [Int], maxShape: [Int?]? = nil, at site: Site) throws(HDF5Error) -> ScopedID {
    if shape.contains(where: { $0 < 0 }) {
      throw HDF5Error(
        .invalidArgument, operation: "create dataspace", file: site.file, objectPath: site.path,
        detail: "shape \(shape) has a negative dimension")
    }
    let id: hid_t
    if shape.isEmpty {
      id = try call("create dataspace", at: site) { H5Screate(H5S_SCALAR) }
    } else {
      let dims = shape.map { hsize_t($0) }
      let limits = maxShape?.map { $0.map { hsize_t($0) } ?? bpk_H5S_UNLIMITED() }
      id = try call("create dataspace", at: site) {
        H5Screate_simple(Int32(dims.count), dims, limits)
      }
    }
    return ScopedID(id, .dataspace)
  }

  /// The dimensions of a dataspace (empty for scalars).
  static func shape(of space: borrowing ScopedID, at site: Site) throws(HDF5Error) -> [Int] {
    let rank = try call("read dataspace", at: site) { H5Sget_simple_extent_ndims(space.raw) }
    guard rank > 0 else { return [] }
    var dims = [hsize_t](repeating: 0, count: Int(rank))
    try call("read dataspace", at: site) { H5Sget_simple_extent_dims(space.raw, &dims, nil) }
    return dims.map { Int(clamping: $0) }
  }

  /// The data transfer property list of every dataset read or write of
  /// strings, with a conversion buffer of 64 KiB.
  ///
  /// Strings are converted on every transfer, and libhdf5's default list
  /// gives each transfer that converts a buffer of 1 MiB and a background
  /// buffer, zeroed, of up to 1 MiB more (`H5D__typeinfo_init`): for the
  /// few short strings of a bpkit file, clearing that memory cost more than
  /// the rest of the write, on every checkpoint and every model opened.
  /// Longer string arrays are converted in several passes.
  ///
  /// Created once, outside the lock: read it into a local before a ``call``.
  /// The corresponding HDF5 function is `H5Pset_buffer`.
  static let stringTransfer: hid_t = locked {
    let list = H5Pcreate(bpk_H5P_DATASET_XFER())
    guard list >= 0 else {
      H5Eclear2(bpk_H5E_DEFAULT())
      return bpk_H5P_DEFAULT()
    }
    guard H5Pset_buffer(list, 64 << 10, nil, nil) >= 0 else {
      H5Eclear2(bpk_H5E_DEFAULT())
      H5Pclose(list)
      return bpk_H5P_DEFAULT()
    }
    return list
  }

  /// A variable-length UTF-8 string type, made once and shared by every
  /// string attribute and dataset bpkit writes (libhdf5 copies a type into
  /// each object that uses it; this one is never changed or closed).
  ///
  /// - Throws: ``HDF5Error`` when libhdf5 could not make the type.
  static func variableStringType(at site: Site) throws(HDF5Error) -> hid_t {
    switch sharedStringType {
    case .success(let type): return type
    case .failure(let error):
      throw HDF5Error(
        .libraryFailure, operation: "create string type", file: site.file, objectPath: site.path,
        libraryMessages: error.libraryMessages)
    }
  }

  private static let sharedStringType: Result<hid_t, HDF5Error> = {
    let site = Site(file: "")
    do throws(HDF5Error) {
      let type = try call("create string type", at: site) { H5Tcopy(bpk_H5T_C_S1()) }
      do throws(HDF5Error) {
        try call("create string type", at: site) { H5Tset_size(type, bpk_H5T_VARIABLE()) }
        try call("create string type", at: site) { H5Tset_cset(type, H5T_CSET_UTF8) }
      } catch {
        release(type, with: H5Tclose)
        throw error
      }
      return .success(type)
    } catch {
      return .failure(error)
    }
  }()

  /// The creation property list of a plain dataset (contiguous, unfiltered,
  /// without creation or modification times), made once and shared: making
  /// and closing one per dataset was a tenth of the time libhdf5 took to
  /// build a small checkpoint. `nil` when libhdf5 could not make it; each
  /// dataset then gets a list of its own.
  ///
  /// The corresponding HDF5 function is `H5Pset_obj_track_times`.
  static let plainDatasetCreation: hid_t? = locked {
    let list = H5Pcreate(bpk_H5P_DATASET_CREATE())
    guard list >= 0 else {
      H5Eclear2(bpk_H5E_DEFAULT())
      return nil
    }
    guard H5Pset_obj_track_times(list, false) >= 0 else {
      H5Eclear2(bpk_H5E_DEFAULT())
      H5Pclose(list)
      return nil
    }
    return list
  }

  /// Reads strings (variable or fixed length) from an attribute or dataset
  /// whose stored type is `fileType`, using `read(memoryType, buffer)`.
  static func readStrings(
    fileType: borrowing ScopedID, count: Int, space: borrowing ScopedID, at site: Site,
    operation: String, read: (hid_t, UnsafeMutableRawPointer) -> herr_t
  ) throws(HDF5Error) -> [String] {
    let typeClass = locked { H5Tget_class(fileType.raw) }
    guard typeClass == H5T_STRING else {
      throw HDF5Error(
        .typeMismatch, operation: operation, file: site.file, objectPath: site.path,
        detail: "it holds numbers, not strings")
    }
    let isVariable = try call(operation, at: site) { H5Tis_variable_str(fileType.raw) } > 0
    let memoryType = ScopedID(try call(operation, at: site) { H5Tcopy(fileType.raw) }, .datatype)
    if isVariable {
      var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
      try typedThrows {
        try pointers.withUnsafeMutableBytes { buffer in
          try call(operation, at: site) { read(memoryType.raw, buffer.baseAddress!) }
        }
      }
      let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
      _ = locked { bpk_h5_reclaim(memoryType.raw, space.raw, &pointers) }
      return strings
    }
    let width = locked { H5Tget_size(fileType.raw) }
    let padding = locked { H5Tget_strpad(fileType.raw) }
    var bytes = [UInt8](repeating: 0, count: max(1, width * count))
    try typedThrows {
      try bytes.withUnsafeMutableBytes { buffer in
        try call(operation, at: site) { read(memoryType.raw, buffer.baseAddress!) }
      }
    }
    return (0..<count).map { index in
      var field = bytes[index * width..<(index + 1) * width]
      if let end = field.firstIndex(of: 0) { field = field[..<end] }
      if padding == H5T_STR_SPACEPAD {
        while field.last == 0x20 { field = field.dropLast() }
      }
      return String(decoding: field, as: UTF8.self)
    }
  }
}
