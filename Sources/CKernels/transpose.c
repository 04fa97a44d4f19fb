// Matrix transposition for the formats that keep a dense kernel as
// [out, in] while bpkit keeps [in, out] (PyTorch's safetensors, ONNX's RNN
// weights): a copy, so every path gives the same bits.
#include <stddef.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "CKernels.h"

/// Tiles of 32 × 32 floats (4 KiB): the 32 target rows written stay in the
/// first-level cache while the tile's source rows are read.
#define TILE 32

static void transpose_scalar(const float *source, int rows, int columns, long source_stride, float *target,
                             long target_stride) {
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < columns; c++) target[(size_t)c * target_stride + r] = source[(size_t)r * source_stride + c];
    }
}

#if defined(__x86_64__)
/// One 8 × 8 block in eight loads, 24 shuffles and eight stores (the usual
/// AVX unpack / shuffle / permute2f128 sequence, as in Intel's optimization manual).
__attribute__((target("avx"))) static void transpose_8x8(const float *s, long ss, float *t, long ts) {
    __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + ss), r2 = _mm256_loadu_ps(s + 2 * ss),
           r3 = _mm256_loadu_ps(s + 3 * ss), r4 = _mm256_loadu_ps(s + 4 * ss), r5 = _mm256_loadu_ps(s + 5 * ss),
           r6 = _mm256_loadu_ps(s + 6 * ss), r7 = _mm256_loadu_ps(s + 7 * ss);
    __m256 a0 = _mm256_unpacklo_ps(r0, r1), a1 = _mm256_unpackhi_ps(r0, r1), a2 = _mm256_unpacklo_ps(r2, r3),
           a3 = _mm256_unpackhi_ps(r2, r3), a4 = _mm256_unpacklo_ps(r4, r5), a5 = _mm256_unpackhi_ps(r4, r5),
           a6 = _mm256_unpacklo_ps(r6, r7), a7 = _mm256_unpackhi_ps(r6, r7);
    __m256 b0 = _mm256_shuffle_ps(a0, a2, 0x44), b1 = _mm256_shuffle_ps(a0, a2, 0xEE),
           b2 = _mm256_shuffle_ps(a1, a3, 0x44), b3 = _mm256_shuffle_ps(a1, a3, 0xEE),
           b4 = _mm256_shuffle_ps(a4, a6, 0x44), b5 = _mm256_shuffle_ps(a4, a6, 0xEE),
           b6 = _mm256_shuffle_ps(a5, a7, 0x44), b7 = _mm256_shuffle_ps(a5, a7, 0xEE);
    _mm256_storeu_ps(t, _mm256_permute2f128_ps(b0, b4, 0x20));
    _mm256_storeu_ps(t + ts, _mm256_permute2f128_ps(b1, b5, 0x20));
    _mm256_storeu_ps(t + 2 * ts, _mm256_permute2f128_ps(b2, b6, 0x20));
    _mm256_storeu_ps(t + 3 * ts, _mm256_permute2f128_ps(b3, b7, 0x20));
    _mm256_storeu_ps(t + 4 * ts, _mm256_permute2f128_ps(b0, b4, 0x31));
    _mm256_storeu_ps(t + 5 * ts, _mm256_permute2f128_ps(b1, b5, 0x31));
    _mm256_storeu_ps(t + 6 * ts, _mm256_permute2f128_ps(b2, b6, 0x31));
    _mm256_storeu_ps(t + 7 * ts, _mm256_permute2f128_ps(b3, b7, 0x31));
}

__attribute__((target("avx"))) static void transpose_avx(const float *source, int rows, int columns,
                                                        long source_stride, float *target, long target_stride) {
    for (int r0 = 0; r0 < rows; r0 += TILE) {
        int r1 = r0 + TILE < rows ? r0 + TILE : rows;
        for (int c0 = 0; c0 < columns; c0 += TILE) {
            int c1 = c0 + TILE < columns ? c0 + TILE : columns;
            int r = r0;
            for (; r + 8 <= r1; r += 8) {
                int c = c0;
                for (; c + 8 <= c1; c += 8) {
                    transpose_8x8(source + (size_t)r * source_stride + c, source_stride,
                                  target + (size_t)c * target_stride + r, target_stride);
                }
                transpose_scalar(source + (size_t)r * source_stride + c, 8, c1 - c, source_stride,
                                 target + (size_t)c * target_stride + r, target_stride);
            }
            transpose_scalar(source + (size_t)r * source_stride + c0, r1 - r, c1 - c0, source_stride,
                             target + (size_t)c0 * target_stride + r, target_stride);
        }
    }
}

#endif

static void transpose_tiled(const float *source, int rows, int columns, long source_stride, float *target,
                            long target_stride) {
    for (int r0 = 0; r0 < rows; r0 += TILE) {
        int r1 = r0 + TILE < rows ? r0 + TILE : rows;
        for (int c0 = 0; c0 < columns; c0 += TILE) {
            int c1 = c0 + TILE < columns ? c0 + TILE : columns;
            transpose_scalar(source + (size_t)r0 * source_stride + c0, r1 - r0, c1 - c0, source_stride,
                             target + (size_t)c0 * target_stride + r0, target_stride);
        }
    }
}

void bpk_transpose_f32(const float *source, int rows, int columns, long source_stride, float *target,
                       long target_stride) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx")) {
        transpose_avx(source, rows, columns, source_stride, target, target_stride);
        return;
    }
#endif
    transpose_tiled(source, rows, columns, source_stride, target, target_stride);
}
