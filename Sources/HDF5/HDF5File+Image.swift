internal import CHDF5
import Foundation
import Synchronization

extension HDF5File {
  private static let imageCount = Atomic<Int>(0)

  /// Opens, for reading, an HDF5 file held in memory (a file image): libhdf5
  /// reads it with its in-memory driver, and nothing is read from or written
  /// to disk. libhdf5 keeps its own copy of the bytes, so `image` may be
  /// released once this returns.
  ///
  /// - Parameters:
  ///   - image: The file's bytes.
  ///   - name: What errors call the file (an archive member, say).
  /// - Throws: ``HDF5Error`` when the bytes are not HDF5 or libhdf5 cannot read them.
  ///
  /// The corresponding HDF5 functions are `H5Pset_fapl_core` (without a
  /// backing store), `H5Pset_file_image` and `H5Fopen`.
  public convenience init(image: UnsafeRawBufferPointer, name: String) throws(HDF5Error) {
    let operation = "open file image"
    guard HDF5Signature.isPresent(in: image) else { throw HDF5Error(.notHDF5, operation: operation, file: name) }
    let site = HDF5Library.Site(file: name)
    let access = ScopedID(
      try HDF5Library.call(operation, at: site) { H5Pcreate(bpk_H5P_FILE_ACCESS()) }, .propertyList)
    try HDF5Library.call(operation, at: site) { H5Pset_fapl_core(access.raw, 1 << 16, false) }
    try HDF5Library.call(operation, at: site) {
      H5Pset_file_image(access.raw, UnsafeMutableRawPointer(mutating: image.baseAddress), image.count)
    }
    // libhdf5 takes two open files of one name for the same file: each image
    // gets a name of its own, which names nothing on disk.
    let number = Self.imageCount.add(1, ordering: .relaxed).newValue
    let internalName = "bpkit file image \(getpid()).\(number)"
    let id: hid_t
    do {
      id = try HDF5Library.call(operation, at: site, kind: .corrupt) {
        H5Fopen(internalName, bpk_H5F_ACC_RDONLY(), access.raw)
      }
    } catch {
      var error = error
      error.detail = "the file is damaged or is not a complete HDF5 file"
      throw error
    }
    self.init(id: id, path: name)
  }

  /// Creates a new, empty HDF5 file held in memory: libhdf5 builds it with
  /// its in-memory driver, without a backing store, and nothing is written
  /// to disk. ``closeReturningImage()`` then gives its bytes, which are what
  /// libhdf5 would have written to a file on disk.
  ///
  /// A file of many small objects is built faster this way: libhdf5 writes
  /// each object header and B-tree node into memory rather than with a
  /// system call of its own, and the caller writes the whole file at once.
  ///
  /// - Parameters:
  ///   - name: What errors call the file (the destination it is meant for).
  ///   - userBlockSize: Bytes reserved at the start of the file for the
  ///     caller's own use, as in ``create(atPath:overwrite:userBlockSize:)``.
  ///   - expectedBytes: About how large the file will grow: libhdf5 allocates
  ///     its memory in steps of this size, so a good guess allocates once.
  /// - Throws: ``HDF5Error`` when libhdf5 cannot create the file.
  ///
  /// The corresponding HDF5 functions are `H5Pset_fapl_core` (without a
  /// backing store), `H5Pset_userblock` and `H5Fcreate`.
  public static func createImage(named name: String, userBlockSize: Int = 0, expectedBytes: Int = 1 << 16)
    throws(HDF5Error) -> HDF5File
  {
    let operation = "create file image"
    let site = HDF5Library.Site(file: name)
    let increment = max(1 << 12, min(expectedBytes, 1 << 30))
    let lists = try imageLists(userBlockSize: userBlockSize, increment: increment, at: site)
    let number = Self.imageCount.add(1, ordering: .relaxed).newValue
    let internalName = "bpkit file image \(getpid()).\(number)"
    let id = try HDF5Library.call(operation, at: site) {
      H5Fcreate(internalName, bpk_H5F_ACC_EXCL(), lists.creation, lists.access)
    }
    return HDF5File(id: id, path: name, userBlockSize: userBlockSize)
  }

  /// The file creation and access property lists of a file image, made
  /// once for each user block size and size step and kept: a run that
  /// writes a small checkpoint every epoch asks for the same two lists each
  /// time, and libhdf5 makes a list by copying every property of its class.
  ///
  /// Only steps up to 32 MiB, rounded up to 64 KiB (at most 512 of them),
  /// are kept; larger ones get lists of their own, closed after use.
  private static func imageLists(userBlockSize: Int, increment: Int, at site: HDF5Library.Site)
    throws(HDF5Error) -> ImageLists
  {
    let step = (increment + (1 << 16) - 1) & ~((1 << 16) - 1)
    let key = ImageListKey(userBlockSize: userBlockSize, increment: step)
    if step <= 32 << 20, let lists = keptImageLists.withLock({ $0[key] }) { return lists }
    let operation = "create file image"
    let creation = try HDF5Library.call(operation, at: site) { H5Pcreate(bpk_H5P_FILE_CREATE()) }
    let access: hid_t
    do throws(HDF5Error) {
      if userBlockSize > 0 {
        try HDF5Library.call(operation, at: site, kind: .invalidArgument) {
          H5Pset_userblock(creation, hsize_t(userBlockSize))
        }
      }
      access = try HDF5Library.call(operation, at: site) { H5Pcreate(bpk_H5P_FILE_ACCESS()) }
      do throws(HDF5Error) {
        try HDF5Library.call(operation, at: site) { H5Pset_fapl_core(access, step, false) }
      } catch {
        HDF5Library.release(access, with: H5Pclose)
        throw error
      }
    } catch {
      HDF5Library.release(creation, with: H5Pclose)
      throw error
    }
    let lists = ImageLists(creation: creation, access: access, kept: step <= 32 << 20)
    guard lists.kept else { return lists }
    return keptImageLists.withLock { kept in
      if let earlier = kept[key] {
        HDF5Library.release(creation, with: H5Pclose)
        HDF5Library.release(access, with: H5Pclose)
        return earlier
      }
      kept[key] = lists
      return lists
    }
  }

  private struct ImageListKey: Hashable {
    var userBlockSize: Int
    var increment: Int
  }

  /// A file image's property lists; those not `kept` are closed after use.
  private final class ImageLists: Sendable {
    let creation: hid_t
    let access: hid_t
    let kept: Bool

    init(creation: hid_t, access: hid_t, kept: Bool) {
      self.creation = creation
      self.access = access
      self.kept = kept
    }

    deinit {
      guard !kept else { return }
      HDF5Library.release(creation, with: H5Pclose)
      HDF5Library.release(access, with: H5Pclose)
    }
  }

  private static let keptImageLists = Mutex<[ImageListKey: ImageLists]>([:])

  /// Flushes a file made by ``createImage(named:userBlockSize:expectedBytes:)``,
  /// closes it, and returns the whole file as it would lie on disk: the user
  /// block, as zero bytes for the caller to fill, then every byte libhdf5
  /// wrote after it.
  ///
  /// Release every group and dataset opened from the file first: libhdf5
  /// may still change the file when the last of them closes.
  ///
  /// - Throws: ``HDF5Error`` when the file is closed already or libhdf5
  ///   cannot flush it or copy its image.
  ///
  /// The corresponding HDF5 functions are `H5Fflush`, `H5Fget_file_image`
  /// (whose image leaves the user block out) and `H5Fclose`.
  public func closeReturningImage() throws(HDF5Error) -> [UInt8] {
    let operation = "copy file image"
    try flush()
    let site = HDF5Library.Site(file: path)
    let prefix = try userBlockBytes()
    let count = try HDF5Library.call(operation, at: site) { H5Fget_file_image(id, nil, 0) }
    let image = try typedThrows {
      try [UInt8](unsafeUninitializedCapacity: prefix + count) { buffer, initialized in
        buffer.baseAddress!.initialize(repeating: 0, count: prefix)
        let copied = try HDF5Library.call(operation, at: site) {
          H5Fget_file_image(id, buffer.baseAddress! + prefix, count)
        }
        initialized = prefix + copied
      }
    }
    try close()
    return image
  }
}
