// The AVX2+FMA path for Double: 4 outputs per vector, a 6×8 tile in 12
// registers. Each output's chain is the one of the float kernels (kernel_avx2.c).
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#include "kernels_internal.h"

#define TARGET __attribute__((target("avx2,fma")))

enum { MR = 6, NR = 8 };

// R rows (a constant in each instance below) of a tile: A read where it lies
// (A(i,p) = a[i·rsa + p·csa]), B from a packed panel [kc][8].
TARGET static inline __attribute__((always_inline)) void micro_rows(
    const int R, int kc, const double *a, long rsa, long csa, const double *bp, double *c, int ldc,
    int load) {
    __m256d acc[MR][2];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        acc[r][0] = load ? _mm256_loadu_pd(c + r * ldc) : _mm256_setzero_pd();
        acc[r][1] = load ? _mm256_loadu_pd(c + r * ldc + 4) : _mm256_setzero_pd();
    }
    for (int p = 0; p < kc; p++) {
        __m256d b0 = _mm256_loadu_pd(bp + p * NR);
        __m256d b1 = _mm256_loadu_pd(bp + p * NR + 4);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            __m256d x = _mm256_broadcast_sd(a + r * rsa + p * csa);
            acc[r][0] = _mm256_fmadd_pd(x, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_pd(x, b1, acc[r][1]);
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        _mm256_storeu_pd(c + r * ldc, acc[r][0]);
        _mm256_storeu_pd(c + r * ldc + 4, acc[r][1]);
    }
}

#define MICRO_CASE(R)                                                                         \
    case R:                                                                                   \
        micro_rows(R, kc, a, rsa, csa, bp, c, ldc, load);                                     \
        break;

TARGET static void micro(int rows, int kc, const double *a, long rsa, long csa, const double *bp,
                         double *c, int ldc, int load) {
    switch (rows) {
        MICRO_CASE(1) MICRO_CASE(2) MICRO_CASE(3) MICRO_CASE(4) MICRO_CASE(5) MICRO_CASE(6)
    }
}

// One row of outputs: 48 or 16 at a time (each row of B read front to back),
// then 4, then one by one.
#define ROW_BLOCK(WIDTH)                                                                       \
    for (; j + 4 * (WIDTH) <= n; j += 4 * (WIDTH)) {                                            \
        __m256d acc[WIDTH];                                                                     \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < (WIDTH); v++) acc[v] =           \
            load ? _mm256_loadu_pd(c + j + 4 * v) : _mm256_setzero_pd();                        \
        for (int p = 0; p < k; p++) {                                                           \
            __m256d x = _mm256_broadcast_sd(a + (long)p * csa);                                 \
            const double *bk = b + (long)p * ldb + j;                                           \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < (WIDTH); v++) acc[v] =       \
                _mm256_fmadd_pd(x, _mm256_loadu_pd(bk + 4 * v), acc[v]);                        \
        }                                                                                       \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < (WIDTH); v++)                    \
            _mm256_storeu_pd(c + j + 4 * v, acc[v]);                                            \
    }

TARGET static void row(int n, int k, const double *a, int csa, const double *b, int ldb, double *c,
                       int load) {
    int j = 0;
    ROW_BLOCK(12)
    ROW_BLOCK(4)
    for (; j + 4 <= n; j += 4) {
        __m256d acc = load ? _mm256_loadu_pd(c + j) : _mm256_setzero_pd();
        for (int p = 0; p < k; p++)
            acc = _mm256_fmadd_pd(_mm256_broadcast_sd(a + (long)p * csa),
                                  _mm256_loadu_pd(b + (long)p * ldb + j), acc);
        _mm256_storeu_pd(c + j, acc);
    }
    for (; j < n; j++) {
        double acc = load ? c[j] : 0.0;
        for (int p = 0; p < k; p++) acc = fma(a[(long)p * csa], b[(long)p * ldb + j], acc);
        c[j] = acc;
    }
}

const bpk_dgemm_kernel bpk_avx2_dkernel = {MR, NR, micro, row};
#endif
