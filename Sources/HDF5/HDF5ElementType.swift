internal import CHDF5

/// The numeric element types the HDF5 module reads and writes.
public enum HDF5ElementType: String, Sendable, CaseIterable, CustomStringConvertible {
  /// 32-bit IEEE 754 floating point (`H5T_IEEE_F32LE` on disk).
  case float32
  /// 64-bit IEEE 754 floating point (`H5T_IEEE_F64LE` on disk).
  case float64
  /// Signed 32-bit integer (`H5T_STD_I32LE` on disk).
  case int32
  /// Signed 64-bit integer (`H5T_STD_I64LE` on disk).
  case int64
  /// Unsigned 8-bit integer (`H5T_STD_U8LE` on disk).
  case uint8
  /// Unsigned 32-bit integer (`H5T_STD_U32LE` on disk).
  case uint32
  /// Unsigned 64-bit integer (`H5T_STD_U64LE` on disk).
  case uint64

  /// The size of one element in bytes.
  public var byteCount: Int {
    switch self {
    case .float32, .int32, .uint32: 4
    case .float64, .int64, .uint64: 8
    case .uint8: 1
    }
  }

  /// The type's name, such as `float32`.
  public var description: String { rawValue }

  /// The in-memory type libhdf5 converts to and from.
  var nativeType: hid_t {
    switch self {
    case .float32: bpk_H5T_NATIVE_FLOAT()
    case .float64: bpk_H5T_NATIVE_DOUBLE()
    case .int32: bpk_H5T_NATIVE_INT32()
    case .int64: bpk_H5T_NATIVE_INT64()
    case .uint8: bpk_H5T_NATIVE_UINT8()
    case .uint32: bpk_H5T_NATIVE_UINT32()
    case .uint64: bpk_H5T_NATIVE_UINT64()
    }
  }

  /// The little-endian type written to files, so files are the same everywhere.
  var fileType: hid_t {
    switch self {
    case .float32: bpk_H5T_IEEE_F32LE()
    case .float64: bpk_H5T_IEEE_F64LE()
    case .int32: bpk_H5T_STD_I32LE()
    case .int64: bpk_H5T_STD_I64LE()
    case .uint8: bpk_H5T_STD_U8LE()
    case .uint32: bpk_H5T_STD_U32LE()
    case .uint64: bpk_H5T_STD_U64LE()
    }
  }

  /// The element type of a stored datatype, or `nil` when it is not a plain
  /// number of one of the supported kinds. Call with the library lock held.
  static func matching(_ type: hid_t) -> HDF5ElementType? {
    let size = H5Tget_size(type)
    switch H5Tget_class(type) {
    case H5T_FLOAT:
      return size == 4 ? .float32 : size == 8 ? .float64 : nil
    case H5T_INTEGER:
      let signed = H5Tget_sign(type) == H5T_SGN_2
      switch (size, signed) {
      case (4, true): return .int32
      case (8, true): return .int64
      case (1, false): return .uint8
      case (4, false): return .uint32
      case (8, false): return .uint64
      default: return nil
      }
    default:
      return nil
    }
  }
}

/// A Swift number type that can be stored in HDF5 datasets and attributes.
public protocol HDF5Scalar: BitwiseCopyable, Sendable {
  /// The HDF5 element type matching this Swift type.
  static var hdf5ElementType: HDF5ElementType { get }
}

extension Float: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float32 } }
extension Double: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float64 } }
extension Int32: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int32 } }
extension Int64: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int64 } }
extension UInt8: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint8 } }
extension UInt32: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint32 } }
extension UInt64: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint64 } }
