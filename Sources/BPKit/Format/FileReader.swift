import Foundation
import HDF5

/// Reads the parts of a bpkit file, turning each problem into a
/// ``FormatError`` that names the file and the object.
///
/// Opening runs the loading policy (``OpeningPolicy``) over the whole file
/// before anything else is read.
struct FileReader {
  let path: String
  let file: HDF5File
  let root: HDF5Group
  let kind: BPKitFileKind
  let version: FormatVersion
  /// The precision of the weights and optimizer slots (format 1.5's root
  /// `dtype` attribute; float32 without it).
  let dtype: DType

  /// Rows of a tensor read per call: small enough to still be in the
  /// processor's cache when its checksum is computed right after.
  static let sliceBytes = 2 << 20

  init(path: String, trust: FileTrust) throws {
    try self.init(file: try OpeningPolicy.openHDF5(path, trust: trust), path: path)
  }

  /// Reads the root attributes of a file already opened by ``OpeningPolicy/openHDF5(_:trust:checkStructure:)``.
  init(file: HDF5File, path: String) throws {
    self.path = path
    self.file = file
    root = try file.root
    guard try root.hasAttribute(FileLayout.kindAttribute) else { throw FormatError.notBPKitFile(file: path) }
    let kindText = try Self.string(root, FileLayout.kindAttribute, file: path)
    guard try root.hasAttribute(FileLayout.versionAttribute) else {
      throw FormatError.missingAttribute(file: path, path: "/", name: FileLayout.versionAttribute)
    }
    let versionText = try Self.string(root, FileLayout.versionAttribute, file: path)
    guard let version = FormatVersion(versionText) else {
      throw FormatError.invalidFormatVersion(file: path, value: versionText)
    }
    guard version.isReadable else {
      throw FormatError.newerFormatVersion(file: path, found: version, supported: .current)
    }
    guard let kind = BPKitFileKind(rawValue: kindText) else {
      throw FormatError.unknownKind(file: path, kind: kindText)
    }
    self.kind = kind
    self.version = version
    if try root.hasAttribute(FileLayout.dtypeAttribute) {
      let text = try Self.string(root, FileLayout.dtypeAttribute, file: path)
      guard let dtype = DType(rawValue: text) else {
        throw FormatError.invalidValue(
          file: path, path: "/@\(FileLayout.dtypeAttribute)",
          reason: "'\(text)' is not a dtype bpkit knows (float32, float64)")
      }
      self.dtype = dtype
    } else {
      dtype = .float32
    }
  }

  static func fileSize(_ path: String) -> Int {
    var status = stat()
    return stat(path, &status) == 0 ? Int(status.st_size) : 0
  }

  func require(_ expected: BPKitFileKind) throws {
    guard kind == expected else {
      throw FormatError.wrongKind(file: path, expected: expected.rawValue, found: kind.rawValue)
    }
  }

  // MARK: Objects

  func group(_ groupPath: String) throws -> HDF5Group {
    guard try root.contains(groupPath), try root.kindOfChild(groupPath) == .group else {
      throw FormatError.missingObject(file: path, path: "/" + groupPath)
    }
    return try root.openGroup(groupPath)
  }

  func dataset(_ name: String, in group: HDF5Group) throws -> HDF5Dataset {
    guard try group.contains(name), try group.kindOfChild(name) == .dataset else {
      throw FormatError.missingObject(file: path, path: Self.join(group.path, name))
    }
    return try group.openDataset(name)
  }

  /// The names at the root that the layout of this file's kind does not
  /// define (FileLayout): a newer minor version's additions, or another
  /// program's. Readers ignore them; `inspect` lists them.
  func undefinedRootObjects() throws -> [String] {
    var defined: Set<String> = [
      FileLayout.network, FileLayout.weights, FileLayout.featureNames, FileLayout.classNames,
    ]
    if kind == .checkpoint {
      defined.formUnion([
        FileLayout.optimizer, FileLayout.training, FileLayout.progress, FileLayout.history, FileLayout.data,
        FileLayout.validationData,
      ])
    }
    return try root.children().filter { !defined.contains($0) }
  }

  static func join(_ parent: String, _ name: String) -> String {
    parent == "/" ? "/" + name : parent + "/" + name
  }

  // MARK: Attributes

  func attribute<T: HDF5Scalar>(_ name: String, of object: HDF5Object, as type: T.Type = T.self) throws -> T {
    guard try object.hasAttribute(name) else {
      throw FormatError.missingAttribute(file: path, path: object.path, name: name)
    }
    let result = Result { () throws(HDF5Error) in try object.attribute(name, as: T.self) }
    if case .failure(let error) = result, error.kind == .typeMismatch || error.kind == .shapeMismatch {
      throw FormatError.wrongElementType(
        file: path, path: "\(object.path)@\(name)", expected: "one \(T.hdf5ElementType) value")
    }
    return try result.get()
  }

  func optionalAttribute<T: HDF5Scalar>(_ name: String, of object: HDF5Object, as type: T.Type = T.self) throws
    -> T?
  {
    try object.hasAttribute(name) ? try attribute(name, of: object, as: T.self) : nil
  }

  func string(_ name: String, of object: HDF5Object) throws -> String {
    guard try object.hasAttribute(name) else {
      throw FormatError.missingAttribute(file: path, path: object.path, name: name)
    }
    return try Self.string(object, name, file: path)
  }

  func count(_ name: String, of object: HDF5Object) throws -> Int {
    let value = try attribute(name, of: object, as: Int64.self)
    guard value >= 0 else {
      throw FormatError.invalidValue(
        file: path, path: "\(object.path)@\(name)", reason: "it is \(value); it must be 0 or more")
    }
    return Int(value)
  }

  private static func string(_ object: HDF5Object, _ name: String, file: String) throws -> String {
    let result = Result { () throws(HDF5Error) in try object.stringAttribute(name) }
    if case .failure(let error) = result, error.kind == .typeMismatch || error.kind == .shapeMismatch {
      throw FormatError.wrongElementType(file: file, path: "\(object.path)@\(name)", expected: "one string")
    }
    return try result.get()
  }

  // MARK: Checked datasets

  /// Reads a Float32 (or, with `as: Double.self`, Float64) tensor whose
  /// shape must be `shape`, straight into its final storage, verifying its CRC-32.
  func tensor<S: HDF5Scalar & BinaryFloatingPoint>(
    _ name: String, in group: HDF5Group, shape: [Int], as type: S.Type = Float.self
  ) throws -> Tensor<S> {
    Tensor(shape: shape, scalars: try values(name, in: group, as: S.self, shape: shape))
  }

  /// Reads a numeric dataset whose shape must be `shape` (checked before any
  /// buffer is allocated), verifying its CRC-32.
  func values<T: HDF5Scalar>(_ name: String, in group: HDF5Group, as type: T.Type, shape: [Int]) throws -> [T] {
    let (dataset, stored) = try checkedDataset(name, in: group, as: T.self, shape: shape)
    let count = try dataset.elementCount
    var crc = CRC32()
    let values = try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      HugePages.advise(UnsafeMutableRawBufferPointer(buffer))
      let rowCount = shape.first ?? 1
      let rowSize = count / max(rowCount, 1)
      let rowsPerSlice = max(1, Self.sliceBytes / max(1, rowSize * MemoryLayout<T>.stride))
      if shape.isEmpty || rowsPerSlice >= rowCount {
        try dataset.read(into: buffer)
        crc.update(UnsafeRawBufferPointer(buffer))
      } else {
        var row = 0
        while row < rowCount {
          let end = min(rowCount, row + rowsPerSlice)
          let slice = UnsafeMutableBufferPointer(rebasing: buffer[(row * rowSize)..<(end * rowSize)])
          try dataset.readRows(row..<end, into: slice)
          crc.update(UnsafeRawBufferPointer(slice))
          row = end
        }
      }
      initialized = count
    }
    guard crc.value == stored else {
      throw FormatError.checksumMismatch(file: path, path: dataset.path, stored: stored, computed: crc.value)
    }
    return values
  }

  /// Reads a numeric dataset whose shape must be `shape` in slices of about
  /// ``sliceBytes`` (whole rows, one at least) into one buffer, handing each
  /// slice to `body` in order, and verifies its CRC-32 after the last: the
  /// checks and errors of ``values(_:in:as:shape:)``, in the same order,
  /// without holding the dataset in memory.
  func streamValues<T: HDF5Scalar>(
    _ name: String, in group: HDF5Group, as type: T.Type, shape: [Int],
    _ body: (UnsafeBufferPointer<T>) throws -> Void
  ) throws {
    let (dataset, stored) = try checkedDataset(name, in: group, as: T.self, shape: shape)
    let count = try dataset.elementCount
    let rowCount = shape.first ?? 1
    let rowSize = count / max(rowCount, 1)
    let rowsPerSlice = max(1, Self.sliceBytes / max(1, rowSize * MemoryLayout<T>.stride))
    let whole = shape.isEmpty || rowsPerSlice >= rowCount
    let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, whole ? count : rowsPerSlice * rowSize))
    defer { buffer.deallocate() }
    var crc = CRC32()
    var row = 0
    repeat {
      let end = whole ? rowCount : min(rowCount, row + rowsPerSlice)
      let slice = UnsafeMutableBufferPointer(rebasing: buffer[0..<(whole ? count : (end - row) * rowSize)])
      if whole {
        try dataset.read(into: slice)
      } else {
        try dataset.readRows(row..<end, into: slice)
      }
      crc.update(UnsafeRawBufferPointer(slice))
      try body(UnsafeBufferPointer(slice))
      row = end
    } while row < rowCount
    guard crc.value == stored else {
      throw FormatError.checksumMismatch(file: path, path: dataset.path, stored: stored, computed: crc.value)
    }
  }

  /// The dataset `name` in `group`, checked to hold `T` values in `shape`,
  /// with the CRC-32 it carries.
  private func checkedDataset<T: HDF5Scalar>(
    _ name: String, in group: HDF5Group, as type: T.Type, shape: [Int]
  ) throws -> (HDF5Dataset, crc: UInt32) {
    let dataset = try dataset(name, in: group)
    guard dataset.elementType == T.hdf5ElementType else {
      throw FormatError.wrongElementType(file: path, path: dataset.path, expected: "\(T.hdf5ElementType) values")
    }
    guard dataset.shape == shape else {
      throw FormatError.shapeMismatch(file: path, path: dataset.path, expected: shape, found: dataset.shape)
    }
    return (dataset, try attribute(FileLayout.checksumAttribute, of: dataset, as: UInt32.self))
  }

  /// Reads a one-dimensional numeric dataset of any length, verifying its CRC-32.
  func vector<T: HDF5Scalar>(_ name: String, in group: HDF5Group, as type: T.Type) throws -> [T] {
    let dataset = try dataset(name, in: group)
    guard dataset.shape.count == 1 else {
      throw FormatError.invalidValue(
        file: path, path: dataset.path, reason: "it has shape \(dataset.shape); the layout needs one dimension")
    }
    return try values(name, in: group, as: T.self, shape: dataset.shape)
  }

  /// Reads a dataset of strings, verifying its CRC-32 (see ``FileWriter/stringChecksum(_:)``).
  func strings(_ name: String, in group: HDF5Group, scalar: Bool) throws -> [String] {
    let dataset = try dataset(name, in: group)
    guard dataset.holdsStrings else {
      throw FormatError.wrongElementType(file: path, path: dataset.path, expected: "strings")
    }
    guard scalar ? dataset.shape.isEmpty : dataset.shape.count == 1 else {
      throw FormatError.invalidValue(
        file: path, path: dataset.path,
        reason: "it has shape \(dataset.shape); the layout needs \(scalar ? "one string" : "a list of strings")")
    }
    let stored = try attribute(FileLayout.checksumAttribute, of: dataset, as: UInt32.self)
    let strings = try dataset.readStrings()
    let computed = FileWriter.stringChecksum(strings)
    guard computed == stored else {
      throw FormatError.checksumMismatch(file: path, path: dataset.path, stored: stored, computed: computed)
    }
    return strings
  }
}
