internal import CHDF5
import Foundation

extension HDF5Object {
  /// Whether the object has an attribute called `name`.
  ///
  /// The corresponding HDF5 function is `H5Aexists`.
  public func hasAttribute(_ name: String) throws(HDF5Error) -> Bool {
    try HDF5Library.call("check attribute '\(name)' of", at: site()) { H5Aexists(id, name) } > 0
  }

  /// The names of the object's attributes, in creation or name order.
  public func attributeNames() throws(HDF5Error) -> [String] {
    let count = try HDF5Library.call("list attributes of", at: site()) { H5Aget_num_attrs(id) }
    return try (0..<Int(count)).map { (index) throws(HDF5Error) in
      try HDF5Library.nameByIndex(at: site(), operation: "list attributes of") { buffer, size in
        H5Aget_name_by_idx(
          id, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), buffer, size, bpk_H5P_DEFAULT())
      }
    }
  }

  /// Deletes the attribute `name` if it exists.
  ///
  /// The corresponding HDF5 function is `H5Adelete`.
  public func removeAttribute(_ name: String) throws(HDF5Error) {
    guard try hasAttribute(name) else { return }
    try HDF5Library.call("delete attribute '\(name)' of", at: site()) { H5Adelete(id, name) }
  }

  // MARK: Writing

  /// Sets a numeric scalar attribute, replacing any attribute of that name.
  public func setAttribute<T: HDF5Scalar>(_ name: String, to value: T) throws(HDF5Error) {
    var value = value
    try writeAttribute(name, type: T.hdf5ElementType.fileType, shape: []) {
      (attribute) throws(HDF5Error) -> Void in
      try HDF5Library.call("write attribute '\(name)' of", at: site()) {
        H5Awrite(attribute, T.hdf5ElementType.nativeType, &value)
      }
    }
  }

  /// Sets a one-dimensional numeric attribute, replacing any attribute of that name.
  public func setAttribute<T: HDF5Scalar>(_ name: String, to values: [T]) throws(HDF5Error) {
    try writeAttribute(name, type: T.hdf5ElementType.fileType, shape: [values.count]) {
      (attribute) throws(HDF5Error) in
      try typedThrows {
        try values.withUnsafeBytes { buffer in
          try HDF5Library.call("write attribute '\(name)' of", at: site()) {
            H5Awrite(attribute, T.hdf5ElementType.nativeType, buffer.baseAddress)
          }
        }
      }
    }
  }

  /// Sets a variable-length UTF-8 string attribute, replacing any attribute of that name.
  public func setAttribute(_ name: String, to value: String) throws(HDF5Error) {
    try setStringAttribute(name, [value], shape: [])
  }

  /// Sets a one-dimensional attribute of variable-length UTF-8 strings.
  public func setAttribute(_ name: String, to values: [String]) throws(HDF5Error) {
    try setStringAttribute(name, values, shape: [values.count])
  }

  // MARK: Reading

  /// Reads a numeric scalar attribute.
  ///
  /// - Throws: ``HDF5Error`` with kind `objectNotFound` when the attribute is
  ///   missing, `typeMismatch` when it holds another type, `shapeMismatch`
  ///   when it holds more than one value.
  public func attribute<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws(HDF5Error) -> T {
    let values: [T] = try attributeArray(name)
    guard values.count == 1 else {
      throw HDF5Error(
        .shapeMismatch, operation: "read attribute '\(name)' of", file: file.path,
        objectPath: path, detail: "expected one value, found \(values.count)")
    }
    return values[0]
  }

  /// Reads a numeric attribute of any shape as a flat array.
  public func attributeArray<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws(HDF5Error) -> [T] {
    let operation = "read attribute '\(name)' of"
    let attribute = try openAttribute(name, operation: operation)
    let fileType = ScopedID(try HDF5Library.call(operation, at: site()) { H5Aget_type(attribute.raw) }, .datatype)
    let stored = HDF5Library.locked { HDF5ElementType.matching(fileType.raw) }
    guard stored == T.hdf5ElementType else {
      throw HDF5Error(
        .typeMismatch, operation: operation, file: file.path, objectPath: path,
        detail: "it holds \(stored?.description ?? "a non-numeric type"), not \(T.hdf5ElementType)")
    }
    let count = try elementCount(of: attribute, operation: operation)
    return try typedThrows {
      try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        if count > 0 {
          try HDF5Library.call(operation, at: site()) {
            H5Aread(attribute.raw, T.hdf5ElementType.nativeType, buffer.baseAddress!)
          }
        }
        initialized = count
      }
    }
  }

  /// Whether the attribute `name` holds strings, numbers bpkit reads
  /// (``HDF5ElementType``), or something else (compound, enum, reference...).
  ///
  /// The corresponding HDF5 functions are `H5Aget_type` and `H5Tget_class`.
  public func attributeContent(_ name: String) throws(HDF5Error) -> HDF5AttributeContent {
    let operation = "inspect attribute '\(name)' of"
    let attribute = try openAttribute(name, operation: operation)
    let fileType = ScopedID(try HDF5Library.call(operation, at: site()) { H5Aget_type(attribute.raw) }, .datatype)
    return HDF5Library.locked {
      if H5Tget_class(fileType.raw) == H5T_STRING { return .strings }
      return HDF5ElementType.matching(fileType.raw).map { .numbers($0) } ?? .other
    }
  }

  /// Reads a string attribute, variable or fixed length.
  public func stringAttribute(_ name: String) throws(HDF5Error) -> String {
    let strings = try stringArrayAttribute(name)
    guard strings.count == 1 else {
      throw HDF5Error(
        .shapeMismatch, operation: "read attribute '\(name)' of", file: file.path,
        objectPath: path, detail: "expected one string, found \(strings.count)")
    }
    return strings[0]
  }

  /// Reads a string attribute of any shape, variable or fixed length, as a flat array.
  ///
  /// Keras stores layer and weight names this way, as fixed-length byte strings.
  public func stringArrayAttribute(_ name: String) throws(HDF5Error) -> [String] {
    let operation = "read attribute '\(name)' of"
    let attribute = try openAttribute(name, operation: operation)
    let fileType = ScopedID(try HDF5Library.call(operation, at: site()) { H5Aget_type(attribute.raw) }, .datatype)
    let space = ScopedID(try HDF5Library.call(operation, at: site()) { H5Aget_space(attribute.raw) }, .dataspace)
    let count = try elementCount(of: attribute, operation: operation)
    return try HDF5Library.readStrings(
      fileType: fileType, count: count, space: space, at: site(), operation: operation
    ) { memoryType, buffer in H5Aread(attribute.raw, memoryType, buffer) }
  }

  // MARK: Helpers

  private func openAttribute(_ name: String, operation: String) throws(HDF5Error) -> ScopedID {
    guard try hasAttribute(name) else {
      throw HDF5Error(
        .objectNotFound, operation: operation, file: file.path, objectPath: path,
        detail: "there is no attribute '\(name)'")
    }
    return ScopedID(
      try HDF5Library.call(operation, at: site()) { H5Aopen(id, name, bpk_H5P_DEFAULT()) }, .attribute)
  }

  private func elementCount(of attribute: borrowing ScopedID, operation: String) throws(HDF5Error) -> Int {
    let space = ScopedID(try HDF5Library.call(operation, at: site()) { H5Aget_space(attribute.raw) }, .dataspace)
    return Int(try HDF5Library.call(operation, at: site()) { H5Sget_simple_extent_npoints(space.raw) })
  }

  /// Creates the attribute `name` and fills it through `write`, replacing
  /// any attribute of that name.
  ///
  /// The attribute is created first and an existing one looked for only
  /// when that fails: an object just made (every attribute bpkit writes
  /// into a new file) then costs one call, not two.
  private func writeAttribute(
    _ name: String, type: hid_t, shape: [Int], write: (hid_t) throws(HDF5Error) -> Void
  ) throws(HDF5Error) {
    let space = try HDF5Library.dataspace(shape, at: site())
    let created = HDF5Library.locked {
      let attribute = H5Acreate2(id, name, type, space.raw, bpk_H5P_DEFAULT(), bpk_H5P_DEFAULT())
      if attribute < 0 { H5Eclear2(bpk_H5E_DEFAULT()) }
      return attribute
    }
    let attribute: ScopedID
    if created >= 0 {
      attribute = ScopedID(created, .attribute)
    } else {
      try removeAttribute(name)
      attribute = ScopedID(
        try HDF5Library.call("create attribute '\(name)' of", at: site()) {
          H5Acreate2(id, name, type, space.raw, bpk_H5P_DEFAULT(), bpk_H5P_DEFAULT())
        }, .attribute)
    }
    try write(attribute.raw)
  }

  private func setStringAttribute(_ name: String, _ values: [String], shape: [Int]) throws(HDF5Error) {
    let type = try HDF5Library.variableStringType(at: site())
    try writeAttribute(name, type: type, shape: shape) { (attribute) throws(HDF5Error) in
      _ = try HDF5Library.withCStringArray(values) { (pointers) throws(HDF5Error) in
        try HDF5Library.call("write attribute '\(name)' of", at: site()) {
          H5Awrite(attribute, type, pointers)
        }
      }
    }
  }
}

extension HDF5Library {
  /// Calls `body` with an array of C string pointers valid for the call.
  static func withCStringArray<R>(
    _ strings: [String], _ body: (UnsafeRawPointer) throws(HDF5Error) -> R
  ) throws(HDF5Error) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return try typedThrows {
      try copies.withUnsafeBytes { buffer in
        try body(buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)
      }
    }
  }

  /// Reads a name that libhdf5 returns through the usual "ask for the length,
  /// then fill a buffer" protocol.
  static func nameByIndex(
    at site: Site, operation: String, _ get: (UnsafeMutablePointer<CChar>?, Int) -> Int
  ) throws(HDF5Error) -> String {
    let length = try call(operation, at: site) { get(nil, 0) }
    var buffer = [CChar](repeating: 0, count: length + 1)
    try call(operation, at: site) { get(&buffer, length + 1) }
    return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
