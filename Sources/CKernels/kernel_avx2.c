// The AVX2+FMA path: 8 outputs per vector, a 6×16 tile in 12 registers.
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#include "kernels_internal.h"

#define TARGET __attribute__((target("avx2,fma")))

enum { MR = 6, NR = 16 };

// R rows (a constant in each instance below) of a tile: A read where it lies
// (A(i,p) = a[i·rsa + p·csa]), B from a packed panel [kc][16].
TARGET static inline __attribute__((always_inline)) void micro_rows(
    const int R, int kc, const float *a, long rsa, long csa, const float *bp, float *c, int ldc,
    int load) {
    __m256 acc[MR][2];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        acc[r][0] = load ? _mm256_loadu_ps(c + r * ldc) : _mm256_setzero_ps();
        acc[r][1] = load ? _mm256_loadu_ps(c + r * ldc + 8) : _mm256_setzero_ps();
    }
    for (int p = 0; p < kc; p++) {
        __m256 b0 = _mm256_loadu_ps(bp + p * NR);
        __m256 b1 = _mm256_loadu_ps(bp + p * NR + 8);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            __m256 x = _mm256_broadcast_ss(a + r * rsa + p * csa);
            acc[r][0] = _mm256_fmadd_ps(x, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(x, b1, acc[r][1]);
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        _mm256_storeu_ps(c + r * ldc, acc[r][0]);
        _mm256_storeu_ps(c + r * ldc + 8, acc[r][1]);
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
    }
}

// max(x, +0) per lane, NaN to +0: maxps returns its second operand when
// either is NaN or both are zero, as `x > 0 ? x : 0` does.
TARGET static inline __m256 rectify(__m256 x) { return _mm256_max_ps(x, _mm256_setzero_ps()); }

// One row of outputs: 96 or 32 at a time (each row of B read front to back),
// then 8, then one by one.
#define ROW_BLOCK(WIDTH)                                                                       \
    for (; j + 8 * (WIDTH) <= n; j += 8 * (WIDTH)) {                                            \
        __m256 acc[WIDTH];                                                                      \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < (WIDTH); v++) acc[v] =           \
            bias ? _mm256_loadu_ps(bias + j + 8 * v)                                            \
            : load ? _mm256_loadu_ps(c + j + 8 * v) : _mm256_setzero_ps();                      \
        for (int p = 0; p < k; p++) {                                                           \
            __m256 x = _mm256_broadcast_ss(a + (long)p * csa);                                  \
            const float *bk = b + (long)p * ldb + j;                                            \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < (WIDTH); v++) acc[v] =       \
                _mm256_fmadd_ps(x, _mm256_loadu_ps(bk + 8 * v), acc[v]);                        \
        }                                                                                       \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < (WIDTH); v++)                    \
            _mm256_storeu_ps(c + j + 8 * v, relu ? rectify(acc[v]) : acc[v]);                   \
    }

TARGET static void row(int n, int k, const float *a, int csa, const float *b, int ldb, const float *bias,
                       int relu, float *c, int load) {
    int j = 0;
    ROW_BLOCK(12)
    ROW_BLOCK(4)
    for (; j + 8 <= n; j += 8) {
        __m256 acc = bias ? _mm256_loadu_ps(bias + j) : load ? _mm256_loadu_ps(c + j) : _mm256_setzero_ps();
        for (int p = 0; p < k; p++)
            acc = _mm256_fmadd_ps(_mm256_broadcast_ss(a + (long)p * csa),
                                  _mm256_loadu_ps(b + (long)p * ldb + j), acc);
        _mm256_storeu_ps(c + j, relu ? rectify(acc) : acc);
    }
    for (; j < n; j++) {
        float acc = bias ? bias[j] : load ? c[j] : 0.0f;
        for (int p = 0; p < k; p++) acc = fmaf(a[(long)p * csa], b[(long)p * ldb + j], acc);
        c[j] = relu ? (acc > 0 ? acc : 0.0f) : acc;
    }
}

const bpk_sgemm_kernel bpk_avx2_kernel = {MR, NR, micro, row, 0};
#endif
