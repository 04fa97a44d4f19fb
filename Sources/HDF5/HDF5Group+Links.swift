internal import CHDF5

extension HDF5Group {
  /// Removes the link `name` from the group; the object it named is freed
  /// when no other link refers to it (its space is not reclaimed in the file).
  ///
  /// The corresponding HDF5 function is `H5Ldelete`.
  public func removeChild(_ name: String) throws(HDF5Error) {
    guard try contains(name) else {
      throw HDF5Error(.objectNotFound, operation: "remove", file: file.path, objectPath: childPath(name))
    }
    try HDF5Library.call("remove", at: site(name)) { H5Ldelete(id, name, bpk_H5P_DEFAULT()) }
  }

  /// Creates a soft link: `name` refers to the object at `target`, a path inside this file.
  ///
  /// The corresponding HDF5 function is `H5Lcreate_soft`.
  public func createSoftLink(_ name: String, to target: String) throws(HDF5Error) {
    try HDF5Library.call("create soft link", at: site(name)) {
      H5Lcreate_soft(target, id, name, bpk_H5P_DEFAULT(), bpk_H5P_DEFAULT())
    }
  }

  /// Creates an external link: `name` refers to the object at `objectPath` in the file at `filePath`.
  ///
  /// The corresponding HDF5 function is `H5Lcreate_external`.
  public func createExternalLink(_ name: String, toFile filePath: String, objectPath: String) throws(HDF5Error) {
    try HDF5Library.call("create external link", at: site(name)) {
      H5Lcreate_external(filePath, objectPath, id, name, bpk_H5P_DEFAULT(), bpk_H5P_DEFAULT())
    }
  }

  /// The path a soft link points to.
  ///
  /// - Throws: ``HDF5Error`` with kind `wrongObjectKind` when `name` is not a soft link.
  ///
  /// The corresponding HDF5 function is `H5Lget_val`.
  public func softLinkTarget(_ name: String) throws(HDF5Error) -> String {
    let operation = "read soft link"
    guard try kindOfChild(name) == .softLink else {
      throw HDF5Error(
        .wrongObjectKind, operation: operation, file: file.path, objectPath: childPath(name),
        detail: "it is not a soft link")
    }
    var buffer = [CChar](repeating: 0, count: 4096)
    try HDF5Library.call(operation, at: site(name)) {
      H5Lget_val(id, name, &buffer, buffer.count, bpk_H5P_DEFAULT())
    }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Creates a virtual dataset of the given shape whose elements are those of
  /// the whole dataset `sourcePath` in the file `sourceFile` (which may be
  /// `"."`, this file). Both must have the same shape.
  ///
  /// The corresponding HDF5 function is `H5Pset_virtual`.
  @discardableResult
  public func createVirtualDataset<T: HDF5Scalar>(
    _ name: String, of type: T.Type, shape: [Int], sourceFile: String, sourcePath: String
  ) throws(HDF5Error) -> HDF5Dataset {
    let operation = "create virtual dataset"
    let space = try HDF5Library.dataspace(shape, at: site(name))
    let sourceSpace = try HDF5Library.dataspace(shape, at: site(name))
    let list = ScopedID(
      try HDF5Library.call(operation, at: site(name)) { H5Pcreate(bpk_H5P_DATASET_CREATE()) }, .propertyList)
    try HDF5Library.call(operation, at: site(name)) {
      H5Pset_virtual(list.raw, space.raw, sourceFile, sourcePath, sourceSpace.raw)
    }
    let child = try HDF5Library.call(operation, at: site(name)) {
      H5Dcreate2(
        id, name, T.hdf5ElementType.fileType, space.raw, bpk_H5P_DEFAULT(), list.raw, bpk_H5P_DEFAULT())
    }
    return try HDF5Dataset(datasetID: child, file: file, path: childPath(name))
  }
}
