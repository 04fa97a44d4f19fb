/// What makes an object inside open HDF5 files unique: the file it lives in
/// and its address there. Several links, in several groups, can name one
/// object; their identities are then equal.
public struct HDF5ObjectIdentity: Hashable, Sendable {
  /// libhdf5's number for the open file.
  public var fileNumber: UInt64
  /// The object header's address in the file.
  public var address: UInt64
}
