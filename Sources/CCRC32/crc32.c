// CRC-32 by folding with carry-less multiplication.
//
// Method: V. Gopal, E. Ozturk, J. Guilford et al., "Fast CRC Computation for
// Generic Polynomials Using PCLMULQDQ Instruction", Intel, 2009. The 128-bit
// path follows the structure of Chromium's zlib `crc32_sse42_simd_` and the
// Linux kernel's `crc32-pclmul_asm.S`, whose constants it shares. In the
// bit-reflected domain, folding a 128-bit lane forward by D bits multiplies its
// low half by (x^(D+32) mod P)' << 1 and its high half by (x^(D-32) mod P)' << 1,
// where ' is bit reflection of the 32-bit remainder; the AVX-512 path's extra
// constants (D = 2048, 384, 256) were computed that way and are checked against
// zlib by the tests.
#include "CCRC32.h"

#include <zlib.h>

uint32_t bpk_crc32_zlib(uint32_t crc, const void *bytes, size_t length) {
    const unsigned char *data = bytes;
    // zlib takes its length as uInt (32 bits) before version 1.2.9's crc32_z.
    while (length > 0) {
        size_t piece = length > (1u << 30) ? (1u << 30) : length;
        crc = (uint32_t)crc32(crc, data, (uInt)piece);
        data += piece;
        length -= piece;
    }
    return crc;
}

uint32_t bpk_crc32_combine(uint32_t first, uint32_t second, int64_t second_length) {
    return (uint32_t)crc32_combine(first, second, (z_off_t)second_length);
}

#if defined(__x86_64__)
#include <immintrin.h>

#define BPK_TARGET_128 __attribute__((target("pclmul,sse4.1")))
#define BPK_TARGET_512 __attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.1")))

// Fold constants (low half, high half) for a distance of D bits.
#define K_2048 0x11542778aULL, 0x1322d1430ULL
#define K_512 0x154442bd4ULL, 0x1c6e41596ULL
#define K_384 0x03db1ecdcULL, 0x174359406ULL
#define K_256 0x0f1da05aaULL, 0x15a546366ULL
#define K_128 0x1751997d0ULL, 0x0ccaa009eULL
// Folding 64 bits to 32, and Barrett reduction's P' and P.
#define K_64 0x163cd6124ULL
#define K_BARRETT 0x1db710641ULL, 0x1f7011641ULL

BPK_TARGET_128 static inline __m128i pair(uint64_t low, uint64_t high) {
    return _mm_set_epi64x((long long)high, (long long)low);
}

// x·k_low ⊕ x·k_high ⊕ data: one lane moved forward and added to the data there.
BPK_TARGET_128 static inline __m128i fold128(__m128i x, __m128i k, __m128i data) {
    return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), data);
}

// From a 128-bit remainder, the 16-byte blocks left in `bytes`, to the final CRC.
BPK_TARGET_128 static uint32_t finish(__m128i x1, const unsigned char *bytes, size_t length) {
    const __m128i k128 = pair(K_128);
    while (length >= 16) {
        x1 = fold128(x1, k128, _mm_loadu_si128((const __m128i *)bytes));
        bytes += 16;
        length -= 16;
    }
    // 128 bits to 64.
    const __m128i mask = _mm_setr_epi32(~0, 0, ~0, 0);
    __m128i x2 = _mm_clmulepi64_si128(x1, k128, 0x10);
    x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), x2);
    // 64 bits to 32.
    x2 = _mm_srli_si128(x1, 4);
    x1 = _mm_and_si128(x1, mask);
    x1 = _mm_xor_si128(_mm_clmulepi64_si128(x1, pair(K_64, 0), 0x00), x2);
    // Barrett reduction to the 32-bit remainder.
    const __m128i barrett = pair(K_BARRETT);
    x2 = _mm_and_si128(x1, mask);
    x2 = _mm_clmulepi64_si128(x2, barrett, 0x10);
    x2 = _mm_and_si128(x2, mask);
    x2 = _mm_clmulepi64_si128(x2, barrett, 0x00);
    x1 = _mm_xor_si128(x1, x2);
    return (uint32_t)_mm_extract_epi32(x1, 1);
}

// `length` is at least 64 and a multiple of 16; `crc` is the inverted running value.
BPK_TARGET_128 static uint32_t fold_pclmul(const unsigned char *bytes, size_t length, uint32_t crc) {
    __m128i x1 = _mm_loadu_si128((const __m128i *)bytes);
    __m128i x2 = _mm_loadu_si128((const __m128i *)(bytes + 16));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(bytes + 32));
    __m128i x4 = _mm_loadu_si128((const __m128i *)(bytes + 48));
    x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
    bytes += 64;
    length -= 64;
    const __m128i k512 = pair(K_512);
    while (length >= 64) {
        x1 = fold128(x1, k512, _mm_loadu_si128((const __m128i *)bytes));
        x2 = fold128(x2, k512, _mm_loadu_si128((const __m128i *)(bytes + 16)));
        x3 = fold128(x3, k512, _mm_loadu_si128((const __m128i *)(bytes + 32)));
        x4 = fold128(x4, k512, _mm_loadu_si128((const __m128i *)(bytes + 48)));
        bytes += 64;
        length -= 64;
    }
    const __m128i k128 = pair(K_128);
    x1 = fold128(x1, k128, x2);
    x1 = fold128(x1, k128, x3);
    x1 = fold128(x1, k128, x4);
    return finish(x1, bytes, length);
}

BPK_TARGET_512 static inline __m512i fold512(__m512i z, __m512i k, __m512i data) {
    // 0x96 is the truth table of a ⊕ b ⊕ c.
    return _mm512_ternarylogic_epi64(
        _mm512_clmulepi64_epi128(z, k, 0x00), _mm512_clmulepi64_epi128(z, k, 0x11), data, 0x96);
}

// `length` is at least 256 and a multiple of 16; `crc` is the inverted running value.
BPK_TARGET_512 static uint32_t fold_vpclmul(const unsigned char *bytes, size_t length, uint32_t crc) {
    __m512i z0 = _mm512_loadu_si512(bytes);
    __m512i z1 = _mm512_loadu_si512(bytes + 64);
    __m512i z2 = _mm512_loadu_si512(bytes + 128);
    __m512i z3 = _mm512_loadu_si512(bytes + 192);
    z0 = _mm512_xor_si512(z0, _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)crc)));
    bytes += 256;
    length -= 256;
    const __m512i k2048 = _mm512_broadcast_i32x4(pair(K_2048));
    while (length >= 256) {
        z0 = fold512(z0, k2048, _mm512_loadu_si512(bytes));
        z1 = fold512(z1, k2048, _mm512_loadu_si512(bytes + 64));
        z2 = fold512(z2, k2048, _mm512_loadu_si512(bytes + 128));
        z3 = fold512(z3, k2048, _mm512_loadu_si512(bytes + 192));
        bytes += 256;
        length -= 256;
    }
    const __m512i k512 = _mm512_broadcast_i32x4(pair(K_512));
    z1 = fold512(z0, k512, z1);
    z2 = fold512(z1, k512, z2);
    z3 = fold512(z2, k512, z3);
    __m128i x1 = _mm512_extracti32x4_epi32(z3, 3);
    x1 = fold128(_mm512_extracti32x4_epi32(z3, 0), pair(K_384), x1);
    x1 = fold128(_mm512_extracti32x4_epi32(z3, 1), pair(K_256), x1);
    x1 = fold128(_mm512_extracti32x4_epi32(z3, 2), pair(K_128), x1);
    return finish(x1, bytes, length);
}

enum implementation { UNKNOWN, ZLIB, PCLMUL, VPCLMUL };

static enum implementation chosen(void) {
    static enum implementation cached = UNKNOWN;
    enum implementation value = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (value == UNKNOWN) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("pclmul")
            && __builtin_cpu_supports("sse4.1")) {
            value = VPCLMUL;
        } else if (__builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1")) {
            value = PCLMUL;
        } else {
            value = ZLIB;
        }
        __atomic_store_n(&cached, value, __ATOMIC_RELAXED);
    }
    return value;
}

uint32_t bpk_crc32(uint32_t crc, const void *bytes, size_t length) {
    const unsigned char *data = bytes;
    enum implementation implementation = chosen();
    size_t minimum = implementation == VPCLMUL ? 256 : 64;
    if (implementation != ZLIB && length >= minimum) {
        size_t folded = length & ~(size_t)15;
        crc = implementation == VPCLMUL ? ~fold_vpclmul(data, folded, ~crc) : ~fold_pclmul(data, folded, ~crc);
        data += folded;
        length -= folded;
    }
    return bpk_crc32_zlib(crc, data, length);
}

const char *bpk_crc32_implementation(void) {
    switch (chosen()) {
    case VPCLMUL: return "vpclmulqdq-avx512";
    case PCLMUL: return "pclmulqdq";
    default: return "zlib";
    }
}

#else

uint32_t bpk_crc32(uint32_t crc, const void *bytes, size_t length) { return bpk_crc32_zlib(crc, bytes, length); }

const char *bpk_crc32_implementation(void) { return "zlib"; }

#endif
