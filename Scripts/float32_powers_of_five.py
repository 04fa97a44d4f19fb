"""Prints the 128-bit powers of five that Float32Text's Eisel-Lemire parser
multiplies by (Sources/BPKit/Format/JSON/Float32Text+Powers.swift), for the
decimal exponents a 32-bit float can need, -64 to 38.

The rule is fast_float's (script/table_generation.py, Daniel Lemire): 5^q
scaled so that its top bit is bit 127, truncated for q >= 0; for q < 0 the
reciprocal, rounded up (2^b // 5^-q + 1) and truncated to 128 bits.
"""


def powers(low, high):
    rows = []
    for q in range(low, high + 1):
        if q < 0:
            power5 = 5 ** -q
            z = 0
            while (1 << z) < power5:
                z += 1
            if q >= -27:
                c = 2 ** (z + 127) // power5 + 1
            else:
                c = 2 ** (2 * z + 128) // power5 + 1
                while c >= (1 << 128):
                    c //= 2
        else:
            c = 5 ** q
            while c < (1 << 127):
                c *= 2
            while c >= (1 << 128):
                c //= 2
        rows.append((c >> 64, c & ((1 << 64) - 1)))
    return rows


def grouped(word):
    return "0x" + "_".join("%04x" % ((word >> shift) & 0xFFFF) for shift in (48, 32, 16, 0))


if __name__ == "__main__":
    for high, low in powers(-64, 38):
        print("    %s, %s," % (grouped(high), grouped(low)))
