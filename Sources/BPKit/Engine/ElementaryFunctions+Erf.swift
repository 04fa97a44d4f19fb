/// erf x for Double, bpkit's own, for the exact GELU: fdlibm's `s_erf.c`
/// (Sun Microsystems, 1993, freely redistributable) with bpkit's e^x, so that
/// it gives the same bits with every C library. Within about one unit in the
/// last place (`ElementaryFunctionsDoubleTests` compares it with known values).
extension ElementaryFunctions {
  /// erf x by fdlibm's four ranges of |x|: a rational function of x² below
  /// 0.84375; erx + P(s)/Q(s) in s = |x| − 1 up to 1.25; then
  /// 1 − e^(−x² − 0.5625 + R(1/x²)/S(1/x²))/|x| in two ranges up to 6, with
  /// x² split so that e^(−x²) is not rounded twice; ±1 beyond.
  static func erf(_ x: Double) -> Double {
    if x.isNaN { return x }
    let a = Swift.abs(x)
    let sign: Double = x < 0 ? -1 : 1
    if a < 0.84375 {
      // Below 2⁻²⁸ erf x = x + (2/√π − 1)·x to within rounding.
      if a < 0x1p-28 { return x + Double(bitPattern: 0x3FC0_6EBA_8214_DB69) * x }
      let z = x * x
      let r =
        Double(bitPattern: 0x3FC0_6EBA_8214_DB68)
        + z
        * (Double(bitPattern: 0xBFD4_CD7D_691C_B913)
          + z
          * (Double(bitPattern: 0xBF9D_2A51_DBD7_194F)
            + z * (Double(bitPattern: 0xBF77_A291_2366_68E4) + z * Double(bitPattern: 0xBEF8_EAD6_1200_16AC))))
      let s =
        1
        + z
        * (Double(bitPattern: 0x3FD9_7779_CDDA_DC09)
          + z
          * (Double(bitPattern: 0x3FB0_A54C_5536_CEBA)
            + z
            * (Double(bitPattern: 0x3F74_D022_C4D3_6B0F)
              + z * (Double(bitPattern: 0x3F21_5DC9_221C_1A10) + z * Double(bitPattern: 0xBED0_9C43_42A2_6120)))))
      return x + x * (r / s)
    }
    if a < 1.25 {
      let s = a - 1
      let p =
        Double(bitPattern: 0xBF63_59B8_BEF7_7538)
        + s
        * (Double(bitPattern: 0x3FDA_8D00_AD92_B34D)
          + s
          * (Double(bitPattern: 0xBFD7_D240_FBB8_C3F1)
            + s
            * (Double(bitPattern: 0x3FD4_5FCA_8051_20E4)
              + s
              * (Double(bitPattern: 0xBFBC_6398_3D3E_28EC)
                + s * (Double(bitPattern: 0x3FA2_2A36_5997_95EB) + s * Double(bitPattern: 0xBF61_BF38_0A96_073F))))))
      let q =
        1
        + s
        * (Double(bitPattern: 0x3FBB_3E66_18EE_E323)
          + s
          * (Double(bitPattern: 0x3FE1_4AF0_92EB_6F33)
            + s
            * (Double(bitPattern: 0x3FB2_635C_D99F_E9A7)
              + s
              * (Double(bitPattern: 0x3FC0_2660_E763_351F)
                + s * (Double(bitPattern: 0x3F8B_EDC2_6B51_DD1C) + s * Double(bitPattern: 0x3F88_8B54_5735_151D))))))
      // erx = (float)0.84506291151, exactly.
      return sign * (Double(bitPattern: 0x3FEB_0AC1_6000_0000) + p / q)
    }
    if a >= 6 { return sign }
    let s = 1 / (a * a)
    let r: Double
    let q: Double
    if a < 1 / 0.35 {
      r =
        Double(bitPattern: 0xBF84_3412_600D_6435)
        + s
        * (Double(bitPattern: 0xBFE6_3416_E4BA_7360)
          + s
          * (Double(bitPattern: 0xC025_1E04_41B0_E726)
            + s
            * (Double(bitPattern: 0xC04F_300A_E4CB_A38D)
              + s
              * (Double(bitPattern: 0xC064_4CB1_8428_2266)
                + s
                * (Double(bitPattern: 0xC067_135C_EBCC_ABB2)
                  + s * (Double(bitPattern: 0xC054_5265_57E4_D2F2) + s * Double(bitPattern: 0xC023_A0EF_C69A_C25C)))))))
      q =
        1
        + s
        * (Double(bitPattern: 0x4033_A6B9_BD70_7687)
          + s
          * (Double(bitPattern: 0x4061_350C_526A_E721)
            + s
            * (Double(bitPattern: 0x407B_290D_D58A_1A71)
              + s
              * (Double(bitPattern: 0x4084_2B19_21EC_2868)
                + s
                * (Double(bitPattern: 0x407A_D021_5770_0314)
                  + s
                  * (Double(bitPattern: 0x405B_28A3_EE48_AE2C)
                    + s * (Double(bitPattern: 0x401A_47EF_8E48_4A93) + s * Double(bitPattern: 0xBFAE_EFF2_EE74_9A62))))))))
    } else {
      r =
        Double(bitPattern: 0xBF84_3412_39E8_6F4A)
        + s
        * (Double(bitPattern: 0xBFE9_93BA_70C2_85DE)
          + s
          * (Double(bitPattern: 0xC031_C209_555F_995A)
            + s
            * (Double(bitPattern: 0xC064_145D_43C5_ED98)
              + s
              * (Double(bitPattern: 0xC083_EC88_1375_F228)
                + s * (Double(bitPattern: 0xC090_0461_6A2E_5992) + s * Double(bitPattern: 0xC07E_384E_9BDC_383F))))))
      q =
        1
        + s
        * (Double(bitPattern: 0x403E_568B_261D_5190)
          + s
          * (Double(bitPattern: 0x4074_5CAE_221B_9F0A)
            + s
            * (Double(bitPattern: 0x4098_02EB_189D_5118)
              + s
              * (Double(bitPattern: 0x40A8_FFB7_688C_246A)
                + s
                * (Double(bitPattern: 0x40A3_F219_CEDF_3BE6)
                  + s * (Double(bitPattern: 0x407D_A874_E79F_E763) + s * Double(bitPattern: 0xC036_70E2_4271_2D62)))))))
    }
    // z is |x| with the low 32 bits of its significand cleared, so z² is exact.
    let z = Double(bitPattern: a.bitPattern & 0xFFFF_FFFF_0000_0000)
    let e = exp(-z * z - 0.5625) * exp((z - a) * (z + a) + r / q)
    return sign * (1 - e / a)
  }
}
