internal import CHDF5
import Foundation

/// An open HDF5 file.
///
/// The file stays open while this object or any group or dataset opened from
/// it is alive. Call ``close()`` to learn whether the final flush succeeded;
/// otherwise the file is closed when the last reference goes away.
///
/// Every libhdf5 call is made under the module's lock, which makes instances
/// safe to share between threads.
public final class HDF5File: @unchecked Sendable {
  /// How an existing file is opened.
  public enum AccessMode: Sendable {
    /// Reading only.
    case readOnly
    /// Reading and writing.
    case readWrite
  }

  /// The path the file was opened or created at.
  public let path: String
  private(set) var id: hid_t
  /// The user block's size when the file was made here with a known one.
  private let knownUserBlockSize: Int?

  init(id: hid_t, path: String, userBlockSize: Int? = nil) {
    self.id = id
    self.path = path
    knownUserBlockSize = userBlockSize
  }

  /// The size of the user block, the bytes before the HDF5 data (0 when
  /// there is none): as made, or as the file's creation list says.
  ///
  /// The corresponding HDF5 functions are `H5Fget_create_plist` and `H5Pget_userblock`.
  func userBlockBytes() throws(HDF5Error) -> Int {
    if let knownUserBlockSize { return knownUserBlockSize }
    let operation = "read the user block size of"
    let site = HDF5Library.Site(file: path)
    let creation = ScopedID(try HDF5Library.call(operation, at: site) { H5Fget_create_plist(id) }, .propertyList)
    var userBlock: hsize_t = 0
    try HDF5Library.call(operation, at: site) { H5Pget_userblock(creation.raw, &userBlock) }
    return Int(userBlock)
  }

  /// Creates a new, empty HDF5 file.
  ///
  /// - Parameters:
  ///   - path: Where to create the file.
  ///   - overwrite: Whether to replace an existing file. When `false`, an
  ///     existing file makes this throw ``HDF5Error/Kind-swift.enum/alreadyExists``.
  ///   - userBlockSize: Bytes reserved at the start of the file for the
  ///     caller's own use, which libhdf5 skips: 0, or a power of two of at
  ///     least 512 (HDF5 File Format Specification, section II.A).
  /// - Throws: ``HDF5Error`` when the file cannot be created.
  ///
  /// The corresponding HDF5 functions are `H5Fcreate` and `H5Pset_userblock`.
  public static func create(atPath path: String, overwrite: Bool = false, userBlockSize: Int = 0)
    throws(HDF5Error) -> HDF5File
  {
    let site = HDF5Library.Site(file: path)
    if !overwrite && FileManager.default.fileExists(atPath: path) {
      throw HDF5Error(.alreadyExists, operation: "create file", file: path)
    }
    let flags = overwrite ? bpk_H5F_ACC_TRUNC() : bpk_H5F_ACC_EXCL()
    let creation = ScopedID(
      try HDF5Library.call("create file", at: site) { H5Pcreate(bpk_H5P_FILE_CREATE()) }, .propertyList)
    if userBlockSize > 0 {
      try HDF5Library.call("create file", at: site, kind: .invalidArgument) {
        H5Pset_userblock(creation.raw, hsize_t(userBlockSize))
      }
    }
    let id = try HDF5Library.call("create file", at: site, kind: creationFailureKind(path)) {
      H5Fcreate(path, flags, creation.raw, bpk_H5P_DEFAULT())
    }
    return HDF5File(id: id, path: path)
  }

  /// Opens an existing HDF5 file.
  ///
  /// The file is checked before libhdf5 sees it: it must exist, be a readable
  /// regular file and carry the HDF5 signature. Each failure is its own
  /// ``HDF5Error/Kind-swift.enum``.
  ///
  /// - Parameters:
  ///   - path: The file to open.
  ///   - mode: Whether to open for reading only (the default) or reading and writing.
  /// - Throws: ``HDF5Error`` when the file is missing, unreadable, not HDF5 or damaged.
  ///
  /// The corresponding HDF5 function is `H5Fopen`.
  public convenience init(openingAtPath path: String, mode: AccessMode = .readOnly)
    throws(HDF5Error)
  {
    let operation = "open file"
    try HDF5Signature.check(path, operation: operation)
    if mode == .readWrite && access(path, W_OK) != 0 {
      throw HDF5Error(.permissionDenied, operation: operation, file: path)
    }
    let flags = mode == .readOnly ? bpk_H5F_ACC_RDONLY() : bpk_H5F_ACC_RDWR()
    let id: hid_t
    do {
      id = try HDF5Library.call(operation, at: .init(file: path), kind: .corrupt) {
        H5Fopen(path, flags, bpk_H5P_DEFAULT())
      }
    } catch {
      var error = error
      let messages = error.libraryMessages.joined(separator: " ")
      if messages.contains("already open") {
        error.kind = .libraryFailure
        error.detail = "it is already open in this program in another mode"
      } else if messages.contains("truncated") {
        error.detail = "the file is truncated: it ends before the data HDF5 expects"
      } else {
        error.detail = "the file is damaged or is not a complete HDF5 file"
      }
      throw error
    }
    self.init(id: id, path: path)
  }

  deinit { HDF5Library.release(id, with: H5Fclose) }

  /// The root group, `/`.
  ///
  /// - Throws: ``HDF5Error`` when the file has been closed or is damaged.
  public var root: HDF5Group {
    get throws(HDF5Error) {
      try requireOpen("open group")
      let id = try HDF5Library.call("open group", at: .init(file: path, path: "/")) {
        H5Gopen2(self.id, "/", bpk_H5P_DEFAULT())
      }
      return HDF5Group(id: id, file: self, path: "/")
    }
  }

  /// Writes all buffered data to the operating system.
  ///
  /// This does not call `fsync`; durable writes are the caller's concern.
  /// The corresponding HDF5 function is `H5Fflush`.
  public func flush() throws(HDF5Error) {
    try requireOpen("flush file")
    try HDF5Library.call("flush file", at: .init(file: path)) {
      H5Fflush(id, H5F_SCOPE_GLOBAL)
    }
  }

  /// Flushes and closes the file, reporting any failure.
  ///
  /// Groups and datasets still open keep the underlying file open until they
  /// are released; their data has been flushed. Closing twice is harmless.
  /// The corresponding HDF5 function is `H5Fclose`.
  public func close() throws(HDF5Error) {
    guard id >= 0 else { return }
    try flush()
    let id = self.id
    self.id = -1
    try HDF5Library.call("close file", at: .init(file: path)) { H5Fclose(id) }
  }

  func requireOpen(_ operation: String) throws(HDF5Error) {
    if id < 0 {
      throw HDF5Error(
        .invalidArgument, operation: operation, file: path, detail: "the file has been closed")
    }
  }

  private static func creationFailureKind(_ path: String) -> HDF5Error.Kind {
    let folder = (path as NSString).deletingLastPathComponent
    return access(folder.isEmpty ? "." : folder, W_OK) == 0 ? .libraryFailure : .permissionDenied
  }
}
