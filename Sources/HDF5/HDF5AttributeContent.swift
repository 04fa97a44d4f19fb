/// What an attribute holds, from its stored type.
public enum HDF5AttributeContent: Sendable, Equatable {
  /// Strings, fixed or variable length.
  case strings
  /// Numbers of one of the element types the module reads.
  case numbers(HDF5ElementType)
  /// Any other type: compound, enum, array, reference, opaque.
  case other
}
