// CRC-32 (the zlib/gzip/PNG polynomial 0x04C11DB7, bit-reflected) at memory speed.
//
// bpkit stores a CRC-32 beside every tensor it writes, so that h5py users can
// check a dataset with Python's own `zlib.crc32(data.tobytes())`. zlib 1.2.13's
// table-driven crc32 runs at about 4 GB/s, slower than reading a file from the
// page cache, so this computes the same function by carry-less multiplication
// (PCLMULQDQ, or VPCLMULQDQ on AVX-512 processors) and falls back to zlib's
// crc32 elsewhere.
#ifndef BPKIT_CCRC32_H
#define BPKIT_CCRC32_H

#include <stddef.h>
#include <stdint.h>

/// Continues the CRC-32 `crc` (0 for a new one) over `length` bytes at `bytes`;
/// the same value as zlib's `crc32(crc, bytes, length)`.
uint32_t bpk_crc32(uint32_t crc, const void *bytes, size_t length);

/// The CRC-32 of two pieces of bytes one after the other, from the CRC-32
/// `first` of the first piece, `second` of the second and the second's
/// `second_length`: zlib's `crc32_combine`, in O(log n) time.
uint32_t bpk_crc32_combine(uint32_t first, uint32_t second, int64_t second_length);

/// zlib's own `crc32`, table-driven: the reference the tests compare with.
uint32_t bpk_crc32_zlib(uint32_t crc, const void *bytes, size_t length);

/// The implementation `bpk_crc32` uses on this processor: "vpclmulqdq-avx512",
/// "pclmulqdq" or "zlib".
const char *bpk_crc32_implementation(void);

#endif
