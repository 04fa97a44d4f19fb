internal import CHDF5

/// A dataset: an n-dimensional array of numbers or strings inside an HDF5 file.
///
/// Reads and writes go straight between the caller's contiguous buffer and
/// libhdf5, without intermediate copies. A read checks the stored element
/// type and element count first, so a mismatch is an error, never a silent
/// conversion or an overrun.
public final class HDF5Dataset: HDF5Object, @unchecked Sendable {
  /// The dimensions; empty for a scalar.
  public let shape: [Int]
  /// The stored numeric type, or `nil` when the dataset holds strings or
  /// another type that the module does not map.
  public let elementType: HDF5ElementType?
  /// Whether the dataset holds strings (fixed or variable length).
  public let holdsStrings: Bool

  init(datasetID id: hid_t, file: HDF5File, path: String) throws(HDF5Error) {
    let site = HDF5Library.Site(file: file.path, path: path)
    let operation = "open dataset"
    let space = ScopedID(try HDF5Library.call(operation, at: site) { H5Dget_space(id) }, .dataspace)
    let type = ScopedID(try HDF5Library.call(operation, at: site) { H5Dget_type(id) }, .datatype)
    self.shape = try HDF5Library.shape(of: space, at: site)
    (self.elementType, self.holdsStrings) = HDF5Library.locked {
      (HDF5ElementType.matching(type.raw), H5Tget_class(type.raw) == H5T_STRING)
    }
    super.init(id: id, file: file, path: path)
  }

  /// A dataset just created with `shape` and a stored type that
  /// `elementType` and `holdsStrings` describe, without asking libhdf5 back.
  init(
    createdID id: hid_t, file: HDF5File, path: String, shape: [Int], elementType: HDF5ElementType?,
    holdsStrings: Bool
  ) {
    self.shape = shape
    self.elementType = elementType
    self.holdsStrings = holdsStrings
    super.init(id: id, file: file, path: path)
  }

  /// Where the dataset's elements start in the file, when they lie there
  /// in one unfiltered block (a contiguous dataset whose data is written),
  /// or `nil`: compact, chunked (so possibly filtered), external or virtual
  /// storage, or no data yet. Cheaper than ``storage()`` when only the
  /// offset is needed.
  ///
  /// The corresponding HDF5 function is `H5Dget_offset`.
  public var contiguousOffset: Int? {
    // HADDR_UNDEF (all ones) for every layout but contiguous data in this file.
    let offset = HDF5Library.locked {
      let offset = H5Dget_offset(id)
      if offset == .max { H5Eclear2(bpk_H5E_DEFAULT()) }
      return offset
    }
    return offset == .max ? nil : Int(clamping: offset)
  }

  /// The number of elements: the product of ``shape`` (1 for a scalar).
  ///
  /// - Throws: ``HDF5Error`` with kind `corrupt` when the product does not
  ///   fit in an `Int`, as a damaged or hostile file can declare.
  public var elementCount: Int {
    get throws(HDF5Error) {
      guard let count = Self.checkedCount(of: shape) else {
        throw HDF5Error(
          .corrupt, operation: "count the elements of", file: file.path, objectPath: path,
          detail: "its shape \(shape) declares more elements than a program can address")
      }
      return count
    }
  }

  /// The product of `shape` and `elementSize`, or `nil` when it overflows
  /// `Int` or a dimension is negative: the one checked count of elements
  /// (`elementSize` 1) or bytes that callers use for declared shapes.
  public static func checkedCount(of shape: [Int], elementSize: Int = 1) -> Int? {
    var product = elementSize
    for dimension in shape {
      guard dimension >= 0 else { return nil }
      let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
      if overflow { return nil }
      product = next
    }
    return product
  }

  // MARK: Numbers

  /// Reads the whole dataset into a new array.
  ///
  /// - Throws: ``HDF5Error`` with kind `typeMismatch` when the stored type is not `T`.
  public func read<T: HDF5Scalar>(as type: T.Type = T.self) throws(HDF5Error) -> [T] {
    let count = try elementCount
    return try typedThrows {
      try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        try read(into: buffer)
        initialized = count
      }
    }
  }

  /// Reads the whole dataset into `buffer`, which must hold exactly ``elementCount`` elements.
  ///
  /// - Throws: ``HDF5Error`` with kind `typeMismatch` or `shapeMismatch`.
  ///
  /// The corresponding HDF5 function is `H5Dread`.
  public func read<T: HDF5Scalar>(into buffer: UnsafeMutableBufferPointer<T>) throws(HDF5Error) {
    try requireType(T.self, operation: "read dataset")
    try requireCount(buffer.count, try elementCount, operation: "read dataset")
    guard buffer.count > 0 else { return }
    try HDF5Library.call("read dataset", at: site()) {
      H5Dread(
        id, T.hdf5ElementType.nativeType, bpk_H5S_ALL(), bpk_H5S_ALL(), bpk_H5P_DEFAULT(),
        buffer.baseAddress)
    }
  }

  /// Reads the rows `rows` (along the first dimension) into `buffer`, which
  /// must hold exactly `rows.count` times the size of one row.
  ///
  /// This is how large datasets are streamed in pieces.
  public func readRows<T: HDF5Scalar>(_ rows: Range<Int>, into buffer: UnsafeMutableBufferPointer<T>)
    throws(HDF5Error)
  {
    try transferRows(
      rows, T.self, count: buffer.count, operation: "read rows \(rows.lowerBound)..<\(rows.upperBound) of dataset"
    ) { memorySpace, fileSpace in
      H5Dread(id, T.hdf5ElementType.nativeType, memorySpace, fileSpace, bpk_H5P_DEFAULT(), buffer.baseAddress)
    }
  }

  /// Writes the whole dataset from `values`.
  public func write<T: HDF5Scalar>(_ values: [T]) throws(HDF5Error) {
    try typedThrows { try values.withUnsafeBufferPointer { buffer in try write(buffer) } }
  }

  /// Writes the whole dataset from `buffer`, which must hold exactly ``elementCount`` elements.
  ///
  /// The corresponding HDF5 function is `H5Dwrite`.
  public func write<T: HDF5Scalar>(_ buffer: UnsafeBufferPointer<T>) throws(HDF5Error) {
    try requireType(T.self, operation: "write dataset")
    try requireCount(buffer.count, try elementCount, operation: "write dataset")
    guard buffer.count > 0 else { return }
    try HDF5Library.call("write dataset", at: site()) {
      H5Dwrite(
        id, T.hdf5ElementType.nativeType, bpk_H5S_ALL(), bpk_H5S_ALL(), bpk_H5P_DEFAULT(),
        buffer.baseAddress)
    }
  }

  /// Writes rows `rows` (along the first dimension) from `buffer`, which
  /// must hold exactly those rows: a large dataset written piece by piece
  /// from one buffer.
  ///
  /// The corresponding HDF5 functions are `H5Sselect_hyperslab` and `H5Dwrite`.
  public func writeRows<T: HDF5Scalar>(_ rows: Range<Int>, from buffer: UnsafeBufferPointer<T>) throws(HDF5Error) {
    try transferRows(
      rows, T.self, count: buffer.count, operation: "write rows \(rows.lowerBound)..<\(rows.upperBound) of dataset"
    ) { memorySpace, fileSpace in
      H5Dwrite(id, T.hdf5ElementType.nativeType, memorySpace, fileSpace, bpk_H5P_DEFAULT(), buffer.baseAddress)
    }
  }

  /// Moves rows `rows` (along the first dimension) of `type` between the
  /// dataset and a buffer of `count` elements, by `transfer` (`H5Dread` or
  /// `H5Dwrite`, given the buffer's dataspace and the file's with those rows
  /// selected), after checking the type, the rows against the shape, and
  /// that `count` is exactly those rows.
  private func transferRows<T: HDF5Scalar>(
    _ rows: Range<Int>, _ type: T.Type, count: Int, operation: String, _ transfer: (hid_t, hid_t) -> herr_t
  ) throws(HDF5Error) {
    try requireType(T.self, operation: operation)
    guard let first = shape.first, rows.lowerBound >= 0, rows.upperBound <= first else {
      throw HDF5Error(
        .invalidArgument, operation: operation, file: file.path, objectPath: path,
        detail: "the dataset has shape \(shape)")
    }
    try requireCount(count, rows.count * shape.dropFirst().reduce(1, *), operation: operation)
    guard count > 0 else { return }
    let fileSpace = ScopedID(try HDF5Library.call(operation, at: site()) { H5Dget_space(id) }, .dataspace)
    var start = [hsize_t](repeating: 0, count: shape.count)
    start[0] = hsize_t(rows.lowerBound)
    var selected = shape.map { hsize_t($0) }
    selected[0] = hsize_t(rows.count)
    try HDF5Library.call(operation, at: site()) {
      H5Sselect_hyperslab(fileSpace.raw, H5S_SELECT_SET, start, nil, selected, nil)
    }
    let memorySpace = try HDF5Library.dataspace([count], at: site())
    try HDF5Library.call(operation, at: site()) { transfer(memorySpace.raw, fileSpace.raw) }
  }

  // MARK: Strings

  /// Reads a dataset of strings (fixed or variable length) as a flat array.
  public func readStrings() throws(HDF5Error) -> [String] {
    let operation = "read dataset"
    let type = ScopedID(try HDF5Library.call(operation, at: site()) { H5Dget_type(id) }, .datatype)
    let space = ScopedID(try HDF5Library.call(operation, at: site()) { H5Dget_space(id) }, .dataspace)
    let transfer = HDF5Library.stringTransfer
    return try HDF5Library.readStrings(
      fileType: type, count: try elementCount, space: space, at: site(), operation: operation
    ) { memoryType, buffer in
      H5Dread(id, memoryType, bpk_H5S_ALL(), bpk_H5S_ALL(), transfer, buffer)
    }
  }

  /// Reads a scalar string dataset.
  public func readString() throws(HDF5Error) -> String {
    let strings = try readStrings()
    guard strings.count == 1 else {
      throw HDF5Error(
        .shapeMismatch, operation: "read dataset", file: file.path, objectPath: path,
        detail: "expected one string, found \(strings.count)")
    }
    return strings[0]
  }

  // MARK: Checks

  private func requireType<T: HDF5Scalar>(_ type: T.Type, operation: String) throws(HDF5Error) {
    guard elementType == T.hdf5ElementType else {
      let stored = elementType?.description ?? (holdsStrings ? "strings" : "an unsupported type")
      throw HDF5Error(
        .typeMismatch, operation: operation, file: file.path, objectPath: path,
        detail: "it holds \(stored), not \(T.hdf5ElementType)")
    }
  }

  private func requireCount(_ given: Int, _ expected: Int, operation: String) throws(HDF5Error) {
    guard given == expected else {
      throw HDF5Error(
        .shapeMismatch, operation: operation, file: file.path, objectPath: path,
        detail: "the buffer holds \(given) elements, the selection \(expected) (shape \(shape))")
    }
  }
}
