/// IEEE half precision and bfloat16 widened to Float32. Both are exact:
/// every half and every bfloat16 value is a Float32 value.
enum HalfPrecision {
  /// The Float32 equal to the IEEE 754 binary16 value with these bits.
  static func float(half bits: UInt16) -> Float {
    let sign = UInt32(bits >> 15) << 31
    let exponent = Int(bits >> 10) & 0x1F
    let fraction = UInt32(bits & 0x3FF)
    switch exponent {
    case 0:
      // ±0 and subnormals: fraction · 2⁻²⁴, exact in Float32.
      let magnitude = Float(fraction) * 0x1p-24
      return sign == 0 ? magnitude : -magnitude
    case 0x1F:
      return Float(bitPattern: sign | 0x7F80_0000 | (fraction << 13))
    default:
      return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (fraction << 13))
    }
  }

  /// The Float32 whose upper 16 bits these are (bfloat16).
  static func float(bfloat16 bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
  }
}
