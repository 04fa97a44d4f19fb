internal import CHDF5

/// A short-lived libhdf5 id (a dataspace, datatype, property list or
/// attribute) with exactly one owner, closed when the owner goes away.
struct ScopedID: ~Copyable {
  enum Kind {
    case dataspace, datatype, propertyList, attribute

    var close: (hid_t) -> herr_t {
      switch self {
      case .dataspace: H5Sclose
      case .datatype: H5Tclose
      case .propertyList: H5Pclose
      case .attribute: H5Aclose
      }
    }
  }

  let raw: hid_t
  let kind: Kind

  init(_ raw: hid_t, _ kind: Kind) {
    self.raw = raw
    self.kind = kind
  }

  deinit { HDF5Library.release(raw, with: kind.close) }
}
