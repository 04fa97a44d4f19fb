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
}
