internal import CHDF5

/// A group: a folder of named groups and datasets inside an HDF5 file.
public final class HDF5Group: HDF5Object, @unchecked Sendable {
  /// What a child name in a group refers to.
  public enum ChildKind: Sendable, Equatable {
    /// A group, which holds further children.
    case group
    /// A dataset, which holds an array of elements.
    case dataset
    /// A named datatype or another object that is neither group nor dataset.
    case other
    /// A soft link (a path inside the file).
    case softLink
    /// A link into another file.
    case externalLink
  }

  // MARK: Children

  /// The names of the group's direct children, in name order.
  ///
  /// The names are read in one pass over the group, so listing costs time
  /// in proportion to the number of children.
  ///
  /// The corresponding HDF5 function is `H5Literate`.
  public func children() throws(HDF5Error) -> [String] {
    final class Names { var list: [String] = [] }
    let names = Names()
    let visitor: bpk_h5_name_visitor = { name, context in
      guard let name, let context else { return -1 }
      Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().list.append(String(cString: name))
      return 0
    }
    try withExtendedLifetime(names) { () throws(HDF5Error) in
      try HDF5Library.call("list group", at: site()) {
        bpk_h5_link_names(id, visitor, Unmanaged.passUnretained(names).toOpaque())
      }
    }
    return names.list
  }

  /// Identifies the object the hard link `name` points to: two links name
  /// the same object exactly when their identities are equal, which is how
  /// a walk of a file notices a group that contains itself.
  ///
  /// The corresponding HDF5 function is `H5Oget_info_by_name`.
  public func identityOfChild(_ name: String) throws(HDF5Error) -> HDF5ObjectIdentity {
    var fileNumber: UInt = 0
    var address: UInt64 = 0
    try HDF5Library.call("inspect", at: site(name)) {
      bpk_h5_object_identity(id, name, &fileNumber, &address)
    }
    return HDF5ObjectIdentity(fileNumber: UInt64(fileNumber), address: address)
  }

  /// Whether a child exists at `name`, which may be a relative path such as `a/b/c`.
  ///
  /// Unlike `H5Lexists`, a missing intermediate group answers `false` rather
  /// than failing. Links are not followed out of the file.
  public func contains(_ name: String) throws(HDF5Error) -> Bool {
    var prefix = ""
    for component in name.split(separator: "/") {
      prefix += prefix.isEmpty ? String(component) : "/" + component
      let exists = try HDF5Library.call("look up", at: site(prefix)) {
        H5Lexists(id, prefix, bpk_H5P_DEFAULT())
      }
      guard exists > 0 else { return false }
    }
    return !prefix.isEmpty
  }

  /// What the child `name` is. Links are inspected, not followed.
  ///
  /// - Throws: ``HDF5Error`` with kind `objectNotFound` when there is no such child.
  public func kindOfChild(_ name: String) throws(HDF5Error) -> ChildKind {
    try requireChild(name, operation: "inspect")
    let link = HDF5Library.locked { bpk_h5_link_type(id, name) }
    switch link {
    case H5L_TYPE_SOFT: return .softLink
    case H5L_TYPE_EXTERNAL: return .externalLink
    case H5L_TYPE_HARD: break
    default:
      throw HDF5Error(.libraryFailure, operation: "inspect", file: file.path, objectPath: childPath(name))
    }
    var type = H5O_TYPE_UNKNOWN
    try HDF5Library.call("inspect", at: site(name)) { bpk_h5_object_type(id, name, &type) }
    switch type {
    case H5O_TYPE_GROUP: return .group
    case H5O_TYPE_DATASET: return .dataset
    default: return .other
    }
  }

  // MARK: Groups

  /// Creates a child group.
  ///
  /// - Throws: ``HDF5Error`` with kind `alreadyExists` when the name is taken.
  ///
  /// The corresponding HDF5 function is `H5Gcreate2`.
  @discardableResult
  public func createGroup(_ name: String) throws(HDF5Error) -> HDF5Group {
    let child = try createNew(name, operation: "create group") {
      H5Gcreate2(id, name, bpk_H5P_DEFAULT(), bpk_H5P_DEFAULT(), bpk_H5P_DEFAULT())
    }
    return HDF5Group(id: child, file: file, path: childPath(name))
  }

  /// Opens a child group; `name` may be a relative path such as `a/b`.
  ///
  /// - Throws: ``HDF5Error`` with kind `objectNotFound` when it does not exist,
  ///   `wrongObjectKind` when it is not a group.
  ///
  /// The corresponding HDF5 function is `H5Gopen2`.
  public func openGroup(_ name: String) throws(HDF5Error) -> HDF5Group {
    try requireKind(name, .group, operation: "open group")
    let child = try HDF5Library.call("open group", at: site(name)) {
      H5Gopen2(id, name, bpk_H5P_DEFAULT())
    }
    return HDF5Group(id: child, file: file, path: childPath(name))
  }

  // MARK: Datasets

  /// Creates a dataset of the given element type and shape, without writing data.
  ///
  /// - Parameters:
  ///   - name: The child name.
  ///   - type: The element type.
  ///   - shape: The dimensions; empty for a scalar.
  ///   - options: Chunking, compression and checksums.
  /// - Throws: ``HDF5Error`` when the name is taken or the options do not fit the shape.
  ///
  /// The corresponding HDF5 function is `H5Dcreate2`.
  public func createDataset<T: HDF5Scalar>(
    _ name: String, of type: T.Type, shape: [Int], options: HDF5DatasetOptions = .init()
  ) throws(HDF5Error) -> HDF5Dataset {
    try createDataset(
      name, fileType: T.hdf5ElementType.fileType, shape: shape, options: options, elementType: T.hdf5ElementType,
      holdsStrings: false)
  }

  /// Creates a dataset that can grow: `maxShape` gives each dimension's
  /// limit, `nil` for unlimited. Growable datasets must be chunked.
  func createDataset<T: HDF5Scalar>(
    _ name: String, of type: T.Type, shape: [Int], maxShape: [Int?], options: HDF5DatasetOptions
  ) throws(HDF5Error) -> HDF5Dataset {
    try createDataset(
      name, fileType: T.hdf5ElementType.fileType, shape: shape, maxShape: maxShape, options: options,
      elementType: T.hdf5ElementType, holdsStrings: false)
  }

  /// Creates a dataset and writes `values` into it.
  ///
  /// - Throws: ``HDF5Error`` with kind `shapeMismatch` when `values.count` is
  ///   not the product of `shape`.
  @discardableResult
  public func write<T: HDF5Scalar>(
    _ values: [T], shape: [Int], to name: String, options: HDF5DatasetOptions = .init()
  ) throws(HDF5Error) -> HDF5Dataset {
    try typedThrows {
      try values.withUnsafeBufferPointer { buffer in
        try write(buffer, shape: shape, to: name, options: options)
      }
    }
  }

  /// Creates a dataset and writes the contents of `buffer` into it, without copying.
  @discardableResult
  public func write<T: HDF5Scalar>(
    _ buffer: UnsafeBufferPointer<T>, shape: [Int], to name: String,
    options: HDF5DatasetOptions = .init()
  ) throws(HDF5Error) -> HDF5Dataset {
    let expected = shape.reduce(1, *)
    guard buffer.count == expected else {
      throw HDF5Error(
        .shapeMismatch, operation: "write dataset", file: file.path, objectPath: childPath(name),
        detail: "\(buffer.count) values do not fill shape \(shape) (\(expected) elements)")
    }
    let dataset = try createDataset(name, of: T.self, shape: shape, options: options)
    try dataset.write(buffer)
    return dataset
  }

  /// Creates a scalar dataset holding one variable-length UTF-8 string.
  ///
  /// Datasets have no size limit, unlike attributes (64 KB in object headers),
  /// which makes them the place for long texts such as JSON documents.
  @discardableResult
  public func writeString(_ value: String, to name: String) throws(HDF5Error) -> HDF5Dataset {
    try writeStrings([value], shape: [], to: name)
  }

  /// Creates a dataset of variable-length UTF-8 strings.
  @discardableResult
  public func writeStrings(_ values: [String], shape: [Int]? = nil, to name: String) throws(HDF5Error)
    -> HDF5Dataset
  {
    let type = try HDF5Library.variableStringType(at: site(name))
    let dataset = try createDataset(
      name, fileType: type, shape: shape ?? [values.count], options: .init(), elementType: nil, holdsStrings: true)
    let transfer = HDF5Library.stringTransfer
    _ = try HDF5Library.withCStringArray(values) { (pointers) throws(HDF5Error) in
      try HDF5Library.call("write dataset", at: site(name)) {
        H5Dwrite(dataset.id, type, bpk_H5S_ALL(), bpk_H5S_ALL(), transfer, pointers)
      }
    }
    return dataset
  }

  /// Opens a child dataset; `name` may be a relative path such as `a/b`.
  ///
  /// - Throws: ``HDF5Error`` with kind `objectNotFound` when it does not exist,
  ///   `wrongObjectKind` when it is not a dataset.
  ///
  /// The corresponding HDF5 function is `H5Dopen2`.
  public func openDataset(_ name: String) throws(HDF5Error) -> HDF5Dataset {
    try requireKind(name, .dataset, operation: "open dataset")
    let child = try HDF5Library.call("open dataset", at: site(name)) {
      H5Dopen2(id, name, bpk_H5P_DEFAULT())
    }
    return try HDF5Dataset(datasetID: child, file: file, path: childPath(name))
  }

  // MARK: Helpers

  /// Creates a dataset whose stored type is `fileType`, described by
  /// `elementType` and `holdsStrings` (so that it need not be asked back).
  private func createDataset(
    _ name: String, fileType: hid_t, shape: [Int], maxShape: [Int?]? = nil, options: HDF5DatasetOptions,
    elementType: HDF5ElementType?, holdsStrings: Bool
  ) throws(HDF5Error) -> HDF5Dataset {
    let operation = "create dataset"
    let space = try HDF5Library.dataspace(shape, maxShape: maxShape, at: site(name))
    let child: hid_t
    if options == .init(), let shared = HDF5Library.plainDatasetCreation {
      child = try createNew(name, operation: operation) {
        H5Dcreate2(id, name, fileType, space.raw, bpk_H5P_DEFAULT(), shared, bpk_H5P_DEFAULT())
      }
    } else {
      let elementSize = HDF5Library.locked { H5Tget_size(fileType) }
      let creation = try options.creationProperties(shape: shape, elementSize: elementSize, at: site(name))
      child = try createNew(name, operation: operation) {
        H5Dcreate2(id, name, fileType, space.raw, bpk_H5P_DEFAULT(), creation.raw, bpk_H5P_DEFAULT())
      }
    }
    return HDF5Dataset(
      createdID: child, file: file, path: childPath(name), shape: shape, elementType: elementType,
      holdsStrings: holdsStrings)
  }

  /// Creates the child `name` through `create`, a libhdf5 call that fails
  /// when the name is taken, and tells that case apart only when it fails:
  /// looking the name up first cost every new object a second traversal.
  ///
  /// - Throws: ``HDF5Error`` with kind `invalidArgument` for an empty name,
  ///   `alreadyExists` when the name is taken, or libhdf5's own failure.
  private func createNew(_ name: String, operation: String, _ create: () -> hid_t) throws(HDF5Error) -> hid_t {
    guard !name.isEmpty else {
      throw HDF5Error(
        .invalidArgument, operation: operation, file: file.path, objectPath: path,
        detail: "the name is empty")
    }
    do {
      return try HDF5Library.call(operation, at: site(name), create)
    } catch {
      if (try? contains(name)) == true {
        throw HDF5Error(.alreadyExists, operation: operation, file: file.path, objectPath: childPath(name))
      }
      throw error
    }
  }

  private func requireChild(_ name: String, operation: String) throws(HDF5Error) {
    guard try contains(name) else {
      throw HDF5Error(.objectNotFound, operation: operation, file: file.path, objectPath: childPath(name))
    }
  }

  private func requireKind(_ name: String, _ kind: ChildKind, operation: String) throws(HDF5Error) {
    let actual = try kindOfChild(name)
    guard actual == kind else {
      throw HDF5Error(
        .wrongObjectKind, operation: operation, file: file.path, objectPath: childPath(name),
        detail: "it is a \(actual), not a \(kind)")
    }
  }
}
