// The AVX-512 path: 16 outputs per vector, a 12×32 tile in 24 registers,
// masked loads and stores for the last outputs of a row.
#if defined(__x86_64__)
#include <immintrin.h>

#include "kernels_internal.h"

#define TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma")))

enum { MR = 12, NR = 32 };

// R rows (a constant in each instance below) of a tile: A read where it lies
// (A(i,p) = a[i·rsa + p·csa]), B from a packed panel [kc][32].
TARGET static inline __attribute__((always_inline)) void micro_rows(
    const int R, int kc, const float *a, long rsa, long csa, const float *bp, float *c, int ldc,
    int load) {
    __m512 acc[MR][2];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        acc[r][0] = load ? _mm512_loadu_ps(c + r * ldc) : _mm512_setzero_ps();
        acc[r][1] = load ? _mm512_loadu_ps(c + r * ldc + 16) : _mm512_setzero_ps();
    }
    for (int p = 0; p < kc; p++) {
        __m512 b0 = _mm512_loadu_ps(bp + p * NR);
        __m512 b1 = _mm512_loadu_ps(bp + p * NR + 16);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            __m512 x = _mm512_set1_ps(a[r * rsa + p * csa]);
            acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        _mm512_storeu_ps(c + r * ldc, acc[r][0]);
        _mm512_storeu_ps(c + r * ldc + 16, acc[r][1]);
    }
}

#define MICRO_CASE(R)                                                                         \
    case R:                                                                                   \
        micro_rows(R, kc, a, rsa, csa, bp, c, ldc, load);                                     \
        break;

TARGET static void micro(int rows, int kc, const float *a, long rsa, long csa, const float *bp,
                         float *c, int ldc, int load) {
    switch (rows) {
        MICRO_CASE(1) MICRO_CASE(2) MICRO_CASE(3) MICRO_CASE(4) MICRO_CASE(5) MICRO_CASE(6)
        MICRO_CASE(7) MICRO_CASE(8) MICRO_CASE(9) MICRO_CASE(10) MICRO_CASE(11) MICRO_CASE(12)
    }
}

// max(x, +0) per lane, NaN to +0: maxps returns its second operand when
// either is NaN or both are zero, as `x > 0 ? x : 0` does.
TARGET static inline __m512 rectify(__m512 x) { return _mm512_max_ps(x, _mm512_setzero_ps()); }

// One row of outputs: 256, 128 or 64 at a time (each row of B read once, front to back,
// into 16 registers), then 64, then 16 under a mask.
#define ROW_BLOCK(WIDTH)                                                                       \
    for (; j + 16 * (WIDTH) <= n; j += 16 * (WIDTH)) {                                          \
        __m512 acc[WIDTH];                                                                      \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < (WIDTH); v++) acc[v] =           \
            bias ? _mm512_loadu_ps(bias + j + 16 * v)                                           \
            : load ? _mm512_loadu_ps(c + j + 16 * v) : _mm512_setzero_ps();                     \
        for (int p = 0; p < k; p++) {                                                           \
            __m512 x = _mm512_set1_ps(a[(long)p * csa]);                                        \
            const float *bk = b + (long)p * ldb + j;                                            \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < (WIDTH); v++) acc[v] =       \
                _mm512_fmadd_ps(x, _mm512_loadu_ps(bk + 16 * v), acc[v]);                       \
        }                                                                                       \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < (WIDTH); v++)                    \
            _mm512_storeu_ps(c + j + 16 * v, relu ? rectify(acc[v]) : acc[v]);                  \
    }

TARGET static void row(int n, int k, const float *a, int csa, const float *b, int ldb, const float *bias,
                       int relu, float *c, int load) {
    int j = 0;
    ROW_BLOCK(16)
    ROW_BLOCK(8)
    ROW_BLOCK(4)
    for (; j < n; j += 16) {
        int left = n - j;
        __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        __m512 acc = bias   ? _mm512_maskz_loadu_ps(mask, bias + j)
                     : load ? _mm512_maskz_loadu_ps(mask, c + j)
                            : _mm512_setzero_ps();
        for (int p = 0; p < k; p++)
            acc = _mm512_fmadd_ps(_mm512_set1_ps(a[(long)p * csa]),
                                  _mm512_maskz_loadu_ps(mask, b + (long)p * ldb + j), acc);
        _mm512_mask_storeu_ps(c + j, mask, relu ? rectify(acc) : acc);
    }
}

// A block of up to 12 rows and 32 outputs straight from unpacked A and B:
// small products skip packing. The last outputs are loaded and stored under
// masks. R (rows) and V (vectors per row: 1 when at most 16 outputs are left,
// so that a narrow layer does no work on masked-out lanes) are constants in
// each instance below; neither changes any output's chain.
TARGET static inline __attribute__((always_inline)) void direct_rows(
    const int R, const int V, int cols, int k, const float *a, long rsa, long csa, const float *b,
    long ldb, float *c, int ldc, int load) {
    __mmask16 mask[2] = {
        cols >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << cols) - 1),
        cols >= 32   ? (__mmask16)0xFFFF
        : cols <= 16 ? (__mmask16)0
                     : (__mmask16)((1u << (cols - 16)) - 1),
    };
    __m512 acc[MR][2];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++)
#pragma clang loop unroll(full)
        for (int v = 0; v < V; v++)
            acc[r][v] = load ? _mm512_maskz_loadu_ps(mask[v], c + (long)r * ldc + 16 * v)
                             : _mm512_setzero_ps();
    for (int p = 0; p < k; p++) {
        __m512 bv[2];
#pragma clang loop unroll(full)
        for (int v = 0; v < V; v++) bv[v] = _mm512_maskz_loadu_ps(mask[v], b + p * ldb + 16 * v);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            __m512 x = _mm512_set1_ps(a[r * rsa + p * csa]);
#pragma clang loop unroll(full)
            for (int v = 0; v < V; v++) acc[r][v] = _mm512_fmadd_ps(x, bv[v], acc[r][v]);
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++)
#pragma clang loop unroll(full)
        for (int v = 0; v < V; v++)
            _mm512_mask_storeu_ps(c + (long)r * ldc + 16 * v, mask[v], acc[r][v]);
}

#define DIRECT_CASE(R)                                                                        \
    case R:                                                                                   \
        if (cols <= 16)                                                                       \
            direct_rows(R, 1, cols, k, a, rsa, csa, b, ldb, c, ldc, load);                    \
        else                                                                                  \
            direct_rows(R, 2, cols, k, a, rsa, csa, b, ldb, c, ldc, load);                    \
        break;

TARGET static void direct(int rows, int cols, int k, const float *a, long rsa, long csa,
                          const float *b, long ldb, float *c, int ldc, int load) {
    switch (rows) {
        DIRECT_CASE(1) DIRECT_CASE(2) DIRECT_CASE(3) DIRECT_CASE(4) DIRECT_CASE(5) DIRECT_CASE(6)
        DIRECT_CASE(7) DIRECT_CASE(8) DIRECT_CASE(9) DIRECT_CASE(10) DIRECT_CASE(11) DIRECT_CASE(12)
    }
}

const bpk_sgemm_kernel bpk_avx512_kernel = {MR, NR, micro, row, direct};
#endif
