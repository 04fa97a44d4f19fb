// The bulk of base64 encoding and decoding with AVX2: Wojciech Muła and
// Daniel Lemire, "Faster Base64 Encoding and Decoding using AVX2
// Instructions", ACM Transactions on the Web 12(3), 2018 (arXiv:1704.00605),
// with aqrit's validating lookup for decoding, as in Lemire's fastbase64
// (fastavxbase64.c). Every block is validated; the first block holding a
// character outside the alphabet (or padding) stops the loop, and the caller
// decodes from there with its scalar code, which reports the error.
//
// The vector code runs when the calling thread's kernel path is AVX2 or
// AVX-512 (so BPKIT_KERNELS=portable, or Kernels.with(path: .portable), runs
// the caller's scalar code alone, byte for byte the same text); on other
// processors these functions do nothing and return 0.
#include <stddef.h>
#include <stdint.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "CKernels.h"

#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2")))

static int has_avx2(void) { return bpk_kernels_current_path() >= bpk_path_avx2; }

/// 24 input bytes (12 in each 128-bit lane) to 32 6-bit values, one per byte.
AVX2 static inline __m256i encode_split(__m256i in) {
    // Each group of three bytes b0 b1 b2 becomes the 32-bit word b1 b0 b2 b1.
    in = _mm256_shuffle_epi8(in, _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10, 1, 0, 2, 1, 4,
                                                  3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10));
    const __m256i t0 = _mm256_and_si256(in, _mm256_set1_epi32(0x0fc0fc00));
    const __m256i t1 = _mm256_mulhi_epu16(t0, _mm256_set1_epi32(0x04000040));
    const __m256i t2 = _mm256_and_si256(in, _mm256_set1_epi32(0x003f03f0));
    const __m256i t3 = _mm256_mullo_epi16(t2, _mm256_set1_epi32(0x01000010));
    return _mm256_or_si256(t1, t3);
}

/// 6-bit values to the characters of the standard alphabet.
AVX2 static inline __m256i encode_translate(__m256i values) {
    // Offsets: 0-25 +65 ('A'), 26-51 +71 ('a'), 52-61 -4 ('0'), 62 -19 ('+'), 63 -16 ('/').
    const __m256i offsets = _mm256_setr_epi8(65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0, 65, 71,
                                             -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0);
    __m256i index = _mm256_subs_epu8(values, _mm256_set1_epi8(51));
    const __m256i above25 = _mm256_cmpgt_epi8(values, _mm256_set1_epi8(25));
    index = _mm256_sub_epi8(index, above25);
    return _mm256_add_epi8(values, _mm256_shuffle_epi8(offsets, index));
}

AVX2 static size_t encode_avx2(const uint8_t *input, size_t n, uint8_t *output) {
    size_t done = 0;
    // Two 16-byte loads of 12 useful bytes each: 28 bytes must be readable.
    while (n - done >= 28) {
        const __m128i low = _mm_loadu_si128((const __m128i *)(input + done));
        const __m128i high = _mm_loadu_si128((const __m128i *)(input + done + 12));
        const __m256i in = _mm256_inserti128_si256(_mm256_castsi128_si256(low), high, 1);
        _mm256_storeu_si256((__m256i *)output, encode_translate(encode_split(in)));
        done += 24;
        output += 32;
    }
    return done;
}

AVX2 static size_t decode_avx2(const uint8_t *text, size_t n, uint8_t *output, size_t capacity) {
    const __m256i lut_lo = _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A,
                                            0x1B, 0x1B, 0x1B, 0x1A, 0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                            0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
    const __m256i lut_hi = _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10,
                                            0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08,
                                            0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
    const __m256i lut_roll = _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 19, 4,
                                              -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i mask_2f = _mm256_set1_epi8(0x2f);
    size_t done = 0;
    size_t written = 0;
    while (n - done >= 32 && capacity - written >= 32) {
        __m256i in = _mm256_loadu_si256((const __m256i *)(text + done));
        // Character classes from the low and the high nibble: a byte is in
        // the alphabet exactly when its two class bits do not meet.
        const __m256i high_nibbles = _mm256_and_si256(_mm256_srli_epi32(in, 4), mask_2f);
        const __m256i low_class = _mm256_shuffle_epi8(lut_lo, _mm256_and_si256(in, mask_2f));
        const __m256i high_class = _mm256_shuffle_epi8(lut_hi, high_nibbles);
        if (!_mm256_testz_si256(low_class, high_class)) break;
        const __m256i is_slash = _mm256_cmpeq_epi8(in, mask_2f);
        const __m256i roll = _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(is_slash, high_nibbles));
        in = _mm256_add_epi8(in, roll);
        // Four 6-bit values to three bytes, within each 32-bit word.
        const __m256i pairs = _mm256_maddubs_epi16(in, _mm256_set1_epi32(0x01400140));
        __m256i words = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));
        words = _mm256_shuffle_epi8(words, _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1, 2,
                                                            1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1));
        words = _mm256_permutevar8x32_epi32(words, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7));
        _mm256_storeu_si256((__m256i *)(output + written), words);
        done += 32;
        written += 24;
    }
    return done;
}
#endif

size_t bpk_base64_encode_blocks(const uint8_t *input, size_t n, uint8_t *output) {
#if defined(__x86_64__)
    if (has_avx2()) return encode_avx2(input, n, output);
#endif
    (void)input;
    (void)n;
    (void)output;
    return 0;
}

size_t bpk_base64_decode_blocks(const uint8_t *text, size_t n, uint8_t *output, size_t output_capacity) {
#if defined(__x86_64__)
    if (has_avx2()) return decode_avx2(text, n, output, output_capacity);
#endif
    (void)text;
    (void)n;
    (void)output;
    (void)output_capacity;
    return 0;
}
